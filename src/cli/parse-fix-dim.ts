/**
 * `--fix-dim NAME=VALUE` (repeatable) → { NAME: VALUE }: sets the symbolic dim NAME (as the model
 * declares it, e.g. `batch_size`) to a concrete size wherever it appears. The name is the text before
 * the last '=', the value a non-negative integer; a name given twice is an error, not a silent override.
 */
import { MlserveError } from '../errors.js';
import { collectNamed, splitNameValue } from './name-value-flag.js';

const OPTION = '--fix-dim';

export function parseFixDim(value: string): [name: string, size: number] {
  const fail = (reason: string): never => {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: OPTION, value, reason });
  };
  const [name, text] = splitNameValue(OPTION, value, 'NAME=VALUE (for example batch_size=1)', 'dim');
  if (!/^\d+$/.test(text)) fail(text === '' ? "no value after '='" : `'${text}' is not a non-negative integer`);
  const size = Number(text);
  if (!Number.isSafeInteger(size)) fail(`'${text}' is too large`);
  return [name, size];
}

/** Commander argument parser for the repeatable flag. */
export const collectFixDim = collectNamed(OPTION, 'dim', parseFixDim);
