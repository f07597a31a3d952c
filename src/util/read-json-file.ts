/**
 * Reads and parses a JSON file (manifests, baselines). File-system errors are readFileOrFail's;
 * text that is not JSON is reported through `invalid`, so each kind of document keeps its own error code.
 */
import type { MlserveError } from '../errors.js';
import { readFileOrFail } from './read-file-or-fail.js';

export function readJsonFile(file: string, invalid: (reason: string, cause: unknown) => MlserveError): unknown {
  const text = readFileOrFail(file).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw invalid(`not JSON (${(e as Error).message})`, e);
  }
}
