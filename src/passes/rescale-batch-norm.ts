/**
 * Rewrites a BatchNormalization's constant statistics into an equivalent set that fits float16.
 * Running variances of 10⁷ and more are common in trained CNNs (PP-OCRv4 det has 9.8·10⁷); clamped to
 * 65504 they would change the output completely. With s = scale / √(var + ε):
 *
 *   (x − mean) · scale / √(var + ε) + B  =  (x − 0) · s / √((1 − ε) + ε) + (B − mean · s)
 *
 * so scale' = s, B' = B − mean·s, mean' = 0, var' = 1 − ε: the same function, with every parameter
 * of the size of the layer's actual gain and offset. Leaves the node alone (returns false) unless all
 * four parameters are constants, the node is in inference mode and ε < 1.
 */
import type { Node } from '../ir/node.js';
import { makeTensor, readTensorAsFloat32, tensorDims } from '../ir/tensor-data.js';
import { DataType } from '../onnx/data-type.js';
import { addTensorConstant } from './add-tensor-constant.js';
import { constantTensor } from './constant-value.js';
import { dropIfUnused } from './rewrite.js';

const FLOAT16_MAX = 65504;

/** Whether any BatchNormalization parameter lies beyond the float16 range. */
export function batchNormNeedsRescale(node: Node): boolean {
  for (let i = 1; i <= 4; i++) {
    const t = constantTensor(node.inputs[i], { foldInitializerInputs: false });
    if (!t || t.data_type !== DataType.FLOAT) return false;
    if (readTensorAsFloat32(t).some((x) => Math.abs(x) > FLOAT16_MAX && Number.isFinite(x))) return true;
  }
  return false;
}

export function rescaleBatchNorm(node: Node): boolean {
  if (node.outputs.slice(1).some((v) => v)) return false;
  const epsilon = node.floatAttribute('epsilon', 1e-5);
  if (!(epsilon < 1)) return false;
  const tensors = [1, 2, 3, 4].map((i) => constantTensor(node.inputs[i], { foldInitializerInputs: false }));
  if (tensors.some((t) => !t || t.data_type !== DataType.FLOAT)) return false;
  const [scale, bias, mean, variance] = tensors.map((t) => readTensorAsFloat32(t!));
  const n = scale!.length;
  if (![bias, mean, variance].every((a) => a!.length === n)) return false;
  const s = new Float32Array(n);
  const b = new Float32Array(n);
  for (let c = 0; c < n; c++) {
    s[c] = scale![c]! / Math.sqrt(variance![c]! + epsilon);
    b[c] = bias![c]! - mean![c]! * s[c]!;
  }
  const dims = tensorDims(tensors[0]!);
  const graph = node.graph;
  const old = node.inputs.slice(1, 5);
  const base = node.name ?? node.outputs[0]?.name ?? 'batch_norm';
  const replacements = [s, b, new Float32Array(n), new Float32Array(n).fill(1 - epsilon)];
  const names = ['scale', 'bias', 'mean', 'var'];
  replacements.forEach((data, k) => {
    const value = addTensorConstant(graph, `${base}.${names[k]}_rescaled`, makeTensor('', DataType.FLOAT!, dims, data));
    node.setInput(k + 1, value);
  });
  for (const v of old) if (v) dropIfUnused(v, { foldInitializerInputs: false });
  return true;
}
