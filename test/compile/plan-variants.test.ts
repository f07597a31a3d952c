/**
 * Variant planning as a table: batch axes found by symbol or leading symbolic dim, every other dim
 * fixed from --fix-dim or --input-shape (whose batch axis each variant replaces), unfixed dims and a
 * fixed batch named as errors, and batch sizes a model cannot take skipped with a reason.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { batchAxes, planVariants, type VariantRequest } from '../../src/compile/plan-variants.js';
import { MlserveError } from '../../src/errors.js';
import type { InputSpec } from '../../src/runtime/random-inputs.js';

const FLOAT = 1;
const INT64 = 7;
const REC: InputSpec[] = [{ name: 'x', dtype: FLOAT, shape: ['p2o.DynamicDimension.0', 3, 48, 'p2o.DynamicDimension.1'] }];
const SILERO: InputSpec[] = [
  { name: 'input', dtype: FLOAT, shape: ['batch', 'samples'] },
  { name: 'sr', dtype: INT64, shape: [] },
  { name: 'h', dtype: FLOAT, shape: [2, 'batch', 64] },
];

const request = (r: Partial<VariantRequest> & { inputs: InputSpec[] }): VariantRequest =>
  ({ providers: ['cpu'], batchSizes: [1], precisions: ['fp32'], file: 'm.onnx', ...r });

function code(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return e instanceof MlserveError ? `${e.code}: ${e.message}` : `not an MlserveError: ${String(e)}`;
  }
}

describe('planVariants', () => {
  test('provider × batch × precision, provider-major, batch sizes sorted and deduplicated; W fixed by --fix-dim', () => {
    const plan = planVariants(request({ inputs: REC, providers: ['cpu', 'wasm'], batchSizes: [4, 1, 2, 4], fixDims: { 'p2o.DynamicDimension.1': 320 } }));
    assert.deepEqual(plan.variants.map((v) => v.id), ['cpu-fp32-b1', 'cpu-fp32-b2', 'cpu-fp32-b4', 'wasm-fp32-b1', 'wasm-fp32-b2', 'wasm-fp32-b4']);
    assert.deepEqual(plan.variants.map((v) => v.inputs['x']), [1, 2, 4, 1, 2, 4].map((b) => [b, 3, 48, 320]));
    assert.deepEqual(plan.variants[0]!.batchAxes, { x: 0 });
    assert.equal(plan.variants[5]!.file, 'variants/wasm-fp32-b4.onnx');
    assert.equal(plan.batchSymbol, 'p2o.DynamicDimension.0');
    assert.deepEqual(plan.skipped, []);
  });

  test('--input-shape gives the whole shape; its batch axis is replaced by each batch size', () => {
    const plan = planVariants(request({ inputs: REC, batchSizes: [1, 8], inputShapes: new Map([['x', [1, 3, 48, 160]]]) }));
    assert.deepEqual(plan.variants.map((v) => v.inputs['x']), [[1, 3, 48, 160], [8, 3, 48, 160]]);
  });

  test('a dim other than the batch left without a size is MLS_ERR_SHAPE_UNFIXED naming the input and the dim', () => {
    assert.match(code(() => planVariants(request({ inputs: REC }))), /^MLS_ERR_SHAPE_UNFIXED: m\.onnx: input 'x' \[p2o\.DynamicDimension\.0,3,48,p2o\.DynamicDimension\.1\] has dims with no size \('p2o\.DynamicDimension\.1'\)/);
    assert.match(code(() => planVariants(request({ inputs: [{ name: 'y', dtype: FLOAT, shape: ['n', null] }] }))), /^MLS_ERR_SHAPE_UNFIXED: .*\(axis 1\)/);
  });

  test('--batch-dim finds the batch wherever an input has it; inputs without it keep their shape', () => {
    assert.deepEqual(batchAxes(SILERO, 'batch'), { input: 0, h: 1 });
    const plan = planVariants(request({ inputs: SILERO, batchDim: 'batch', batchSizes: [2], fixDims: { samples: 512 } }));
    assert.deepEqual(plan.variants[0]!.inputs, { input: [2, 512], sr: [], h: [2, 2, 64] });
    assert.deepEqual(plan.variants[0]!.batchAxes, { input: 0, h: 1 });
    assert.match(code(() => batchAxes(SILERO, 'nope')), /^MLS_ERR_INVALID_ARGUMENT: --batch-dim 'nope': no input has a dim named 'nope' \(inputs: input \[batch,samples\], sr \[\], h \[2,batch,64\]\)/);
  });

  test('without --batch-dim only a symbolic leading dim is a batch dim', () => {
    assert.deepEqual(batchAxes(SILERO), { input: 0 });
    assert.deepEqual(batchAxes([{ name: 'a', dtype: FLOAT, shape: [null, 3] }, { name: 'b', dtype: FLOAT, shape: [1, 'n'] }]), { a: 0 });
  });

  test('a model with no batch dim gets its batch-1 variant; other sizes are skipped with the reason', () => {
    const plan = planVariants(request({ inputs: [{ name: 'x', dtype: FLOAT, shape: [1, 3, 224, 224] }], providers: ['cpu', 'wasm'], batchSizes: [1, 4] }));
    assert.deepEqual(plan.variants.map((v) => v.id), ['cpu-fp32-b1', 'wasm-fp32-b1']);
    assert.deepEqual(plan.variants[0]!.inputs, { x: [1, 3, 224, 224] });
    assert.deepEqual(plan.skipped.map((s) => `${s.provider} b${s.batchSize}`), ['cpu b4', 'wasm b4']);
    assert.match(plan.skipped[0]!.reason, /no input has a symbolic leading \(batch\) dim/);
  });

  test('--fix-dim on the batch dim itself is refused: --batch sets it', () => {
    assert.match(code(() => planVariants(request({ inputs: REC, fixDims: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 320 } }))),
      /^MLS_ERR_INVALID_ARGUMENT: --fix-dim 'p2o\.DynamicDimension\.0=1': 'p2o\.DynamicDimension\.0' is the batch dim/);
  });
});
