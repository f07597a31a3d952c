/**
 * `--fix-dim NAME=VALUE` (repeatable) → { NAME: VALUE }: sets the symbolic dim NAME (as the model
 * declares it, e.g. `batch_size`) to a concrete size wherever it appears. The name is the text before
 * the last '=', the value a non-negative integer; a name given twice is an error, not a silent override.
 */
import { MlserveError } from '../errors.js';

const OPTION = '--fix-dim';

export function parseFixDim(value: string): [name: string, size: number] {
  const fail = (reason: string): never => {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: OPTION, value, reason });
  };
  const eq = value.lastIndexOf('=');
  if (eq < 0) fail('expected NAME=VALUE (for example batch_size=1)');
  const name = value.slice(0, eq).trim();
  const text = value.slice(eq + 1).trim();
  if (name === '') fail("the dim name before '=' is empty");
  if (!/^\d+$/.test(text)) fail(text === '' ? "no value after '='" : `'${text}' is not a non-negative integer`);
  const size = Number(text);
  if (!Number.isSafeInteger(size)) fail(`'${text}' is too large`);
  return [name, size];
}

/** Commander argument parser for the repeatable flag; returns a new record each call. */
export function collectFixDim(value: string, previous?: Record<string, number>): Record<string, number> {
  const [name, size] = parseFixDim(value);
  if (previous && Object.hasOwn(previous, name)) {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: OPTION, value, reason: `dim '${name}' is given more than once` });
  }
  // No prototype: a dim named 'constructor' or '__proto__' is just a name.
  const dims: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, previous);
  dims[name] = size;
  return dims;
}
