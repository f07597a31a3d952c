/**
 * Does: shape arithmetic whose result shape inference knows exactly becomes initializers —
 * Shape(x) → int64 [d0, d1, …] and Size(x) → int64 scalar when those dims of x are numbers, and every
 * node after them (Gather, Slice, Concat, Unsqueeze, Cast, Add, …) whose integer result the engine
 * worked out as all numbers (its `knownValues`). With dynamic batch and length, the static dims still
 * fold: Gather(Shape(x), 1) is 64 however large the batch. Exporters compute reshape targets at run
 * time (torch: Shape → Gather → Unsqueeze → Concat → Reshape); once the dims are known — declared, or
 * fixed with --input-shape / --fix-dim — the whole chain becomes a constant.
 *
 * Leaves alone:
 *  - a value only partly known (a symbolic or unknown element: it really varies per run);
 *  - floating-point results (the engine's arithmetic is float64; onnxruntime's may round otherwise)
 *    and nodes whose inputs are all constant: fold_constants computes those in onnxruntime itself;
 *  - values computed from an initializer that callers may override (IR < 4 graph inputs) unless
 *    `foldInitializerInputs` — though Shape and Size of anything fold: a graph input's declaration
 *    fixes its dims, a fed initializer changes only values;
 *  - nodes with subgraphs, and subgraphs of IR < 4 models (as fold_constants).
 */
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import { makeTensor } from '../ir/tensor-data.js';
import type { Value } from '../ir/value.js';
import { DataType } from '../onnx/data-type.js';
import type { TensorProto } from '../onnx/proto-types.js';
import { inferShapes } from '../ops/shape-inference/infer-shapes.js';
import type { KnownValue } from '../ops/shape-inference/shape-rule.js';
import { isConstantInitializer } from './constant-value.js';
import type { Pass, PassContext, PassOptions, PassResult } from './pass.js';
import { canHoldNewInitializers, replaceWithInitializers } from './replace-with-initializers.js';

const INTEGER_TYPES = new Set([
  DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16, DataType.INT32, DataType.UINT32,
  DataType.INT64, DataType.UINT64, DataType.BOOL,
]);

const pass: Pass = {
  name: 'fold_shapes',
  kind: 'fold',
  summary: 'replace Shape, Size and the shape arithmetic after them by initializers where shape inference knows the result',
  run(model: Model, ctx: PassContext): PassResult {
    const { knownValues } = inferShapes(model);
    const overridable = readsOverridable(model, ctx.options);
    let folded = 0;
    for (const graph of [...model.graph.allGraphs()]) {
      if (!canHoldNewInitializers(graph)) continue;
      for (const node of graph.topologicalOrder()) {
        const result = foldedOutputs(node, knownValues, overridable, ctx.options);
        if (result === undefined) continue;
        if (typeof result === 'string') {
          ctx.decline(pass.name, node, result);
          continue;
        }
        replaceWithInitializers([node], (v) => result.get(v));
        folded++;
      }
    }
    return { modified: folded > 0, stats: { folded } };
  },
};
export default pass;

/**
 * The tensors replacing `node`'s outputs; a reason when the node computes shape arithmetic that is
 * not (fully) known; undefined when the node is none of this pass's business.
 */
function foldedOutputs(node: Node, known: ReadonlyMap<Value, KnownValue>, overridable: Set<Value>, options: PassOptions): Map<Value, TensorProto> | string | undefined {
  const isShapeOp = node.domain === '' && (node.opType === 'Shape' || node.opType === 'Size');
  if (node.subgraphs.length > 0) return undefined;
  const live = node.outputs.filter((v): v is Value => v !== undefined && (v.uses.length > 0 || v.isGraphOutput));
  if (live.length === 0) return undefined;
  const inputs = node.presentInputs();
  if (inputs.every((v) => isConstantInitializer(v, options) || v.producer?.opType === 'Constant')) return undefined;
  const out = new Map<Value, TensorProto>();
  for (const v of live) {
    const value = known.get(v);
    const type = v.type;
    if (!value) return isShapeOp ? `shape of '${inputs[0]?.name}' not known` : undefined;
    if (!value.every((d) => typeof d === 'number')) return `value only partly known: [${value.map((d) => d ?? '?').join(',')}]`;
    if (!type || !INTEGER_TYPES.has(type.dtype) || !type.shape?.every((d) => typeof d === 'number')) return undefined;
    try {
      out.set(v, makeTensor(v.name, type.dtype, type.shape as number[], value as number[]));
    } catch (e) {
      // Not integers, or not as many as the shape holds: the engine's value does not fit; leave it.
      return `known value does not fit ${v.name}'s type: ${(e as Error).message}`;
    }
  }
  if (!isShapeOp && inputs.some((v) => overridable.has(v))) return 'reads a value computed from an initializer callers may override (a graph input)';
  return out;
}

/**
 * Values that depend on an initializer callers may override (IR < 4 graph inputs), unless those are
 * to be treated as fixed: their known values hold only for the initializer's own data.
 */
export function readsOverridable(model: Model, options: PassOptions): Set<Value> {
  const tainted = new Set<Value>();
  if (options.foldInitializerInputs) return tainted;
  for (const graph of model.graph.allGraphs()) {
    for (const v of graph.initializers) if (!isConstantInitializer(v, options)) tainted.add(v);
    for (const node of graph.topologicalOrder()) {
      // Shape and Size read only the shape, which the input's declaration fixes; a fed initializer
      // changes values, not dims.
      if (node.domain === '' && (node.opType === 'Shape' || node.opType === 'Size')) continue;
      // A node with a body may read a tainted value inside it: count its outputs tainted too.
      const reads = node.presentInputs().some((v) => tainted.has(v)) || (node.subgraphs.length > 0 && tainted.size > 0);
      if (reads) for (const v of node.outputs) if (v) tainted.add(v);
    }
  }
  return tainted;
}
