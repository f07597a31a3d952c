/**
 * The document `inspect()` returns and `mlserve inspect --json` prints. It is a stable interface:
 * fields are only ever added (and `schemaVersion` bumped when a meaning changes), never renamed or
 * removed. README.md ("inspect --json schema") documents every field; keep the two in step.
 *
 * Conventions: dtypes are ONNX's names ('float32', 'int64'); a shape lists numbers for fixed dims,
 * strings for symbolic dims and null for unknown dims, and is null itself when the rank is unknown;
 * op types of the default domain are bare ('Conv'), every other domain's are `domain::OpType`
 * ('com.microsoft::FusedConv', 'ai.onnx.ml::TreeEnsembleClassifier'); the default domain is spelled
 * 'ai.onnx' wherever a domain is named.
 */

export const INSPECT_SCHEMA_VERSION = 1;

export type ReportDim = number | string | null;

export interface TensorInfo {
  name: string;
  /**
   * The element type's ONNX name. Values that are not tensors read 'sequence<float32>',
   * 'map<int64,float32>', 'optional<…>', 'sparse_tensor<float32>' or 'opaque'; 'unknown' when the
   * file declares no type and inference found none.
   */
  dtype: string;
  /** null when the rank is unknown or the value is not a tensor. */
  shape: ReportDim[] | null;
}

export interface FileInfo {
  /** The path as given. */
  path: string;
  /** Size of the .onnx file itself. */
  bytes: number;
}

export interface ParameterGroup {
  /** How many tensors. */
  tensors: number;
  /** How many elements (parameters). */
  count: number;
  /** Bytes of stored data (strings: their UTF-8 bytes; packed 4-bit types rounded up per tensor). */
  bytes: number;
}

export interface ExternalDataFile {
  /** The `location` as the model writes it, relative to the model's folder. */
  location: string;
  /** Tensors stored in it. */
  tensors: number;
  /** Bytes those tensors take in it. */
  bytes: number;
}

export interface ExternalDataSummary {
  tensors: number;
  bytes: number;
  files: ExternalDataFile[];
}

export interface ParameterSummary extends ParameterGroup {
  /** Initializers (of every graph, subgraphs included) by element type. */
  byDtype: Record<string, ParameterGroup>;
  /** Tensors held by Constant nodes: weights some exporters store outside the initializer list. */
  constants: ParameterGroup;
  /** Tensors kept in side files; null when inspect was given a Model rather than a file. */
  externalData: ExternalDataSummary | null;
}

export interface SubgraphOwner {
  /** The owning node's label: "name (OpType)", or the op type when the node has no name. */
  node: string;
  opType: string;
  /** The attribute holding the graph ('then_branch', 'body', …). */
  attribute: string;
  /** 1 for a subgraph of a main-graph node, 2 for one nested inside that, … */
  depth: number;
  /** Nodes directly in this subgraph (not counting its own subgraphs). */
  nodeCount: number;
}

export interface SubgraphSummary {
  /** Subgraphs at any depth. */
  count: number;
  /** Nodes in all of them. */
  nodeCount: number;
  opCounts: Record<string, number>;
  owners: SubgraphOwner[];
}

export interface FunctionSummary {
  /** Model-local functions (FunctionProto), as `domain::name`, or `domain::name@overload` for an overload (IR 10+). */
  names: string[];
}

export interface CustomOp {
  /** A domain outside the ONNX standard ones (ai.onnx, ai.onnx.ml, ai.onnx.training, ai.onnx.preview.training). */
  domain: string;
  opType: string;
  /** Nodes in the main graph and in subgraphs. */
  count: number;
  /**
   * Who implements it: 'model-function' when a model-local function defines it, 'onnxruntime' for
   * a domain onnxruntime's CPU build registers (com.microsoft, …), 'unknown' otherwise (onnxruntime
   * will refuse the model unless a custom-op library is registered).
   */
  implementedBy: 'model-function' | 'onnxruntime' | 'unknown';
}

export interface OpCompute {
  nodes: number;
  macs: number;
  flops: number;
}

