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
export { inspect, type InspectOptions } from './inspect/inspect.js';
export { optimize, type OptimizeOptions, type OptimizeReport } from './optimize/optimize.js';
export { PASSES } from './passes/index.js';
export type { Pass, PassKind, PassOptions } from './passes/pass.js';
export { inferShapes } from './ops/shape-inference/infer-shapes.js';
export { compile, type CompileOptions, type CompileResult } from './compile/compile.js';
export { verifyBundle } from './compile/verify-bundle.js';
export type { BundleManifest, ManifestVariant } from './compile/bundle-manifest.js';
export { bench, type BenchOptions } from './bench/bench.js';
export type { BenchDocument, BenchResult, BenchRun } from './bench/bench-document.js';
export type * from './inspect/report-types.js';
export { Serving, type ServingOptions, type InferOptions, type ServingMetadata, type TensorMetadata } from './serve/serving.js';
export type { ServingStatsSnapshot, RequestOutcome } from './serve/serving-stats.js';
export type { Tensor, TensorDType, TensorLike } from './serve/tensor.js';
export type { ModelSource } from './serve/model-source.js';
export type { ModelState } from './serve/model-lifecycle.js';
export type { Batching } from './serve/model-interface.js';
export type { HistogramSnapshot } from './serve/histogram.js';
