import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GraphBuilder, ModelBuilder } from '../../../src/ir/model-builder.js';
import type { Model } from '../../../src/ir/model.js';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { encodeModel } from '../../../src/onnx/codec.js';
import { createSession, ort } from '../../../src/runtime/ort-session.js';
import { inferModel, inferred } from './infer-model.js';

/** If over `cond`: then-branch y = x·x, else-branch y = op(x) (shapes chosen per test). */
function ifModel(elseOp: (g: GraphBuilder, x: string) => string, xShape: Dim[] = ['N', 4]) {
  return (b: ModelBuilder) => {
    const x = b.input('x', 'float32', xShape);
    const cond = b.input('cond', 'bool', []);
    const then = b.subgraph('then');
    then.output(then.node('Mul', [x, x], {}, { output: 'then_y' }));
    const otherwise = b.subgraph('else');
    otherwise.output(elseOp(otherwise, x));
    b.output(b.node('If', [cond], { then_branch: then, else_branch: otherwise }, { output: 'y' }), 'float32');
  };
}

describe('If', () => {
  it('equal branch shapes are kept', () => {
    const r = inferModel(ifModel((g, x) => g.node('Neg', [x], {}, { output: 'else_y' })));
    assert.deepEqual(r.shape('y'), ['N', 4]);
  });

  it('a dim the branches disagree on becomes a fresh symbol', () => {
    const r = inferModel(ifModel((g, x) => g.node('Concat', [x, x], { axis: 1 }, { output: 'else_y' })));
    const [n, d] = r.shape('y')!;
    assert.equal(n, 'N');
    assert.equal(typeof d, 'string');
    assert.notEqual(d, 'N');
    assert.equal(r.report.coverage, 1);
  });

  it('different ranks leave the rank unknown, with the reason', () => {
    const r = inferModel(ifModel((g, x) => g.node('Unsqueeze', [x, g.constant('int64', [1], [0])], {}, { output: 'else_y' })));
    assert.equal(r.shape('y'), undefined);
    assert.match(r.report.unknown.find((u) => u.value === 'y')?.reason ?? '', /ranks 2 and 3/);
  });

  it('a known condition picks its branch (inputValues, or a constant)', () => {
    const build = ifModel((g, x) => g.node('Unsqueeze', [x, g.constant('int64', [1], [0])], {}, { output: 'else_y' }));
    assert.deepEqual(inferModel(build, { inputValues: new Map([['cond', [0]]]) }).shape('y'), [1, 'N', 4]);
    assert.deepEqual(inferModel(build, { inputValues: new Map([['cond', [1]]]) }).shape('y'), ['N', 4]);
  });

  it('values inside the branches are typed and counted', () => {
    const r = inferModel(ifModel((g, x) => g.node('Relu', [g.node('Neg', [x]), ], {}, { output: 'else_y' })));
    assert.equal(r.report.valuesTotal, 4);
    assert.equal(r.report.valuesCovered, 4);
    assert.deepEqual(r.shape('then_y'), ['N', 4]);
  });
});

/** Loop: acc = concat(acc, x) along axis 0 each iteration; scan output = sum of acc per iteration. */
function growingLoop(tripCount: (b: ModelBuilder, x: string) => string, withCond: boolean) {
  return (b: ModelBuilder) => {
    const x = b.input('x', 'float32', ['N', 4]);
    const body = b.subgraph('body');
    body.input('i', 'int64', []);
    const condIn = body.input('cond_in', 'bool', []);
    const accIn = body.input('acc_in', 'float32');
    const acc = body.node('Concat', [accIn, x], { axis: 0 }, { output: 'acc_out' });
    body.output(body.node('Identity', [condIn], {}, { output: 'cond_out' }));
    body.output(acc);
    body.output(body.node('ReduceSum', [acc, body.constant('int64', [1], [0])], { keepdims: 0 }, { output: 'row' }));
    const cond = withCond ? b.constant('bool', [], [true]) : '';
    const [final, rows] = b.node('Loop', [tripCount(b, x), cond, x], { body }, { outputs: ['final', 'rows'] });
    b.output(final!, 'float32');
    b.output(rows!, 'float32');
  };
}

