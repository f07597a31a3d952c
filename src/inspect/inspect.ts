/**
 * `inspect()`: everything worth knowing about a model before running it, as one JSON-ready document
 * (report-types.ts). Loading does all the validation (not ONNX, truncated, external data, cycles,
 * undefined values, tensor sizes — each an MlserveError naming file, node or field); after that,
 * inspect only reads. Shape inference runs on the loaded IR (setting `Value.inferred`, which is why a
 * Model passed in comes back with inferred types), with `inputShapes` pinning symbolic input dims.
 */
import { Model } from '../ir/model.js';
import { modelFromProto } from '../ir/model-from-proto.js';
import { decodeModelBytes } from '../onnx/read-model-file.js';
import { int64ToNumber } from '../onnx/tensor-size-check.js';
import { inferShapes } from '../ops/shape-inference/infer-shapes.js';
import { externalDataUsage } from './external-data-usage.js';
import { estimateCompute } from './flops.js';
import { listNodes } from './node-list.js';
import { countOps, customOps, summarizeFunctions, summarizeSubgraphs } from './op-counts.js';
import { summarizeParameters } from './parameters.js';
import { INSPECT_SCHEMA_VERSION, type ComputeEstimate, type ExternalDataSummary, type FileInfo, type InspectReport } from './report-types.js';
import { interfaceTensorInfo } from './tensor-info.js';
import { readFileOrFail } from '../util/read-file-or-fail.js';
import { collectWarnings } from './warnings.js';

export interface InspectOptions {
  /** Concrete dims for graph inputs (`--input-shape x=1,3,224,224`), fed to shape inference. */
  inputShapes?: ReadonlyMap<string, readonly number[]> | Readonly<Record<string, readonly number[]>>;
  /** Include `nodes[]` (`--nodes`). */
  nodes?: boolean;
  /** Only nodes of this op type in `nodes[]` (`--op Conv`); implies `nodes`. */
  op?: string;
}

export interface LoadedForInspect {
  model: Model;
  file: FileInfo;
  externalData: ExternalDataSummary;
}

/** Loads a model file the way loadModel does, keeping what inspect also reports: file size and side files. */
export function loadForInspect(file: string): LoadedForInspect {
  const bytes = readFileOrFail(file);
  const model = modelFromProto(decodeModelBytes(bytes, file), file);
  return { model, file: { path: file, bytes: bytes.length }, externalData: externalDataUsage(bytes, file) };
}

/**
 * Inspects a model file (by path), a Model already in memory (no file facts then: `file` and
 * `parameters.externalData` are null), or what loadForInspect returned (the CLI keeps the Model to
 * draw it afterwards).
 */
export function inspect(source: string | Model | LoadedForInspect, options: InspectOptions = {}): InspectReport {
  const loaded = typeof source === 'string' ? loadForInspect(source) : source instanceof Model ? undefined : source;
  const model = loaded?.model ?? (source as Model);
  const proto = model.proto;
  const graph = model.graph;

  const inputShapes = normalizeInputShapes(options.inputShapes);
  const shapes = inferShapes(model, { inputShapes });
  const interfaceInfo = interfaceTensorInfo(model);

  const report: InspectReport = {
    schemaVersion: INSPECT_SCHEMA_VERSION,
    file: loaded?.file ?? null,
    irVersion: model.irVersion,
    opsetImport: Object.fromEntries(model.opsetImport.map((o) => [
      !o.domain || o.domain === 'ai.onnx' ? 'ai.onnx' : o.domain,
      o.version === undefined ? 0 : int64ToNumber(o.version),
    ])),
    producer: { name: proto.producer_name ?? null, version: proto.producer_version ?? null },
    domain: proto.domain ?? null,
    modelVersion: proto.model_version === undefined ? null : int64ToNumber(proto.model_version),
    docString: proto.doc_string ?? null,
    graphName: graph.name ?? null,
    metadata: Object.fromEntries((proto.metadata_props ?? []).map((e) => [e.key ?? '', e.value ?? ''])),
    inputs: graph.inputs.filter((v) => !v.initializer).map(interfaceInfo),
    outputs: graph.outputs.map(interfaceInfo),
    initializerInputs: graph.inputs.filter((v) => v.initializer).map(interfaceInfo),
    nodeCount: graph.nodes.length,
    opCounts: countOps(graph.nodes),
    subgraphs: summarizeSubgraphs(model),
    functions: summarizeFunctions(model),
    customOps: customOps(model),
    parameters: { ...summarizeParameters(model), externalData: loaded?.externalData ?? null },
    shapeCoverage: shapes.coverage,
    shapeInference: {
      valuesTotal: shapes.valuesTotal,
      valuesCovered: shapes.valuesCovered,
      inputShapes: Object.fromEntries([...inputShapes].map(([name, dims]) => [name, [...dims]])),
      missingRules: shapes.missingRules,
      rootCauses: shapes.unknown.filter((u) => u.rootCause).map((u) => ({
        value: u.value, op: u.domain === '' ? u.opType : `${u.domain}::${u.opType}`, reason: u.reason,
      })),
    },
    compute: estimateCompute(model),
    warnings: collectWarnings(model),
  };
  if (options.nodes || options.op !== undefined) report.nodes = listNodes(model, options.op);
  if (inputShapes.size === 0) report.compute = perSampleCompute(model, report.compute);
  return report;
}

/**
 * A dynamic batch dim leaves every count unknown, though what users want to know is the cost of one
 * sample: when the only symbolic dim of each input is its leading one, count again with it set to 1
 * (reported as `assumedInputShapes`), then restore the model's symbolic types.
 */
function perSampleCompute(model: Model, symbolic: ComputeEstimate): ComputeEstimate {
  if (symbolic.nodesWithUnknownShapes === 0) return symbolic;
  const pins = new Map<string, number[]>();
  for (const input of model.graph.inputs.filter((v) => !v.initializer)) {
    const shape = input.type?.shape;
    if (!shape || shape.length === 0 || typeof shape[0] === 'number') continue;
    if (!shape.slice(1).every((d) => typeof d === 'number')) return symbolic;
    pins.set(input.name, [1, ...(shape.slice(1) as number[])]);
  }
  if (pins.size === 0) return symbolic;
  inferShapes(model, { inputShapes: pins });
  const perSample = estimateCompute(model);
  inferShapes(model, {});
  if (perSample.nodesWithUnknownShapes >= symbolic.nodesWithUnknownShapes) return symbolic;
  return { ...perSample, assumedInputShapes: Object.fromEntries(pins) };
}

function normalizeInputShapes(shapes: InspectOptions['inputShapes']): Map<string, readonly number[]> {
  if (!shapes) return new Map();
  return shapes instanceof Map ? new Map(shapes) : new Map(Object.entries(shapes));
}
