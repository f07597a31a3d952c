/**
 * A new constant holding a ready-made tensor (data already in its storage array, so tens of millions
 * of int8 weights are not converted element by element): an initializer, listed as a graph input too
 * in an IR < 4 main graph (as those versions require), or a Constant node in an IR < 4 subgraph,
 * whose inputs are positional. The same rules as rewrite.ts's addConstant, for tensors.
 */
import type { Graph } from '../ir/graph.js';
import { tensorTypeToProto } from '../ir/tensor-type.js';
import type { Value } from '../ir/value.js';
import type { TensorProto } from '../onnx/proto-types.js';
import { int64ToNumber } from '../onnx/tensor-size-check.js';
import { canHoldNewInitializers } from './replace-with-initializers.js';

export function addTensorConstant(graph: Graph, nameHint: string, tensor: TensorProto): Value {
  if (canHoldNewInitializers(graph)) {
    const value = graph.addInitializer(nameHint, tensor);
    if (graph.model.irVersion < 4) {
      graph.inputs.push(value);
      value.declaredType = tensorTypeToProto({ dtype: tensor.data_type ?? 0, shape: (tensor.dims ?? []).map(int64ToNumber) });
    }
    return value;
  }
  const copy = { ...tensor };
  delete copy.name;
  return graph.addNode({ opType: 'Constant', inputs: [], outputs: [nameHint], attributes: { value: { tensor: copy } } }).outputs[0]!;
}