export interface ComputeEstimate {
  /** Multiply-accumulates of Conv, ConvTranspose, MatMul, Gemm, RNN/GRU/LSTM and their integer forms. */
  macs: number;
  /** 2 per MAC plus the other arithmetic (bias adds, elementwise, pooling, normalization, reductions). */
  flops: number;
  /** Only op types that compute something; data movement (Reshape, Concat, Gather, …) costs 0. */
  byOpType: Record<string, OpCompute>;
  /** Main-graph nodes that do arithmetic but whose shapes are not known, so they are not counted. */
  nodesWithUnknownShapes: number;
  /** Main-graph op types that do arithmetic this estimate has no formula for, with their node counts. */
  uncountedOpTypes: Record<string, number>;
  /** Nodes inside subgraphs (If/Loop/Scan bodies): not counted, as how often they run is data-dependent. */
  subgraphNodesExcluded: number;
  /** True when every node was counted: no unknown shapes, no uncounted op types, no subgraphs. */
  complete: boolean;
  /**
   * Present when the counts are per sample: no --input-shape was given and the inputs' only symbolic
   * dim was the leading (batch) one, so it was set to 1 for counting. Input name → shape used.
   */
  assumedInputShapes?: Record<string, number[]>;
}

export interface ShapeInferenceSummary {
  /** Node outputs (main graph and subgraphs) considered. */
  valuesTotal: number;
  /** Of those, how many have a fully known shape (every dim a number or a symbol). */
  valuesCovered: number;
  /** The `--input-shape` pins that were applied. */
  inputShapes: Record<string, number[]>;
  /** Op types no shape rule covers, with their node counts ('domain::Op' outside ai.onnx). */
  missingRules: { op: string; nodes: number }[];
  /** Values whose own producer is why their shape is unknown (values downstream of them are left out). */
  rootCauses: { value: string; op: string; reason: string }[];
}

export type WarningCode =
  | 'initializer-input'
  | 'unused-initializer'
  | 'unused-input'
  | 'dangling-value'
  | 'unsupported-opset'
  | 'unsupported-op'
  | 'legacy-op';

export interface InspectWarning {
  code: WarningCode;
  /** 'warning': onnxruntime may refuse or misbehave, or something is likely a mistake; 'info': worth knowing. */
  severity: 'warning' | 'info';
  /** One line, with the count of items. */
  message: string;
  /** What it is about: value names, or `OpType (reason)` entries. */
  items: string[];
}

export type AttributeJson =
  | number | string | number[] | string[]
  | { tensor: { dtype: string; shape: number[]; values?: number[] } }
  | { tensors: number }
  | { graph: { name: string | null; nodes: number } }
  | { graphs: number }
  | { ref: string }
  | null;

export interface NodeInfo {
  name: string | null;
  opType: string;
  /** 'ai.onnx' for the default domain. */
  domain: string;
  /** 'main', or the path of the subgraph: "Loop_0 (Loop)/body". */
  graph: string;
  /** null for an omitted optional input. */
  inputs: (TensorInfo | null)[];
  outputs: (TensorInfo | null)[];
  attributes: Record<string, AttributeJson>;
}

export interface InspectReport {
  schemaVersion: typeof INSPECT_SCHEMA_VERSION;
  /** null when inspect was given a Model rather than a path. */
  file: FileInfo | null;
  irVersion: number;
  /** Domain → version; the default domain is 'ai.onnx'. */
  opsetImport: Record<string, number>;
  producer: { name: string | null; version: string | null };
  /** ModelProto.domain, model_version, doc_string; null when absent. */
  domain: string | null;
  modelVersion: number | null;
  docString: string | null;
  graphName: string | null;
  /** ModelProto.metadata_props. */
  metadata: Record<string, string>;
  /** The real inputs: graph inputs that are not initializers. */
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Initializers the file ALSO lists as graph inputs (IR < 4 exporters did); not in `inputs`. */
  initializerInputs: TensorInfo[];
  /** Nodes of the main graph. */
  nodeCount: number;
  /** Main-graph op type → count; sums to nodeCount. */
  opCounts: Record<string, number>;
  subgraphs: SubgraphSummary;
  functions: FunctionSummary;
  customOps: CustomOp[];
  parameters: ParameterSummary;
  /** valuesCovered / valuesTotal (1 for a graph without nodes). */
  shapeCoverage: number;
  shapeInference: ShapeInferenceSummary;
  compute: ComputeEstimate;
  warnings: InspectWarning[];
  /** Only with the `nodes` option (`--nodes`): every node, or those of `--op`. */
  nodes?: NodeInfo[];
}
