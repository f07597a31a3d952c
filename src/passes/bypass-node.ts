/**
 * Removes a node that passes one of its inputs through unchanged: every reader of its (first) output
 * reads that input instead. The caller has checked the output is not a graph output.
 */
import type { Node } from '../ir/node.js';

export function bypassNode(node: Node, inputIndex: number): void {
  const input = node.inputs[inputIndex]!;
  const output = node.outputs[0]!;
  node.graph.replaceAllUsesWith(output, input);
  node.graph.removeNode(node);
}
