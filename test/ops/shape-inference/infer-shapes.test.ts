import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MlserveError } from '../../../src/errors.js';
import { tensorTypeFromProto } from '../../../src/ir/tensor-type.js';
import { inferShapes } from '../../../src/ops/shape-inference/infer-shapes.js';
import { buildModel, inferModel, inferred } from './infer-model.js';

/** torch's `x.view(x.size(0), x.size(1), heads, -1)` as exported at opset 17. */
function torchView(b: Parameters<Parameters<typeof inferModel>[0]>[0]) {
  const x = b.input('x', 'float32', ['batch', 'seq', 512]);
  const shape = b.node('Shape', [x], {}, { output: 'shape' });
  const dim0 = b.node('Gather', [shape, b.constant('int64', [], [0])], { axis: 0 }, { output: 'dim0' });
  const dim1 = b.node('Gather', [shape, b.constant('int64', [], [1])], { axis: 0 }, { output: 'dim1' });
  const axes = b.constant('int64', [1], [0]);
  const target = b.node('Concat', [
    b.node('Unsqueeze', [dim0, axes]), b.node('Unsqueeze', [dim1, axes]), b.constant('int64', [2], [8, -1]),
  ], { axis: 0 }, { output: 'target' });
  const y = b.node('Reshape', [x, target], {}, { output: 'y' });
  b.output(b.node('Transpose', [y], { perm: [0, 2, 1, 3] }, { output: 'heads' }), 'float32');
}

describe('inferShapes: propagation', () => {
  it('follows torch shape arithmetic with symbols (Shape → Gather → Unsqueeze → Concat → Reshape)', () => {
    const r = inferModel(torchView);
    assert.deepEqual(r.value('target').inferred, { dtype: 7, shape: [4] });
    assert.deepEqual(r.shape('y'), ['batch', 'seq', 8, 64]);
    assert.deepEqual(r.shape('heads'), ['batch', 8, 'seq', 64]);
    assert.equal(r.report.coverage, 1);
    assert.equal(r.report.valuesCovered, r.report.valuesTotal);
    assert.deepEqual(r.report.knownValues.get(r.value('target')), ['batch', 'seq', 8, -1]);
    assert.deepEqual(r.report.knownValues.get(r.value('dim1')), ['seq']);
  });

  it('inputShapes replace the declared shape, and the arithmetic follows', () => {
    const r = inferModel(torchView, { inputShapes: new Map([['x', [2, 7, 512]]]) });
    assert.deepEqual(r.shape('heads'), [2, 8, 7, 64]);
    assert.deepEqual(r.value('x').inferred?.shape, [2, 7, 512]);
  });

  it('never writes declaredType', () => {
    const model = buildModel(torchView);
    const declared = model.graph.inputs[0]!.declaredType;
    const before = JSON.stringify(declared);
    inferShapes(model, { inputShapes: new Map([['x', [2, 7, 512]]]) });
    assert.equal(model.graph.inputs[0]!.declaredType, declared);
    assert.equal(JSON.stringify(declared), before);
    assert.deepEqual(tensorTypeFromProto(declared)?.shape, ['batch', 'seq', 512]);
  });

  it('a second run leaves no stale types behind', () => {
    const model = buildModel((b) => {
      const x = b.input('x', 'float32'); // rank not declared
      b.output(b.node('Relu', [x], {}, { output: 'y' }), 'float32');
    });
    assert.deepEqual(inferred(model, { inputShapes: new Map([['x', [3, 4]]]) }).shape('y'), [3, 4]);
    const second = inferred(model);
    assert.equal(second.shape('y'), undefined);
    assert.equal(second.report.coverage, 0);
  });

  it('names unnamed input dims, so ops downstream can say "the same length"', () => {
    const r = inferModel((b) => {
      const x = b.input('x', 'float32', [null, 4]);
      b.output(b.node('Add', [x, x], {}, { output: 'y' }), 'float32');
    });
    assert.deepEqual(r.shape('y'), ['x_dim0', 4]);
    assert.deepEqual(r.value('x').inferred?.shape, ['x_dim0', 4]);
  });

  it('inference wins over a declared value_info it disagrees with; declared dims fill what it cannot tell', () => {
    const r = inferModel((b) => {
      const x = b.input('x', 'float32', [2, 3]);
      const y = b.node('Relu', [x], {}, { output: 'y' });
      b.valueInfo(y, 'float32', [2, 'stale']);
      const z = b.node('Reshape', [y, b.input('dynamic_shape', 'int64', [2])], {}, { output: 'z' });
      b.valueInfo(z, 'float32', ['rows', 6]);
      b.output(b.node('Relu', [z], {}, { output: 'w' }), 'float32');
    });
    assert.deepEqual(r.value('y').inferred?.shape, [2, 3]);
    assert.deepEqual(r.value('z').inferred?.shape, [null, null]);
    // The engine carried the declared dims on: Relu after it has them.
    assert.deepEqual(r.shape('w'), ['rows', 6]);
  });

  it('follows a model-local function call through its body', () => {
    const r = inferred(buildModel((b) => {
      const fn = b.function('custom', 'Widen', {});
      const x = fn.input('x');
      fn.output(fn.node('Concat', [x, x], { axis: fn.ref('axis', 'int') }, { output: 'y' }));
      const input = b.input('input', 'float32', ['N', 4]);
      b.output(b.node('Widen', [input], { axis: 1 }, { domain: 'custom', output: 'out' }), 'float32');
    }, { irVersion: 10 }));
    assert.deepEqual(r.type('out'), { dtype: 1, shape: ['N', 8] });
  });
});

