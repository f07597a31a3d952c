/**
 * mlserve's public API. The CLI is a thin shell over these functions.
 */
export { loadModel, saveModel, type SaveModelOptions } from './ir/model-file.js';
export { Model } from './ir/model.js';
export { Graph, type NewNode } from './ir/graph.js';
export { Node } from './ir/node.js';
export { Value, type Use } from './ir/value.js';
export type { Dim, Shape, TensorType } from './ir/tensor-type.js';
export { decodeModel, encodeModel } from './onnx/codec.js';
export type * from './onnx/proto-types.js';
export { dataTypeName, DataType } from './onnx/data-type.js';
export { MlserveError, ERROR_CODES, type ErrorCode } from './errors.js';
