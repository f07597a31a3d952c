/**
 * fuse_layer_norm: the decomposed LayerNorm in its exporter variants becomes LayerNormalization;
 * other normalizations (non-trailing or whole-tensor axes), shared intermediates and models that
 * cannot reach opset 17 are left alone with the reason; the transformer fixture and real models.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { repoRoot } from '../support/corpus.js';
import { assertEquivalent, declinesOf, opCounts, runPasses, statsOf } from './pass-test-kit.js';

const PASS = 'fuse_layer_norm';

interface Variant {
  opset?: number;
  square?: 'Pow' | 'Mul';
  divide?: 'Div' | 'Reciprocal';
  gamma?: 'constant' | 'input' | 'none' | 'broadcast';
  beta?: boolean;
  axes?: number[];
  secondAxes?: number[];
  keepdims?: number;
  xShape?: number[];
  /** The centred value d is also a graph output, or read inside an If branch. */
  leak?: 'output' | 'subgraph';
  /** An extra Squeeze with an `axes` attribute (changes meaning at opset 13). */
  squeezeAttr?: boolean;
}

/** x[2,5,8] → decomposed LayerNorm over the last axis (by default) → y. */
function layerNorm(v: Variant = {}) {
  const { opset = 17, square = 'Pow', divide = 'Div', gamma = 'constant', beta = true, axes = [-1], keepdims = 1 } = v;
  const b = new ModelBuilder({ opset });
  b.input('x', 'float32', v.xShape ?? [2, 5, 8]);
  const reduce = (input: string, ax: number[]) => (opset >= 18
    ? b.node('ReduceMean', [input, b.constant('int64', [ax.length], ax)], { keepdims })
    : b.node('ReduceMean', [input], { axes: ax, keepdims }));
  const mean = reduce('x', axes);
  const d = b.node('Sub', ['x', mean], {}, { output: 'd' });
  const sq = square === 'Pow' ? b.node('Pow', [d, b.constant('float32', [], [2])]) : b.node('Mul', [d, d]);
  const variance = reduce(sq, v.secondAxes ?? axes);
  const std = b.node('Sqrt', [b.node('Add', [variance, b.constant('float32', [], [1e-5])])]);
  let y = divide === 'Div' ? b.node('Div', [d, std]) : b.node('Mul', [b.node('Reciprocal', [std]), d]);
  if (gamma === 'constant') y = b.node('Mul', [y, b.initializer('gamma', 'float32', [8], [1, 2, 3, 4, 5, 6, 7, 8].map((i) => 0.5 + i / 10))]);
  if (gamma === 'broadcast') y = b.node('Mul', [b.initializer('gamma', 'float32', [1, 1, 1], [1.5]), y]);
  if (gamma === 'input') y = b.node('Mul', [y, b.input('gamma', 'float32', [8])]);
  if (beta) y = b.node('Add', [b.initializer('beta', 'float32', [1, 8], [0, 1, 2, 3, 4, 5, 6, 7].map((i) => i / 20)), y]);
  if (v.squeezeAttr) y = b.node('Squeeze', [b.node('Unsqueeze', [y], { axes: [0] })], { axes: [0] });
  if (v.leak === 'subgraph') {
    b.input('flag', 'bool', []);
    const then = b.subgraph('then');
    then.node('Neg', [d], {}, { output: 'then_out' });
    then.output('then_out', 'float32');
    const otherwise = b.subgraph('else');
    otherwise.node('Identity', [y], {}, { output: 'else_out' });
    otherwise.output('else_out', 'float32');
    b.output(b.node('If', ['flag'], { then_branch: then, else_branch: otherwise }, { output: 'z' }), 'float32');
  }
  b.node('Identity', [y], {}, { output: 'y' });
  b.output('y', 'float32');
  if (v.leak === 'output') b.output(d, 'float32');
  return b.build();
}

