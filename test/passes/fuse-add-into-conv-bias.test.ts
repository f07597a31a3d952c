/**
 * fuse_add_into_conv_bias: a per-channel (or scalar) constant added after Conv/ConvTranspose moves
 * into its bias; other broadcasts, shared Conv outputs and non-constant biases are left alone.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { repoRoot } from '../support/corpus.js';
import { assertEquivalent, declinesOf, opCounts, runPasses, statsOf } from './pass-test-kit.js';

const PASS = 'fuse_add_into_conv_bias';

interface Variant {
  op?: 'Conv' | 'ConvTranspose';
  bias?: 'constant' | 'none' | 'input';
  combine?: 'Add' | 'Sub' | 'AddSwapped';
  constDims?: number[];
  convAlsoRead?: boolean;
}

/** x[1,3,5,5] → Conv (3 → 4 channels, 3×3) → Add/Sub constant → y. */
function convAdd(v: Variant = {}) {
  const { op = 'Conv', bias = 'constant', combine = 'Add', constDims = [4, 1, 1] } = v;
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [1, 3, 5, 5]);
  const wDims = op === 'Conv' ? [4, 3, 3, 3] : [3, 4, 3, 3];
  const w = b.initializer('w', 'float32', wDims, Array.from({ length: 108 }, (_, i) => Math.sin(i)));
  const inputs = ['x', w];
  if (bias === 'constant') inputs.push(b.initializer('b', 'float32', [4], [0.1, -0.2, 0.3, -0.4]));
  if (bias === 'input') inputs.push(b.input('b', 'float32', [4]));
  const conv = b.node(op, inputs, { kernel_shape: [3, 3] }, { output: 'conv_out' });
  const count = constDims.reduce((a, c) => a * c, 1);
  const c = b.initializer('c', 'float32', constDims, Array.from({ length: count }, (_, i) => 0.5 + i));
  const opType = combine === 'Sub' ? 'Sub' : 'Add';
  b.node(opType, combine === 'AddSwapped' ? [c, conv] : [conv, c], {}, { output: 'y' });
  b.output('y', 'float32');
  if (v.convAlsoRead) {
    b.node('Relu', [conv], {}, { output: 'side' });
    b.output('side', 'float32');
  }
  return b.build();
}

describe('fuse_add_into_conv_bias', () => {
  for (const [name, v] of Object.entries<Variant>({
    'Add of a [C,1,1] constant': {},
    'Add with the constant first, [1,C,1,1]': { combine: 'AddSwapped', constDims: [1, 4, 1, 1] },
    'Sub of a constant': { combine: 'Sub' },
    'Add of a scalar to a Conv without bias': { bias: 'none', constDims: [] },
    'ConvTranspose': { op: 'ConvTranspose' },
  })) {
    test(`${name}: folded into the bias, outputs match`, async () => {
      const run = await runPasses(convAdd(v), [PASS]);
      const ops = opCounts(run.model);
      assert.deepEqual(ops, { [v.op ?? 'Conv']: 1 });
      assert.equal(run.model.graph.lookup('y')?.producer?.opType, v.op ?? 'Conv');
      assert.equal(run.model.graph.initializers.length, 2, 'old bias and constant removed');
      await assertEquivalent(run);
    });
  }

  test('declines a constant that broadcasts along the width, not the channels', async () => {
    const run = await runPasses(convAdd({ constDims: [3] }), [PASS]);
    assert.equal(opCounts(run.model).Add, 1);
    assert.match(declinesOf(run, PASS).join(), /constant shape \[3\] is not per output channel/);
  });

  test('declines a constant that would raise the output rank', async () => {
    const run = await runPasses(convAdd({ constDims: [1, 1, 4, 1, 1] }), [PASS]);
    assert.equal(opCounts(run.model).Add, 1);
    assert.match(declinesOf(run, PASS).join(), /would raise the output rank 4/);
  });

  test('declines when the Conv output has another reader', async () => {
    const run = await runPasses(convAdd({ convAlsoRead: true }), [PASS]);
    assert.equal(opCounts(run.model).Add, 1);
    assert.match(declinesOf(run, PASS).join(), /also read by Relu/);
  });

  test('declines when the Conv bias is not a constant', async () => {
    const run = await runPasses(convAdd({ bias: 'input' }), [PASS]);
    assert.equal(opCounts(run.model).Add, 1);
    assert.match(declinesOf(run, PASS).join(), /Conv bias: 'b' is not a constant/);
  });

  test('PP-OCRv4 det: both Conv + constant Add pairs fused, outputs match', async () => {
    const file = path.join(repoRoot, 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_PP-OCRv4_det_infer.onnx');
    const run = await runPasses(file, [PASS]);
    assert.equal(statsOf(run, PASS).applied, 2);
    await assertEquivalent(run, { shapes: { x: [1, 3, 64, 64] }, runs: 1 });
  });
});
