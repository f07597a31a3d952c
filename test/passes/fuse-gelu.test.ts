/**
 * fuse_gelu: Erf- and Tanh-based GELU in exporter orderings become Gelu (opset 20, raising when
 * allowed) or com.microsoft Gelu/FastGelu (--target onnxruntime); look-alikes, shared intermediates
 * and unreachable opsets are left alone; the transformer fixture and Magika.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { repoRoot } from '../support/corpus.js';
import { assertEquivalent, declinesOf, opCounts, runPasses, statsOf } from './pass-test-kit.js';

const PASS = 'fuse_gelu';
type Style = 'torch-erf' | 'erf-half-first' | 'tanh-pow' | 'tanh-cubed' | 'erf-wrong-constant';

/** x[3,16] → Add(bias) → GELU in the given style → Identity → y. */
function gelu(style: Style, opts: { opset?: number; leak?: boolean } = {}) {
  const b = new ModelBuilder({ opset: opts.opset ?? 20 });
  b.input('x', 'float32', [3, 16]);
  const h = b.node('Add', ['x', b.initializer('bias', 'float32', [16], Array.from({ length: 16 }, (_, i) => i / 16 - 0.5))], {}, { output: 'h' });
  const c = (v: number) => b.constant('float32', [], [v]);
  let y: string;
  let erf: string | undefined;
  switch (style) {
    case 'torch-erf':
    case 'erf-wrong-constant':
      erf = b.node('Erf', [b.node('Div', [h, c(style === 'torch-erf' ? 1.4142135381698608 : 2)])], {}, { output: 'erf' });
      y = b.node('Mul', [b.node('Mul', [h, b.node('Add', [erf, c(1)])]), c(0.5)]);
      break;
    case 'erf-half-first':
      erf = b.node('Erf', [b.node('Mul', [h, c(0.7071067690849304)])], {}, { output: 'erf' });
      y = b.node('Mul', [b.node('Mul', [h, c(0.5)]), b.node('Add', [c(1), erf])]);
      break;
    case 'tanh-pow': {
      const inner = b.node('Add', [h, b.node('Mul', [c(0.044715), b.node('Pow', [h, c(3)])])]);
      const t = b.node('Tanh', [b.node('Mul', [inner, c(0.7978845834732056)])]);
      y = b.node('Mul', [b.node('Mul', [c(0.5), h]), b.node('Add', [t, c(1)])]);
      break;
    }
    case 'tanh-cubed': {
      // Magika / jax2tf: x·(0.5·(1 + tanh(√(2/π)·(x + (0.044715·x)·x·x))))
      const cube = b.node('Mul', [h, b.node('Mul', [h, b.node('Mul', [c(0.044715), h])])]);
      const t = b.node('Tanh', [b.node('Mul', [c(0.7978845834732056), b.node('Add', [h, cube])])]);
      y = b.node('Mul', [h, b.node('Mul', [c(0.5), b.node('Add', [c(1), t])])]);
      break;
    }
  }
  b.node('Identity', [y], {}, { output: 'y' });
  b.output('y', 'float32');
  if (opts.leak && erf) b.output(erf, 'float32');
  return b.build();
}

const ELEMENTWISE = ['Erf', 'Tanh', 'Mul', 'Div', 'Pow'];

function assertOnlyGelu(ops: Record<string, number>, gelu: string): void {
  assert.equal(ops[gelu], 1, `one ${gelu} in ${JSON.stringify(ops)}`);
  for (const op of ELEMENTWISE) assert.equal(ops[op], undefined, `${op} left in ${JSON.stringify(ops)}`);
  assert.equal(ops.Add, 1, 'only the bias Add is left');
}

