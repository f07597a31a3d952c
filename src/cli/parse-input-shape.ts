/**
 * `--input-shape NAME=D0,D1,…` (repeatable) → Map<input name, concrete dims>.
 *
 * Dims are concrete non-negative integers only: the flag exists to pin a model's symbolic or
 * unknown dims to numbers (for shape inference, FLOPs, compile variants), so a symbolic name
 * or -1 would leave the dim as unknown as it was. 0 is allowed because empty tensors are real
 * inputs (a decoder's past key/values at step 0). The name is everything before the LAST '=',
 * since dims never contain one and exported names can ('input:0', 'x=y').
 */
import { MlserveError } from '../errors.js';
import { splitNameValue } from './name-value-flag.js';

const OPTION = '--input-shape';

export function parseInputShape(value: string): [name: string, dims: number[]] {
  const fail = (reason: string): never => {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: OPTION, value, reason });
  };
  const [name, dimsText] = splitNameValue(OPTION, value, 'NAME=D0,D1,… (for example x=1,3,224,224)', 'input');
  // A scalar input has no dims to pin, so an empty list is more likely a typo than a request.
  if (dimsText === '') fail('no dimensions after \'=\'');
  const dims = dimsText.split(',').map((part) => {
    const text = part.trim();
    if (!/^\d+$/.test(text)) {
      return fail(text === '' ? 'empty dimension (two commas in a row or a trailing comma)'
        : `dimension '${text}' is not a non-negative integer`);
    }
    const n = Number(text);
    if (!Number.isSafeInteger(n)) fail(`dimension '${text}' is too large`);
    return n;
  });
  return [name, dims];
}

/**
 * Commander argument parser for a repeatable `--input-shape`: returns a new Map each call (never
 * mutates `previous`, so a default value is never shared between parses) and rejects a name given twice.
 */
export function collectInputShape(value: string, previous?: Map<string, number[]>): Map<string, number[]> {
  const [name, dims] = parseInputShape(value);
  const shapes = new Map(previous);
  if (shapes.has(name)) {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', {
      option: OPTION, value, reason: `input '${name}' is given more than once`,
    });
  }
  shapes.set(name, dims);
  return shapes;
}

/** All values of the flag at once (for library-style callers that already hold the strings). */
export function parseInputShapes(values: readonly string[]): Map<string, number[]> {
  return values.reduce<Map<string, number[]>>((shapes, v) => collectInputShape(v, shapes), new Map());
}
