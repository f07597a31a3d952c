/**
 * Reads a whole file, turning the file system's errors into the registry's: a missing file (or a
 * missing folder on its path) is MLS_ERR_FILE_NOT_FOUND, anything else MLS_ERR_FILE_UNREADABLE with
 * the reason. Every reader of user-named files (models, tensors, manifests, baselines) goes through
 * here, so they all report the same way.
 */
import fs from 'node:fs';
import { MlserveError } from '../errors.js';

export function readFileOrFail(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new MlserveError('MLS_ERR_FILE_NOT_FOUND', { file });
    const reason = err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new MlserveError('MLS_ERR_FILE_UNREADABLE', { file, reason }, { cause: e });
  }
}
