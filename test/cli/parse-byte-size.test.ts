import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MlserveError } from '../../src/errors.js';
import { parseByteSize } from '../../src/cli/parse-byte-size.js';

test('plain bytes and units: KB/MB/GB decimal, KiB/MiB/GiB binary, case-insensitive', () => {
  const cases: Array<[string, number]> = [
    ['0', 0], ['1048576', 1048576], ['4MB', 4_000_000], ['4mb', 4_000_000], ['1.5MiB', 1.5 * 2 ** 20],
    ['512 kib', 512 * 1024], ['2GB', 2e9], ['1GiB', 2 ** 30], ['10b', 10], [' 3 KB ', 3000], ['.5KiB', 512],
  ];
  for (const [text, bytes] of cases) assert.equal(parseByteSize(text, '--fold-size-limit'), bytes, text);
});

test('anything else is MLS_ERR_INVALID_ARGUMENT naming the option and the value', () => {
  for (const text of ['', 'MB', '-1', '4 MBs', '1e6', '4M', '1,000', 'lots']) {
    assert.throws(() => parseByteSize(text, '--external-data'), (e: unknown) =>
      e instanceof MlserveError && e.code === 'MLS_ERR_INVALID_ARGUMENT' && e.message.startsWith(`--external-data '${text}': expected a size in bytes`), text);
  }
  assert.throws(() => parseByteSize('99999999999TB', '--x'), /too large/);
});