describe('inferShapes: what it cannot do is reported, not thrown', () => {
  it('an op without a rule is a root cause; what depends on it is not', () => {
    const r = inferModel((b) => {
      const x = b.input('x', 'float32', [1, 4]);
      const y = b.node('Mystery', [x], {}, { domain: 'com.example', output: 'y' });
      b.output(b.node('Relu', [y], {}, { output: 'z' }), 'float32');
      b.output(b.node('Relu', [x], {}, { output: 'ok' }), 'float32');
    }, { opsetImports: { 'com.example': 1 } });
    assert.deepEqual(r.report.missingRules, [{ op: 'com.example::Mystery', nodes: 1 }]);
    const byValue = Object.fromEntries(r.report.unknown.map((u) => [u.value, u]));
    assert.equal(byValue.y?.rootCause, true);
    assert.match(byValue.y!.reason, /no rule for com\.example::Mystery/);
    assert.equal(byValue.z?.rootCause, false);
    assert.match(byValue.z!.reason, /input 'y'/);
    assert.equal(byValue.ok, undefined);
    assert.equal(r.report.valuesTotal, 3);
    assert.equal(r.report.valuesCovered, 1);
    assert.equal(r.report.coverage, 1 / 3);
  });

  it('a rule that throws is recorded with its message and the rest of the graph is still inferred', () => {
    const r = inferModel((b) => {
      const x = b.input('x', 'float32', [2, 3]);
      const bad = b.node('Add', [x, b.input('y', 'float32', [4])], {}, { output: 'bad' });
      b.output(bad, 'float32');
      b.output(b.node('Sigmoid', [x], {}, { output: 'fine' }), 'float32');
    });
    const bad = r.report.unknown.find((u) => u.value === 'bad');
    assert.match(bad?.reason ?? '', /Add rule failed: dims 3 and 4 do not broadcast/);
    assert.deepEqual(r.shape('fine'), [2, 3]);
  });
});

describe('inferShapes: input shape overrides are checked', () => {
  const cases: [string, [string, number[]], RegExp][] = [
    ['an unknown input name', ['nope', [1]], /no input of that name \(inputs: x\)/],
    ['the wrong rank', ['x', [1, 2]], /has rank 3/],
    ['a clash with a fixed dim', ['x', [1, 2, 256]], /dim 2 of the input is fixed at 512/],
  ];
  for (const [name, [input, dims], message] of cases) {
    it(name, () => {
      const model = buildModel(torchView);
      assert.throws(() => inferShapes(model, { inputShapes: new Map([[input, dims]]) }),
        (e: unknown) => e instanceof MlserveError && e.code === 'MLS_ERR_INVALID_ARGUMENT' && message.test(e.message));
    });
  }

  it('inputValues naming no input is an error too', () => {
    assert.throws(() => inferShapes(buildModel(torchView), { inputValues: new Map([['sr', [16000]]]) }),
      (e: unknown) => e instanceof MlserveError && /no input of that name/.test(e.message));
  });
});
