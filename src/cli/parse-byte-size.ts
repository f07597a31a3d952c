/**
 * Byte sizes on the command line (`--fold-size-limit`, `--external-data`): a plain number of bytes
 * (`1048576`) or a number with a unit, `KB`/`MB`/`GB` in powers of 1000 and `KiB`/`MiB`/`GiB` in powers
 * of 1024 (`4MB`, `1.5 MiB`, `512kib`; units are case-insensitive). The result is a whole number of bytes.
 */
import { MlserveError } from '../errors.js';

const UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

export function parseByteSize(value: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? (m[2] || 'b').toLowerCase() : '';
  const scale = UNITS[unit];
  if (!m || scale === undefined) {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', {
      option, value, reason: 'expected a size in bytes, optionally with a unit: 1048576, 4MB, 1.5MiB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024)',
    });
  }
  const bytes = Math.round(Number(m[1]) * scale);
  if (!Number.isSafeInteger(bytes)) throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option, value, reason: 'too large' });
  return bytes;
}
