/**
 * What the fusion passes ask of a graph while matching a pattern: is this value a constant (an
 * initializer or a Constant node's output) and what does it hold, who reads this value, and are a
 * matched region's intermediate values read only inside the region. Nothing here changes a graph
 * (rewrite.ts does that). Whether a value counts as constant at all is constant-value.ts's call.
 */
import type { Node } from '../ir/node.js';
import { readTensorData, readTensorAsNumbers, tensorDims } from '../ir/tensor-data.js';
import { constantTensor, isConstantInitializer } from './constant-value.js';
import type { Value } from '../ir/value.js';
import { DataType } from '../onnx/data-type.js';
import { int64ToNumber } from '../onnx/tensor-size-check.js';
import type { TensorProto } from '../onnx/proto-types.js';
import type { PassOptions } from './pass.js';

export const FLOAT_TYPES: ReadonlySet<number> = new Set([DataType.FLOAT!, DataType.FLOAT16!, DataType.DOUBLE!, DataType.BFLOAT16!]);

/** A constant's tensor, or why the value is not one a pass may treat as fixed. */
export type ConstantLookup = { tensor: TensorProto } | { reason: string };

/**
 * The tensor behind `value` when its content is fixed (constant-value.ts decides: an initializer
 * callers cannot override, or a Constant node's output), or why it is not.
 */
export function lookupConstant(value: Value | undefined, options: Pick<PassOptions, 'foldInitializerInputs'>): ConstantLookup {
  if (!value) return { reason: 'an input is omitted' };
  if (value.initializer && !isConstantInitializer(value, options)) {
    return { reason: `'${value.name}' is an initializer that is also a graph input (callers may override it; allow with --fold-initializer-inputs)` };
  }
  const tensor = constantTensor(value, options);
  if (tensor) return { tensor };
  if (value.producer?.opType === 'Constant') return { reason: `'${value.name}' is a Constant whose value is not a dense tensor` };
  return { reason: `'${value.name}' is not a constant` };
}

/** A real-valued constant read into float64: dims, dtype, values. */
export interface NumericConstant {
  dtype: number;
  dims: number[];
  data: Float64Array;
}

/**
 * A float constant (float32/float16/bfloat16/double) as float64 numbers; undefined for other dtypes
 * and for tensors whose data cannot be read (external data not loaded, a corrupt size).
 */
export function readFloatConstant(t: TensorProto): NumericConstant | undefined {
  const dtype = t.data_type ?? 0;
  if (!FLOAT_TYPES.has(dtype)) return undefined;
  try {
    const dims = tensorDims(t);
    const data = dtype === DataType.FLOAT || dtype === DataType.DOUBLE
      ? Float64Array.from(readTensorData(t) as Float32Array | Float64Array)
      : Float64Array.from(readTensorAsNumbers(t));
    return { dtype, dims, data };
  } catch {
    return undefined;
  }
}

/** The single number of a one-element float constant (any rank), else undefined. */
export function scalarValue(value: Value | undefined, options: Pick<PassOptions, 'foldInitializerInputs'>): number | undefined {
  const t = constantTensor(value, options);
  // Look at the dims before reading: most constants met while matching are weights, not scalars.
  if (!t || (t.dims ?? []).some((d) => int64ToNumber(d) !== 1)) return undefined;
  const c = readFloatConstant(t);
  return c && c.data.length === 1 ? c.data[0] : undefined;
}

/** The rank of a constant (its dims' length), for checking that a broadcast cannot grow an output. */
export function constantRank(value: Value | undefined, options: Pick<PassOptions, 'foldInitializerInputs'>): number | undefined {
  const t = constantTensor(value, options);
  return t ? (t.dims ?? []).length : undefined;
}

/** `value.producer` when it is a default-domain node of one of `opTypes`. */
export function producerOf(value: Value | undefined, ...opTypes: string[]): Node | undefined {
  const p = value?.producer;
  return p && p.domain === '' && opTypes.includes(p.opType) ? p : undefined;
}

/** The distinct nodes reading `value` (a node reading it twice, like Mul(d, d), counts once). */
export function readers(value: Value): Node[] {
  return [...new Set(value.uses.map((u) => u.node))];
}

/** The one node that reads `value`, when there is exactly one and the value is not a graph output. */
export function soleReader(value: Value | undefined): Node | undefined {
  if (!value || value.isGraphOutput) return undefined;
  const r = readers(value);
  return r.length === 1 ? r[0] : undefined;
}

/**
 * Why a matched region cannot be replaced, or undefined when it can: every output of every node in
 * `region` other than `result` must be read only by nodes of the region and must not be a graph
 * output (nor read inside a subgraph, which would be a reader outside the region).
 */
export function regionLeak(region: Iterable<Node>, result: Value): string | undefined {
  const inside = new Set(region);
  for (const node of inside) {
    for (const out of node.outputs) {
      if (!out || out === result) continue;
      if (out.isGraphOutput) return `intermediate '${out.name}' is a graph output`;
      const outsider = out.uses.find((u) => !inside.has(u.node));
      if (outsider) {
        const where = outsider.node.graph === node.graph ? '' : ' inside a subgraph';
        return `intermediate '${out.name}' is also read by ${outsider.node.label}${where}`;
      }
    }
  }
  return undefined;
}

/** The input of a two-input node that is not `value` (for commutative ops matched either way round). */
export function otherInput(node: Node, value: Value): Value | undefined {
  if (node.inputs[0] === value) return node.inputs[1];
  if (node.inputs[1] === value) return node.inputs[0];
  return undefined;
}

/** A one-line description of a tensor type's shape for decline reasons. */
export function describeShape(shape: readonly (number | string | null)[] | undefined): string {
  if (!shape) return 'unknown rank';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}
