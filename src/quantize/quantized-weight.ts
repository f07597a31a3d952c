/**
 * A constant float32 weight as the three constants a quantized op reads: the integer data, the
 * scale(s) and the zero point(s), added to the graph once per (weight, layout) and shared by every
 * reader. Weights are symmetric when int8 (zero point 0, what onnxruntime's integer kernels are
 * fastest with), asymmetric when uint8.
 */
import type { Graph } from '../ir/graph.js';
import { makeTensor, readTensorAsFloat32, tensorDims } from '../ir/tensor-data.js';
import type { Value } from '../ir/value.js';
import { DataType } from '../onnx/data-type.js';
import type { TensorProto } from '../onnx/proto-types.js';
import { addTensorConstant } from '../passes/add-tensor-constant.js';
import { quantizeWeights, type QuantizedWeights } from './quant-params.js';
import type { QuantType } from './quantize-options.js';

export interface QuantizedWeightValues {
  data: Value;
  scale: Value;
  zeroPoint: Value;
  /** The numbers, for callers that derive more (bias scales). */
  weights: QuantizedWeights;
  dims: number[];
  /** Channel axis, or undefined for one scale. */
  axis: number | undefined;
}

export function dtypeOf(type: QuantType): number {
  return type === 'uint8' ? DataType.UINT8! : DataType.INT8!;
}

/** Reads `tensor`, optionally transposes a 2-D weight, quantizes it and adds the constants to `graph`. */
export function addQuantizedWeight(
  graph: Graph,
  nameHint: string,
  tensor: TensorProto,
  options: { axis: number | undefined; type: QuantType; transpose2d?: boolean },
): QuantizedWeightValues {
  let values = readTensorAsFloat32(tensor, graph.model.source);
  let dims = tensorDims(tensor, graph.model.source);
  if (options.transpose2d) {
    const [rows, cols] = dims as [number, number];
    const t = new Float32Array(values.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = values[r * cols + c]!;
    values = t;
    dims = [cols, rows];
  }
  const symmetric = options.type === 'int8';
  const weights = quantizeWeights(values, dims, options.axis, options.type, symmetric);
  const dtype = dtypeOf(options.type);
  const perChannel = options.axis !== undefined;
  const channels = weights.scales.length;
  const data = addTensorConstant(graph, `${nameHint}_quantized`, makeTensor('', dtype, dims, weights.data));
  const scale = addTensorConstant(graph, `${nameHint}_scale`, makeTensor('', DataType.FLOAT!, perChannel ? [channels] : [], weights.scales));
  const zeroPoint = addTensorConstant(graph, `${nameHint}_zero_point`,
    makeTensor('', dtype, perChannel ? [channels] : [], options.type === 'uint8' ? Uint8Array.from(weights.zeroPoints) : Int8Array.from(weights.zeroPoints)));
  return { data, scale, zeroPoint, weights, dims, axis: options.axis };
}
