/**
 * `--input-value NAME=VALUE` (repeatable) → { NAME: VALUE }: an input filled with one number wherever
 * mlserve makes inputs up (the serve warm-up), for inputs that zeros or random data do not run: a sample
 * rate, a token id, a step count. The name is the text before the last '='; a name given twice is an
 * error, not a silent override.
 */
import { MlserveError } from '../errors.js';
import { collectNamed, splitNameValue } from './name-value-flag.js';

const OPTION = '--input-value';

export function parseInputValue(value: string): [name: string, fill: number] {
  const [name, text] = splitNameValue(OPTION, value, 'NAME=VALUE (for example sr=16000)', 'input');
  const fill = Number(text);
  if (text === '' || !Number.isFinite(fill)) {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: OPTION, value, reason: text === '' ? "no value after '='" : `'${text}' is not a finite number` });
  }
  return [name, fill];
}

/** Commander argument parser for the repeatable flag. */
export const collectInputValue = collectNamed(OPTION, 'input', parseInputValue);
