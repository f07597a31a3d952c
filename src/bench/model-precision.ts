/**
 * The precision to report for a plain model file (a bundle's variants carry theirs): int8 when it has
 * quantized compute (QLinear*, *Integer, DequantizeLinear on weights), fp16 when most floating-point
 * weight bytes are float16, else fp32.
 */
import type { Model } from '../ir/model.js';
import { declaredElementCount } from '../onnx/tensor-size-check.js';

const FLOAT = 1;
const FLOAT16 = 10;

const QUANTIZED = /^(QLinear|DynamicQuantize|MatMulInteger|ConvInteger|DequantizeLinear$)/;

export function modelPrecision(model: Model): 'fp32' | 'fp16' | 'int8' {
  let fp16 = 0;
  let fp32 = 0;
  for (const graph of model.graph.allGraphs()) {
    if (graph.nodes.some((n) => QUANTIZED.test(n.opType))) return 'int8';
    for (const v of graph.initializers) {
      const t = v.initializer!;
      if (t.data_type === FLOAT16) fp16 += 2 * declaredElementCount(t);
      else if (t.data_type === FLOAT) fp32 += 4 * declaredElementCount(t);
    }
  }
  return fp16 > fp32 ? 'fp16' : 'fp32';
}