describe('fuse_gelu on built graphs', () => {
  for (const style of ['torch-erf', 'erf-half-first', 'tanh-pow', 'tanh-cubed'] as Style[]) {
    const approximate = style.startsWith('tanh') ? 'tanh' : undefined;
    test(`${style} at opset 20: Gelu${approximate ? "(approximate='tanh')" : ''}, outputs match`, async () => {
      const run = await runPasses(gelu(style), [PASS]);
      assertOnlyGelu(opCounts(run.model), 'Gelu');
      const node = run.model.graph.nodes.find((n) => n.opType === 'Gelu')!;
      assert.equal(node.stringAttribute('approximate'), approximate);
      assert.equal(node.inputs[0]!.name, 'h');
      await assertEquivalent(run);
    });

    test(`${style} at opset 17 with --target onnxruntime: com.microsoft ${approximate ? 'FastGelu' : 'Gelu'}`, async () => {
      const run = await runPasses(gelu(style, { opset: 17 }), [PASS], { target: 'onnxruntime' });
      assertOnlyGelu(opCounts(run.model), `com.microsoft::${approximate ? 'FastGelu' : 'Gelu'}`);
      assert.equal(run.model.opsetVersion('com.microsoft'), 1);
      assert.equal(run.model.opsetVersion(''), 17);
      await assertEquivalent(run);
    });
  }

  test('at opset 17 without options: declined, naming both ways to allow it', async () => {
    const run = await runPasses(gelu('torch-erf', { opset: 17 }), [PASS]);
    assert.equal(opCounts(run.model).Erf, 1);
    assert.match(declinesOf(run, PASS).join(), /Gelu needs opset 20 and the model is at opset 17 .*--target-opset 20.*; or allow com.microsoft Gelu with --target onnxruntime/);
  });

  test('at opset 17 with --target-opset 20: the opset is raised (IR too) and Gelu used', async () => {
    const run = await runPasses(gelu('tanh-pow', { opset: 17 }), [PASS], { targetOpset: 20 });
    assertOnlyGelu(opCounts(run.model), 'Gelu');
    assert.equal(run.model.opsetVersion(''), 20);
    assert.ok(run.model.irVersion >= 9);
    await assertEquivalent(run);
  });

  test('a look-alike with the wrong constant (x/2) is not GELU and stays', async () => {
    const run = await runPasses(gelu('erf-wrong-constant'), [PASS]);
    assert.equal(opCounts(run.model).Erf, 1);
    assert.equal(statsOf(run, PASS).applied, 0);
  });

  test('declines when the Erf output is also a graph output', async () => {
    const run = await runPasses(gelu('torch-erf', { leak: true }), [PASS]);
    assert.equal(opCounts(run.model).Erf, 1);
    assert.match(declinesOf(run, PASS).join(), /intermediate 'erf' is a graph output/);
  });
});

describe('fuse_gelu on the transformer fixture and Magika', () => {
  const transformer = path.join(repoRoot, 'fixtures', 'models', 'transformer_block.onnx');
  const shapes = { hidden_states: [2, 7, 64] };

  test('transformer_block with --target onnxruntime (opset 17): one com.microsoft Gelu, no Erf', async () => {
    const run = await runPasses(transformer, [PASS], { target: 'onnxruntime' });
    const ops = opCounts(run.model);
    assert.equal(ops['com.microsoft::Gelu'], 1);
    assert.equal(ops.Erf, undefined);
    assert.equal(run.model.opsetVersion(''), 17);
    await assertEquivalent(run, { shapes });
  });

  test('transformer_block with --target-opset 20: LayerNorm fused first, then Gelu-20', async () => {
    const alone = await runPasses(transformer, [PASS], { targetOpset: 20 });
    assert.match(declinesOf(alone, PASS).join(), /ReduceMean-18: its 'axes' attribute became an input/);
    const run = await runPasses(transformer, ['fuse_layer_norm', PASS], { targetOpset: 20 });
    const ops = opCounts(run.model);
    assert.equal(ops.Gelu, 1);
    assert.equal(ops.LayerNormalization, 2);
    assert.equal(ops.Erf, undefined);
    assert.equal(run.model.opsetVersion(''), 20);
    await assertEquivalent(run, { shapes });
  });

  test('Magika (tf2onnx, tanh GELU as x·x·x) with --target onnxruntime: two FastGelu, outputs match', async () => {
    const file = path.resolve(repoRoot, '..', 'shared', 'models', 'real', 'magika_standard_v3_3.onnx');
    const run = await runPasses(file, [PASS], { target: 'onnxruntime' });
    const ops = opCounts(run.model);
    assert.equal(ops['com.microsoft::FastGelu'], 2);
    assert.equal(ops.Tanh, undefined);
    await assertEquivalent(run, { shapes: { bytes: [2, 2048] }, runs: 1 });
  });
});
