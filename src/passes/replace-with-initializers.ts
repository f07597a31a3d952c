/**
 * The last step of every fold: nodes whose results are known leave the graph, and each of their
 * outputs that is still read (or is a graph output) becomes an initializer IN PLACE — same Value,
 * same name — so readers, graph outputs and value_info stay as they were. All nodes are detached
 * first, so an output read only by other folded nodes simply disappears.
 *
 * IR < 4 requires every initializer to be listed as a graph input as well; folded results in such a
 * model are added to the main graph's inputs (with their type), and marked as folded so later passes
 * still treat them as constants. Subgraphs of IR < 4 models cannot take new initializers this way
 * (their inputs are positional): `canHoldNewInitializers` says where folding may put results.
 */
import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import { tensorTypeToProto } from '../ir/tensor-type.js';
import type { Value } from '../ir/value.js';
import { int64ToNumber } from '../onnx/tensor-size-check.js';
import type { TensorProto } from '../onnx/proto-types.js';

export function canHoldNewInitializers(graph: Graph): boolean {
  return graph.model.irVersion >= 4 || graph.owner === undefined;
}

/**
 * Removes `nodes` and turns their live outputs into initializers holding `tensorOf(value)`. Throws
 * (a bug in the caller) if a live output has no tensor.
 */
export function replaceWithInitializers(nodes: readonly Node[], tensorOf: (value: Value) => TensorProto | undefined): number {
  const removed = new Set(nodes);
  for (const node of nodes) node.inputs.forEach((_, i) => node.setInput(i, undefined));
  const graphs = new Set(nodes.map((n) => n.graph));
  for (const graph of graphs) graph.nodes = graph.nodes.filter((n) => !removed.has(n));
  let created = 0;
  for (const node of nodes) {
    node.inGraph = false;
    for (const value of node.outputs) {
      if (!value) continue;
      value.producer = undefined;
      const graph = value.graph;
      if (value.uses.length === 0 && !value.isGraphOutput) {
        graph.values.delete(value.name);
        continue;
      }
      const tensor = tensorOf(value);
      if (!tensor) throw new Error(`folding ${node.label}: no result for '${value.name}', which is still read`);
      tensor.name = value.name;
      value.initializer = tensor;
      graph.initializers.push(value);
      created++;
      if (graph.model.irVersion < 4 && !graph.inputs.includes(value)) {
        graph.inputs.push(value);
        if (!value.declaredType) {
          value.declaredType = tensorTypeToProto({ dtype: tensor.data_type ?? 0, shape: (tensor.dims ?? []).map(int64ToNumber) });
        }
      }
    }
  }
  return created;
}