describe('Loop', () => {
  it('a known trip count stacks the scan outputs; a growing carried dim is generalised', () => {
    const r = inferModel(growingLoop((b) => b.constant('int64', [], [3]), true));
    assert.deepEqual(r.shape('rows'), [3, 4]);
    const [rows, width] = r.shape('final')!;
    assert.equal(typeof rows, 'string');
    assert.equal(width, 4);
    // The body was inferred again with the widened type, so its values hold for every iteration,
    // and the widening settled on one symbol: the body's input has the loop's final type.
    assert.deepEqual(r.shape('acc_in'), r.shape('final'));
    assert.deepEqual(r.shape('acc_out'), [`${rows}+N`, 4]);
    assert.equal(r.report.coverage, 1);
  });

  it('a trip count read from a shape is that symbol', () => {
    const r = inferModel(growingLoop((b, x) => b.node('Gather', [b.node('Shape', [x]), b.constant('int64', [], [0])]), false));
    assert.deepEqual(r.shape('rows'), ['N', 4]);
  });

  it('an unknown trip count gets a symbol', () => {
    const r = inferModel(growingLoop((b) => b.input('m', 'int64', []), true));
    const [count, width] = r.shape('rows')!;
    assert.equal(typeof count, 'string');
    assert.equal(width, 4);
  });

  it('body inputs get the iteration number, the condition and the carried types', () => {
    const r = inferModel(growingLoop((b) => b.constant('int64', [], [3]), true));
    assert.deepEqual(r.type('i'), { dtype: 7, shape: [] });
    assert.deepEqual(r.type('cond_in'), { dtype: 9, shape: [] });
  });
});

/** Scan: running sum over the sequence axis of `seq`, emitting each partial sum. */
function scanModel(inputAxis: number, outputAxis: number) {
  return (b: ModelBuilder) => {
    const init = b.input('init', 'float32', [4]);
    const seq = b.input('seq', 'float32', inputAxis === 0 ? ['S', 4] : [4, 'S']);
    const body = b.subgraph('body');
    const state = body.input('state', 'float32', [4]);
    const item = body.input('item', 'float32', [4]);
    const sum = body.node('Add', [state, item], {}, { output: 'sum' });
    body.output(sum);
    body.output(body.node('Identity', [sum], {}, { output: 'emitted' }));
    const [last, all] = b.node('Scan', [init, seq], {
      body, num_scan_inputs: 1, scan_input_axes: [inputAxis], scan_output_axes: [outputAxis],
    }, { outputs: ['last', 'all'] });
    b.output(last!, 'float32');
    b.output(all!, 'float32');
  };
}

describe('Scan', () => {
  it('states keep their type; scan outputs gain the sequence length', () => {
    const r = inferModel(scanModel(0, 0));
    assert.deepEqual(r.shape('last'), [4]);
    assert.deepEqual(r.shape('all'), ['S', 4]);
  });

  it('scan_input_axes and scan_output_axes', () => {
    const r = inferModel(scanModel(1, 1));
    assert.deepEqual(r.shape('all'), [4, 'S']);
  });
});

/** Runs the model in onnxruntime and checks every output dim inference claims as a number. */
async function assertOutputsMatchOrt(model: Model, feeds: Record<string, ort.Tensor>): Promise<void> {
  const session = await createSession(encodeModel(model.toProto()));
  try {
    const results = await session.run(feeds);
    for (const v of model.graph.outputs) {
      const got = results[v.name]!;
      const shape = v.type?.shape;
      assert.ok(shape, `${v.name} has a shape`);
      assert.equal(shape.length, got.dims.length, `${v.name}: rank`);
      shape.forEach((d, i) => { if (typeof d === 'number') assert.equal(d, got.dims[i], `${v.name}: dim ${i}`); });
    }
  } finally {
    await session.release();
  }
}

const floats = (dims: number[]) => new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);

describe('control flow agrees with onnxruntime', () => {
  it('If with a known condition', async () => {
    const r = inferModel(ifModel((g, x) => g.node('Unsqueeze', [x, g.constant('int64', [1], [0])], {}, { output: 'else_y' })),
      { inputShapes: new Map([['x', [3, 4]]]), inputValues: new Map([['cond', [0]]]) });
    assert.deepEqual(r.shape('y'), [1, 3, 4]);
    await assertOutputsMatchOrt(r.model, { x: floats([3, 4]), cond: new ort.Tensor('bool', new Uint8Array([0]), []) });
  });

  it('Loop with a known trip count', async () => {
    const r = inferModel(growingLoop((b) => b.constant('int64', [], [3]), true), { inputShapes: new Map([['x', [2, 4]]]) });
    assert.deepEqual(r.shape('rows'), [3, 4]);
    await assertOutputsMatchOrt(r.model, { x: floats([2, 4]) });
  });

  it('Scan over axis 1', async () => {
    const r = inferred(inferModel(scanModel(1, 1)).model, { inputShapes: new Map([['seq', [4, 5]]]) });
    assert.deepEqual(r.shape('all'), [4, 5]);
    await assertOutputsMatchOrt(r.model, { init: floats([4]), seq: floats([4, 5]) });
  });
});
