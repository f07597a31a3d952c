import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../../src/ops/shape-inference/recurrent.js';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { assertMatchesOrt, ruleShapes, type CaseInput, type OneNodeCase } from './fake-context.js';

const f32 = (shape?: Dim[]): CaseInput => ({ dtype: 'float32', shape });
const GATES: Record<string, number> = { RNN: 1, GRU: 3, LSTM: 4 };

/** op with X [.., .., input], W and R for `hidden` units in `nd` directions. */
function rnn(op: string, x: Dim[], input: number, hidden: number, attrs: OneNodeCase['attrs'] = {}, extra: Partial<OneNodeCase> = {}): OneNodeCase {
  const nd = attrs.direction === 'bidirectional' ? 2 : 1;
  const g = GATES[op]!;
  return {
    op, opset: 14, outputs: op === 'LSTM' ? 3 : 2, attrs: { hidden_size: hidden, ...attrs },
    inputs: [f32(x), f32([nd, g * hidden, input]), f32([nd, g * hidden, hidden])], ...extra,
  };
}

describe('recurrent shape rules', () => {
  const table: [string, OneNodeCase, (Dim[] | undefined)[]][] = [
    ['LSTM forward (Silero VAD)', rnn('LSTM', [1, 'B', 128], 128, 128), [[1, 1, 'B', 128], [1, 'B', 128], [1, 'B', 128]]],
    ['GRU bidirectional (hinglish parser)', rnn('GRU', [12, 'batch', 64], 64, 128, { direction: 'bidirectional' }, { outputs: 2 }),
      [[12, 2, 'batch', 128], [2, 'batch', 128]]],
    ['RNN reverse', rnn('RNN', ['T', 'B', 8], 8, 16, { direction: 'reverse' }), [['T', 1, 'B', 16], [1, 'B', 16]]],
    ['layout 1 puts batch first', rnn('LSTM', ['B', 'T', 8], 8, 16, { layout: 1, direction: 'bidirectional' }),
      [['B', 'T', 2, 16], ['B', 2, 16], ['B', 2, 16]]],
    ['hidden size from R when the attribute is missing',
      { op: 'GRU', opset: 14, outputs: 1, inputs: [f32([5, 2, 8]), f32([1, 48, 8]), f32([1, 48, 16])] }, [[5, 1, 2, 16]]],
    ['omitted outputs get nothing', rnn('LSTM', [5, 2, 8], 8, 16, {}, { omitOutputs: [0, 2] }), [undefined, [1, 2, 16], undefined]],
  ];
  for (const [name, c, expected] of table) {
    it(name, () => assert.deepEqual(ruleShapes(rules, c), expected));
  }
});

describe('recurrent rules agree with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    rnn('LSTM', [5, 2, 8], 8, 16),
    // (onnxruntime's CPU kernels reject layout 1, so it is checked against the spec only.)
    rnn('LSTM', [5, 2, 8], 8, 16, { direction: 'bidirectional' }, { omitOutputs: [1] }),
    rnn('GRU', [4, 3, 6], 6, 10, { direction: 'bidirectional', linear_before_reset: 1 }),
    rnn('GRU', [3, 4, 6], 6, 10, {}, { omitOutputs: [0] }),
    rnn('RNN', [4, 3, 6], 6, 7, { direction: 'reverse' }),
  ];
  for (const c of cases) {
    it(`${c.op} ${JSON.stringify(c.attrs)}`, () => assertMatchesOrt(rules, c));
  }
});
