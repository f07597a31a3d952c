/**
 * The parts of a `NAME=VALUE` flag value (--fix-dim, --input-shape, --input-value). The name is everything
 * before the LAST '=', since values never contain one and exported names can ('input:0', 'x=y').
 * `form` and `what` word the errors: "expected NAME=VALUE (for example sr=16000)", "the input name …".
 */
export function splitNameValue(option: string, value: string, form: string, what: string): [name: string, text: string] {
  const fail = (reason: string): never => {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option, value, reason });
  };
  const eq = value.lastIndexOf('=');
  if (eq < 0) fail(`expected ${form}`);
  const name = value.slice(0, eq).trim();
  if (name === '') fail(`the ${what} name before '=' is empty`);
  return [name, value.slice(eq + 1).trim()];
}

/**
 * Commander collectors for repeatable `NAME=VALUE` flags (--fix-dim, --input-value): each call returns a
 * new record (a default value is never shared between parses) without a prototype, so a name such as
 * 'constructor' or '__proto__' is just a name; a name given twice is an error, not a silent override.
 */
import { MlserveError } from '../errors.js';

export function collectNamed<T>(option: string, what: string, parse: (value: string) => [name: string, value: T]) {
  return (value: string, previous?: Record<string, T>): Record<string, T> => {
    const [name, parsed] = parse(value);
    if (previous && Object.hasOwn(previous, name)) {
      throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option, value, reason: `${what} '${name}' is given more than once` });
    }
    const record: Record<string, T> = Object.assign(Object.create(null) as Record<string, T>, previous);
    record[name] = parsed;
    return record;
  };
}