describe('fuse_layer_norm on built graphs', () => {
  for (const [name, v] of Object.entries<Variant>({
    'torch style (Pow, Div, γ, β)': {},
    'Mul(d, d) and Mul(Reciprocal(σ), d)': { square: 'Mul', divide: 'Reciprocal' },
    'no γ, no β': { gamma: 'none', beta: false },
    'γ a scalar-like [1,1,1] constant (expanded to [8])': { gamma: 'broadcast' },
    'γ a graph input of the normalized shape': { gamma: 'input' },
    'opset 18: axes as a constant input': { opset: 18 },
    'two trailing axes': { axes: [1, 2] },
  })) {
    test(`${name}: one LayerNormalization, outputs match`, async () => {
      const run = await runPasses(layerNorm(v), [PASS]);
      const ops = opCounts(run.model);
      assert.equal(ops.LayerNormalization, 1);
      for (const op of ['ReduceMean', 'Sub', 'Pow', 'Sqrt', 'Div', 'Reciprocal', 'Mul', 'Add']) assert.equal(ops[op], undefined, `${op} left`);
      const ln = run.model.graph.nodes.find((n) => n.opType === 'LayerNormalization')!;
      assert.equal(ln.intAttribute('axis'), -(v.axes?.length ?? 1));
      assert.ok(Math.abs(ln.floatAttribute('epsilon', 0) - 1e-5) < 1e-10);
      assert.equal(ln.inputs.length, v.beta === false ? 2 : 3);
      await assertEquivalent(run, { shapes: { x: [2, 5, 8], gamma: [8] } });
    });
  }

  test('below opset 17 without --target-opset: declined, saying how to allow it', async () => {
    const run = await runPasses(layerNorm({ opset: 16 }), [PASS]);
    assert.equal(opCounts(run.model).LayerNormalization, undefined);
    assert.match(declinesOf(run, PASS).join(), /needs opset 17 and the model is at opset 16 \(raising it needs --target-opset 17 or higher\)/);
  });

  test('below opset 17 with --target-opset 17: the opset is raised and the pattern fused', async () => {
    const run = await runPasses(layerNorm({ opset: 16 }), [PASS], { targetOpset: 17 });
    assert.equal(opCounts(run.model).LayerNormalization, 1);
    assert.equal(run.model.opsetVersion(''), 17);
    await assertEquivalent(run, { shapes: { x: [2, 5, 8] } });
  });

  test('a node whose meaning changes on the way blocks the raise', async () => {
    const run = await runPasses(layerNorm({ opset: 12, squeezeAttr: true }), [PASS], { targetOpset: 17 });
    assert.equal(opCounts(run.model).LayerNormalization, undefined);
    assert.equal(run.model.opsetVersion(''), 12);
    assert.match(declinesOf(run, PASS).join(), /raising from 12 is blocked: .*Unsqueeze-13: its 'axes' attribute became an input/);
  });

  test('declines non-trailing axes (instance-norm style)', async () => {
    const run = await runPasses(layerNorm({ axes: [1] }), [PASS]);
    assert.equal(opCounts(run.model).ReduceMean, 2);
    assert.match(declinesOf(run, PASS).join(), /normalizes axes \[1\] of a rank-3 input; LayerNormalization normalizes trailing axes/);
  });

  test('declines a whole-tensor norm (every axis, batch included)', async () => {
    const run = await runPasses(layerNorm({ axes: [0, 1, 2] }), [PASS]);
    assert.match(declinesOf(run, PASS).join(), /including axis 0: a whole-tensor norm/);
  });

  test('declines when the two means reduce different axes', async () => {
    const run = await runPasses(layerNorm({ axes: [-1], secondAxes: [1, 2] }), [PASS]);
    assert.match(declinesOf(run, PASS).join(), /reduce different axes \(\[2\] and \[1,2\]\)/);
  });

  test('declines keepdims=0 (the mean would broadcast along the wrong axes)', async () => {
    // x[4,4,4]: the mean over the last axis without keepdims is [4,4], which Sub lines up with axes 1 and 2.
    const run = await runPasses(layerNorm({ keepdims: 0, xShape: [4, 4, 4], gamma: 'none', beta: false }), [PASS]);
    assert.match(declinesOf(run, PASS).join(), /ReduceMean_0 \(ReduceMean\) has keepdims=0/);
  });

  test('declines when the centred value is also a graph output', async () => {
    const run = await runPasses(layerNorm({ leak: 'output' }), [PASS]);
    assert.equal(opCounts(run.model).LayerNormalization, undefined);
    assert.match(declinesOf(run, PASS).join(), /intermediate 'd' is a graph output/);
  });

  test('declines when the centred value is read inside a subgraph', async () => {
    const run = await runPasses(layerNorm({ leak: 'subgraph' }), [PASS]);
    assert.equal(opCounts(run.model).LayerNormalization, undefined);
    assert.match(declinesOf(run, PASS).join(), /intermediate 'd' is also read by Neg_\d+ \(Neg\) inside a subgraph/);
  });
});

/**
 * The JAX/TF form (Magika): means as ReduceSum·(1/n) without keepdims, variance as
 * max(0, mean(x²) − μ²), broadcast back with Unsqueeze / Reshape+Expand, γ folded into 1/σ.
 */
