import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectInputShape, parseInputShape, parseInputShapes } from '../../src/cli/parse-input-shape.js';
import { MlserveError } from '../../src/errors.js';

test('parses NAME=dims, splitting at the last = so exported names keep theirs', () => {
  assert.deepEqual(parseInputShape('images=1,3,416,416'), ['images', [1, 3, 416, 416]]);
  assert.deepEqual(parseInputShape('inputs:0=1,256,128,3'), ['inputs:0', [1, 256, 128, 3]]);
  assert.deepEqual(parseInputShape('a=b=7'), ['a=b', [7]]);
  assert.deepEqual(parseInputShape(' x = 2, 3 '), ['x', [2, 3]]);
  assert.deepEqual(parseInputShape('past_key=1,8,0,64'), ['past_key', [1, 8, 0, 64]]);
});

test('repeated flags build one map; a name given twice is rejected', () => {
  const shapes = parseInputShapes(['input=1,3,224,224', 'mask=1,224']);
  assert.deepEqual([...shapes], [['input', [1, 3, 224, 224]], ['mask', [1, 224]]]);
  const first = collectInputShape('x=1');
  const second = collectInputShape('y=2', first);
  assert.deepEqual([...first], [['x', [1]]], 'the previous map is not mutated');
  assert.deepEqual([...second], [['x', [1]], ['y', [2]]]);
  assert.throws(() => parseInputShapes(['x=1', 'x=2']), (e: unknown) =>
    e instanceof MlserveError && e.code === 'MLS_ERR_INVALID_ARGUMENT' && /given more than once/.test(e.message));
});

test('bad syntax is MLS_ERR_INVALID_ARGUMENT naming the option, the value and the reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['1,3,224,224', /expected NAME=D0,D1/],
    ['=1,3', /name before '=' is empty/],
    ['x=', /no dimensions/],
    ['x=1,,3', /empty dimension/],
    ['x=1,3,', /empty dimension/],
    ['x=batch,3', /'batch' is not a non-negative integer/],
    ['x=-1,3', /'-1' is not a non-negative integer/],
    ['x=1.5', /'1.5' is not a non-negative integer/],
    ['x=1e3', /'1e3' is not a non-negative integer/],
    ['x=99999999999999999999', /too large/],
  ];
  for (const [value, reason] of cases) {
    assert.throws(() => parseInputShape(value), (e: unknown) => {
      assert.ok(e instanceof MlserveError, `${value}: ${String(e)}`);
      assert.equal(e.code, 'MLS_ERR_INVALID_ARGUMENT');
      const { option, value: given } = (e as MlserveError<'MLS_ERR_INVALID_ARGUMENT'>).details;
      assert.deepEqual({ option, value: given }, { option: '--input-shape', value });
      assert.match(e.message, reason);
      assert.ok(e.message.startsWith(`--input-shape '${value}': `), e.message);
      return true;
    }, value);
  }
});
