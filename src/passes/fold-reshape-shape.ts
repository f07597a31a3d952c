/**
 * Does: Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), Unsqueeze(Gather(Shape(x), 1)), [4], [16]))
 * → Reshape(x, [0, 0, 4, 16]) — a target shape computed at run time from symbolic dims becomes a
 * constant, where 0 means "copy this dim from the input" (Reshape with allowzero=0). dead code then
 * removes the shape arithmetic. Exporters write `x.view(b, s, h, d)` this way (torch: Shape → Gather →
 * Unsqueeze → Concat; Paddle: Shape → Slice → Cast → Concat); with batch and sequence symbolic,
 * fold_shapes cannot fold it (the values vary per run), but each element is either a number or "the
 * same dim of x at the same position", and that is expressible. onnxruntime's ReshapeFusion does this
 * at level `basic`.
 *
 * Which element becomes what, from shape inference's known value of the shape input (numbers and
 * symbol names): a number stays as it is (a 0 or -1 in it meant the same before); a symbol equal to
 * x's dim at the same position becomes 0. If exactly one element is neither, it becomes -1, but only
 * when every other element is a positive number: the element count then fixes it, and no copied dim
 * can be 0 at run time (onnxruntime cannot resolve -1 next to a zero-sized dim, where the original
 * would have given an empty tensor).
 *
 * Leaves alone (with the reason): a shape known only in part beyond that (two or more elements
 * neither numbers nor copies, a -1 already present next to an unknown one; under allowzero=1 a 0
 * means a zero-sized dim, so there no symbol can become a copy); a shape computed from an initializer
 * callers may override (a graph input, without --fold-initializer-inputs). Constant shapes are not
 * its business.
 */
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import type { Value } from '../ir/value.js';
import { DataType } from '../onnx/data-type.js';
import { inferShapes } from '../ops/shape-inference/infer-shapes.js';
import type { KnownValue } from '../ops/shape-inference/shape-rule.js';
import { constantTensor } from './constant-value.js';
import { readsOverridable } from './fold-shapes.js';
import { describeShape } from './match.js';
import type { Pass, PassContext, PassResult } from './pass.js';
import { addConstant, dropIfUnused } from './rewrite.js';

const pass: Pass = {
  name: 'fold_reshape_shape',
  kind: 'fold',
  summary: 'turn a Reshape target computed from symbolic dims into a constant, with 0 for dims copied from the input',
  run(model: Model, ctx: PassContext): PassResult {
    if (!hasComputedReshape(model, ctx)) return { modified: false, stats: { folded: 0 } };
    const { knownValues } = inferShapes(model);
    const overridable = readsOverridable(model, ctx.options);
    let folded = 0;
    for (const graph of [...model.graph.allGraphs()]) {
      for (const node of graph.topologicalOrder()) {
        if (node.domain !== '' || node.opType !== 'Reshape' || !node.inGraph) continue;
        const shape = node.inputs[1];
        if (!shape || constantTensor(shape, ctx.options) || !node.inputs[0] || !node.outputs[0]) continue;
        const target = constantTarget(node, knownValues.get(shape), overridable.has(shape));
        if (typeof target === 'string') {
          ctx.decline(pass.name, node, target);
          continue;
        }
        node.setInput(1, addConstant(graph, `${node.outputs[0].name}_shape`, DataType.INT64!, [target.length], target));
        dropIfUnused(shape, ctx.options);
        folded++;
      }
    }
    return { modified: folded > 0, stats: { folded } };
  },
};
export default pass;

function hasComputedReshape(model: Model, ctx: PassContext): boolean {
  for (const graph of model.graph.allGraphs()) {
    for (const n of graph.nodes) {
      if (n.domain === '' && n.opType === 'Reshape' && n.inputs[1] && !constantTensor(n.inputs[1], ctx.options)) return true;
    }
  }
  return false;
}

/** The constant target shape, or why the computed one cannot be written as a constant. */
function constantTarget(node: Node, known: KnownValue | undefined, overridable: boolean): number[] | string {
  const x: Value = node.inputs[0]!;
  if (!known) return 'target shape not known (not even in part)';
  if (overridable) return 'target shape is computed from an initializer callers may override (a graph input)';
  const copies = node.intAttribute('allowzero', 0) === 0;
  const dims = x.type?.shape;
  const out: (number | undefined)[] = known.map((d, i) => {
    if (typeof d === 'number') return d;
    if (d !== null && copies && dims && i < dims.length && dims[i] === d) return 0;
    return undefined;
  });
  const unknown = out.flatMap((d, i) => (d === undefined ? [i] : []));
  if (unknown.length === 0) return out as number[];
  const what = `target shape ${describeShape(known)} for input ${describeShape(dims)}`;
  if (unknown.length > 1) return `${what}: elements ${unknown.join(', ')} are neither numbers nor dims copied from the same position`;
  const others = out.filter((_, i) => i !== unknown[0]) as number[];
  if (!others.every((d) => d > 0)) {
    return `${what}: element ${unknown[0]} would need -1, which is exact only when every other element is a positive number`;
  }
  out[unknown[0]!] = -1;
  return out as number[];
}
