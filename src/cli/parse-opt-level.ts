/**
 * The `-O` preset flag of optimize and compile: `-O0`, `-O1`, `-O2` (commander hands over the text
 * after -O; `-OO2` style input is tolerated) → the preset name the pass registry knows.
 */
import { MlserveError } from '../errors.js';

export function parseOptLevel(value: string): 'O0' | 'O1' | 'O2' {
  const level = value.replace(/^O/i, '');
  if (level !== '0' && level !== '1' && level !== '2') throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: '-O', value, reason: 'expected -O0, -O1 or -O2' });
  return `O${level}`;
}
