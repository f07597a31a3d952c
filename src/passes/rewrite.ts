/**
 * Replacing a matched region by new nodes. The region's result keeps its Value — name, declared type,
 * graph-output role — by moving it onto the new node that computes it, so a fusion never renames a
 * model's outputs. Afterwards the region's nodes, and whatever only they read, are removed.
 */
import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import { makeTensor } from '../ir/tensor-data.js';
import type { Value } from '../ir/value.js';
import { tensorTypeToProto } from '../ir/tensor-type.js';
import { isConstantInitializer } from './constant-value.js';
import type { PassOptions } from './pass.js';
import { canHoldNewInitializers } from './replace-with-initializers.js';

/**
 * Makes `node` the producer of `value` at output `index`, taking the value away from its current
 * producer (which is left with that output omitted, to be removed as dead). The node's own output at
 * that index (a placeholder from addNode) must be unread; it leaves the graph.
 */
export function adoptOutput(node: Node, index: number, value: Value): void {
  const previous = value.producer;
  if (previous) {
    const at = previous.outputs.indexOf(value);
    if (at >= 0) previous.outputs[at] = undefined;
  }
  const placeholder = node.outputs[index];
  if (placeholder && placeholder !== value) {
    if (placeholder.uses.length > 0 || placeholder.isGraphOutput) {
      throw new Error(`adoptOutput: ${node.label} output '${placeholder.name}' is still used`);
    }
    discardValue(placeholder);
  }
  while (node.outputs.length <= index) node.outputs.push(undefined);
  node.outputs[index] = value;
  value.producer = node;
}

/**
 * `node` takes over the job of `follower`, the single reader of its first output: the follower's
 * result becomes the node's output 0 (same Value, same name), the follower leaves the graph, and so
 * do the constants only it read. For folding a follower into its producer (BatchNormalization or a
 * bias Add into a Conv) once the producer computes the follower's result.
 */
export function absorbFollower(node: Node, follower: Node, options: Pick<PassOptions, 'foldInitializerInputs'>): void {
  const inputs = [...follower.inputs];
  follower.inputs.forEach((_, i) => follower.setInput(i, undefined));
  adoptOutput(node, 0, follower.outputs[0]!);
  removeDeadNodes([follower], options);
  for (const v of inputs) if (v) dropIfUnused(v, options);
}

/** Removes a value nothing reads or produces from its scope (and its value_info entry). */
function discardValue(value: Value): void {
  const graph = value.graph;
  value.producer = undefined;
  if (graph.values.get(value.name) === value) graph.values.delete(value.name);
  graph.valueInfos = graph.valueInfos.filter((v) => v !== value);
}

/**
 * Removes the given nodes once none of their outputs is read or a graph output (consumers first, so
 * a dead chain goes in one call), then what only they read (see dropIfUnused). Initializers that are
 * graph inputs stay unless `foldInitializerInputs` (callers could feed them; with the option the
 * caller has said they are constants).
 */
export function removeDeadNodes(nodes: Iterable<Node>, options: Pick<PassOptions, 'foldInitializerInputs'>): void {
  const pending = new Set([...nodes].filter((n) => n.inGraph));
  const inputs = new Set<Value>();
  for (let progress = true; progress;) {
    progress = false;
    for (const node of pending) {
      const live = node.outputs.some((v) => v && (v.uses.length > 0 || v.isGraphOutput));
      if (live) continue;
      for (const v of node.inputs) if (v) inputs.add(v);
      const graph = node.graph;
      graph.removeNode(node);
      tidyValueInfos(graph);
      pending.delete(node);
      progress = true;
    }
  }
  for (const v of inputs) dropIfUnused(v, options);
}

/**
 * Removes what reading `value` kept alive, now that nothing reads it: an initializer (not one callers
 * may feed, unless `foldInitializerInputs`), or its producer once none of that node's outputs is read
 * — and then, the same way, what that node read (a Constant, the shape arithmetic feeding a Reshape).
 * ONNX nodes have no side effects, so a node nobody reads can always go.
 */
export function dropIfUnused(value: Value, options: Pick<PassOptions, 'foldInitializerInputs'>): void {
  const pending = [value];
  while (pending.length > 0) {
    const v = pending.pop()!;
    if (v.uses.length > 0 || v.isGraphOutput) continue;
    if (v.initializer) {
      if (isConstantInitializer(v, options)) v.graph.removeInitializer(v);
      continue;
    }
    const p = v.producer;
    if (!p || !p.inGraph || p.outputs.some((o) => o && (o.uses.length > 0 || o.isGraphOutput))) continue;
    const inputs = p.presentInputs();
    p.graph.removeNode(p);
    tidyValueInfos(p.graph);
    pending.push(...inputs);
  }
}

/** Drops value_info entries of values that left the graph. */
export function tidyValueInfos(graph: Graph): void {
  graph.valueInfos = graph.valueInfos.filter((v) => graph.values.get(v.name) === v);
}

/**
 * A new constant of `dtype` holding `values` (converted: float16 rounded once, to nearest even): an
 * initializer, except where IR < 4 rules make that awkward. IR < 4 requires every initializer to be a
 * graph input too, so in a main graph it is listed as one and marked as folded (constant-value.ts
 * keeps treating it as fixed, as folding does); a subgraph's inputs are positional, so there it is
 * a Constant node.
 */
export function addConstant(graph: Graph, nameHint: string, dtype: number, dims: readonly number[], values: ArrayLike<number>): Value {
  const tensor = makeTensor(nameHint, dtype, dims, Float64Array.from(values));
  if (canHoldNewInitializers(graph) || graph.model.irVersion >= 4) {
    const value = graph.addInitializer(nameHint, tensor);
    if (graph.model.irVersion < 4) {
      graph.inputs.push(value);
      value.declaredType = tensorTypeToProto({ dtype, shape: [...dims] });
    }
    return value;
  }
  delete tensor.name;
  return graph.addNode({ opType: 'Constant', inputs: [], outputs: [nameHint], attributes: { value: { tensor } } }).outputs[0]!;
}
