/**
 * The content of a small constant tensor (initializer or Constant node) as a KnownValue, so shape
 * arithmetic written against constants — Reshape targets, Slice bounds, Unsqueeze axes, Resize scales —
 * can be followed. Only tensors of at most MAX_KNOWN_ELEMENTS numbers qualify: shapes and axes are
 * short, and reading weights here would cost time and memory for nothing.
 */
import type { TensorProto } from '../../onnx/proto-types.js';
import { readTensorAsNumbers, tensorDims } from '../../ir/tensor-data.js';
import type { KnownValue } from './shape-rule.js';

export const MAX_KNOWN_ELEMENTS = 64;

const STRING = 8;
const COMPLEX = new Set([14, 15]);

export function knownValueOfTensor(t: TensorProto): KnownValue | undefined {
  const dataType = t.data_type ?? 0;
  if (dataType === 0 || dataType === STRING || COMPLEX.has(dataType)) return undefined;
  try {
    const dims = tensorDims(t);
    const count = dims.reduce((a, b) => a * b, 1);
    if (count > MAX_KNOWN_ELEMENTS) return undefined;
    return readTensorAsNumbers(t);
  } catch {
    // External data not loaded, a corrupt size: the value is simply not known here.
    return undefined;
  }
}