function jaxLayerNorm(opts: { gammaShape?: number[] } = {}) {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', ['batch', 16]);
  const axes = b.constant('int64', [1], [1]);
  const mean = (v: string) => b.node('Mul', [b.node('ReduceSum', [v, axes], { keepdims: 0 }), b.constant('float32', [], [1 / 16])]);
  const mu = mean('x');
  const ex2 = mean(b.node('Mul', ['x', 'x']));
  const variance = b.node('Max', [b.constant('float32', [], [0]), b.node('Sub', [ex2, b.node('Mul', [mu, mu])])]);
  const target = b.node('Concat', [b.node('Slice', [b.node('Shape', ['x']), b.constant('int64', [1], [0]), b.constant('int64', [1], [1])]), b.constant('int64', [1], [1])], { axis: 0 });
  const varianceKept = b.node('Expand', [b.node('Reshape', [variance, target]), target]);
  const inverse = b.node('Reciprocal', [b.node('Sqrt', [b.node('Add', [varianceKept, b.constant('float32', [], [1e-6])])])]);
  const gammaShape = opts.gammaShape ?? [1, 16];
  const gammaCount = gammaShape.reduce((a, c) => a * c, 1);
  const scaled = b.node('Mul', [inverse, b.initializer('gamma', 'float32', gammaShape, Array.from({ length: gammaCount }, (_, i) => 1 + i / 32))]);
  const centred = b.node('Sub', ['x', b.node('Unsqueeze', [mu, axes])]);
  b.node('Add', [b.node('Mul', [centred, scaled]), b.initializer('beta', 'float32', [1, 16], Array.from({ length: 16 }, (_, i) => i / 40))], {}, { output: 'y' });
  b.output('y', 'float32');
  return b.build();
}

describe('fuse_layer_norm, JAX/TF form', () => {
  test('ReduceSum·(1/n), max(0, E[x²] − μ²), Reshape/Expand/Unsqueeze, γ in 1/σ: one LayerNormalization, outputs match', async () => {
    const run = await runPasses(jaxLayerNorm(), [PASS]);
    assert.deepEqual(opCounts(run.model), { LayerNormalization: 1 });
    await assertEquivalent(run, { shapes: { x: [3, 16] } });
  });

  test('declines when γ folded into 1/σ does not have the normalized shape', async () => {
    const run = await runPasses(jaxLayerNorm({ gammaShape: [3, 16] }), [PASS]);
    assert.equal(opCounts(run.model).LayerNormalization, undefined);
    assert.match(declinesOf(run, PASS).join(), /γ 'gamma' does not have the normalized shape \[16\]/);
  });
});

describe('fuse_layer_norm on the transformer fixture and real models', () => {
  test('transformer_block: both LayerNorms fused, no ReduceMean left, outputs match', async () => {
    const run = await runPasses(path.join(repoRoot, 'fixtures', 'models', 'transformer_block.onnx'), [PASS]);
    const ops = opCounts(run.model);
    assert.equal(ops.LayerNormalization, 2);
    assert.equal(ops.ReduceMean, undefined);
    assert.equal(ops.Sqrt, undefined);
    assert.equal(statsOf(run, PASS).applied, 2);
    // The last LayerNorm produces the model's output under its name.
    assert.equal(run.model.graph.outputs[0]!.producer?.opType, 'LayerNormalization');
    await assertEquivalent(run, { shapes: { hidden_states: [2, 7, 64] } });
  });

  test('person-reidentification-retail-0288: its whole-tensor norms are not mistaken for LayerNorm', async () => {
    const run = await runPasses(path.resolve(repoRoot, '..', 'shared', 'models', 'real', 'person-reidentification-retail-0288.onnx'), [PASS], { targetOpset: 17 });
    assert.equal(opCounts(run.model).LayerNormalization, undefined);
    assert.equal(statsOf(run, PASS).declined, 9);
    for (const reason of declinesOf(run, PASS)) assert.match(reason, /including axis 0: a whole-tensor norm/);
  });

  test('Magika (tf2onnx from JAX, opset 15) with --target-opset 17: the last-axis LayerNorm fused, the axis-1 one left', async () => {
    const file = path.resolve(repoRoot, '..', 'shared', 'models', 'real', 'magika_standard_v3_3.onnx');
    const run = await runPasses(file, [PASS], { targetOpset: 17 });
    assert.equal(opCounts(run.model).LayerNormalization, 1);
    assert.equal(run.model.opsetVersion(''), 17);
    assert.match(declinesOf(run, PASS).join(), /normalizes axes \[1\] of a rank-3 input/);
    await assertEquivalent(run, { shapes: { bytes: [2, 2048] }, runs: 1 });
  });

  test('PP-OCRv4 rec (opset 9): its five LayerNorms decline, naming what blocks opset 17', async () => {
    const file = path.join(repoRoot, 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_PP-OCRv4_rec_infer.onnx');
    const run = await runPasses(file, [PASS], { targetOpset: 17 });
    assert.equal(statsOf(run, PASS).declined, 5);
    assert.match(declinesOf(run, PASS)[0]!, /raising from 9 is blocked: .*\(Clip-11: its 'min' attribute became an input\)/);
  });
});
