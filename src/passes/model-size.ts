/**
 * The two numbers every optimization report compares: node count (all graphs) and initializer bytes
 * (each tensor's data size as raw bytes, whichever field stores it).
 */
import type { Model } from '../ir/model.js';
import { tensorElementCount } from '../ir/tensor-data.js';
import { rawByteLength } from '../onnx/data-type.js';

export interface ModelSize {
  nodes: number;
  initializerBytes: number;
}

export function modelSize(model: Model): ModelSize {
  let nodes = 0;
  let initializerBytes = 0;
  for (const graph of model.graph.allGraphs()) {
    nodes += graph.nodes.length;
    for (const v of graph.initializers) {
      const t = v.initializer!;
      initializerBytes += t.raw_data?.length ?? rawByteLength(t.data_type ?? 0, tensorElementCount(t)) ?? 0;
    }
  }
  return { nodes, initializerBytes };
}
