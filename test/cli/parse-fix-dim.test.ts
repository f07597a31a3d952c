import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MlserveError } from '../../src/errors.js';
import { collectFixDim, parseFixDim } from '../../src/cli/parse-fix-dim.js';

test('NAME=VALUE, the name being everything before the last =', () => {
  assert.deepEqual(parseFixDim('batch_size=1'), ['batch_size', 1]);
  assert.deepEqual(parseFixDim('p2o.DynamicDimension.0 = 32'), ['p2o.DynamicDimension.0', 32]);
  assert.deepEqual(parseFixDim('a=b=0'), ['a=b', 0]);
});

test('repeatable; a name given twice is an error; names are plain keys, even constructor', () => {
  const dims = collectFixDim('constructor=3', collectFixDim('batch=1'));
  assert.deepEqual({ ...dims }, { batch: 1, constructor: 3 });
  assert.equal('toString' in dims, false);
  assert.throws(() => collectFixDim('batch=2', dims), /--fix-dim 'batch=2': dim 'batch' is given more than once/);
});

test('malformed values', () => {
  const cases: Array<[string, RegExp]> = [
    ['batch', /expected NAME=VALUE/], ['=1', /name before '=' is empty/], ['batch=', /no value after '='/],
    ['batch=-1', /'-1' is not a non-negative integer/], ['batch=N', /'N' is not a non-negative integer/],
    ['batch=99999999999999999999', /too large/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(() => parseFixDim(text), (e: unknown) => e instanceof MlserveError && e.code === 'MLS_ERR_INVALID_ARGUMENT' && pattern.test(e.message), text);
  }
});
