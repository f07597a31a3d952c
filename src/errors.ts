/**
 * The one error registry. Each code carries its CLI exit code, its HTTP status, a message built
 * from typed details (so a message cannot forget the file, node or field) and a hint.
 * Codes and exit codes are never reused; test/errors.test.ts keeps this table and the README's in step.
 */

interface ErrorSpec<D> {
  exitCode: number;
  httpStatus: number;
  message: (details: D) => string;
  hint?: string;
}

function spec<D>(s: ErrorSpec<D>): ErrorSpec<D> {
  return s;
}

export const ERROR_CODES = {
  MLS_ERR_USAGE: spec<{ message: string }>({
    exitCode: 2, httpStatus: 400,
    message: (d) => d.message,
    hint: 'run with --help for usage',
  }),
  MLS_ERR_FILE_NOT_FOUND: spec<{ file: string }>({
    exitCode: 10, httpStatus: 404,
    message: (d) => `${d.file}: no such file`,
  }),
  MLS_ERR_FILE_UNREADABLE: spec<{ file: string; reason: string }>({
    exitCode: 11, httpStatus: 400,
    message: (d) => `${d.file}: cannot read: ${d.reason}`,
  }),
  MLS_ERR_MODEL_NOT_ONNX: spec<{ file: string; reason: string }>({
    exitCode: 12, httpStatus: 400,
    message: (d) => `${d.file}: not an ONNX model (${d.reason})`,
    hint: 'pass a .onnx file written by an ONNX exporter',
  }),
  MLS_ERR_MODEL_CORRUPT: spec<{ file: string; reason: string }>({
    exitCode: 13, httpStatus: 400,
    message: (d) => `${d.file}: truncated or corrupt protobuf (${d.reason})`,
    hint: 'the file may be cut short; copy or export it again',
  }),
  MLS_ERR_EXTERNAL_DATA_MISSING: spec<{ file: string; tensor: string; location: string; reason: string }>({
    exitCode: 14, httpStatus: 400,
    message: (d) => `${d.file}: external data for tensor '${d.tensor}' in '${d.location}': ${d.reason}`,
    hint: 'keep the side files next to the model, as the exporter wrote them',
  }),
  MLS_ERR_EXTERNAL_DATA_OUTSIDE: spec<{ file: string; tensor: string; location: string }>({
    exitCode: 15, httpStatus: 400,
    message: (d) => `${d.file}: external data for tensor '${d.tensor}' points outside the model's folder: '${d.location}'`,
  }),
  MLS_ERR_GRAPH_CYCLE: spec<{ file: string; node: string }>({
    exitCode: 16, httpStatus: 400,
    message: (d) => `${d.file}: graph has a cycle through node '${d.node}'`,
  }),
  MLS_ERR_GRAPH_UNDEFINED_VALUE: spec<{ file: string; node: string; value: string }>({
    exitCode: 17, httpStatus: 400,
    message: (d) => `${d.file}: node '${d.node}' reads value '${d.value}' that no node, input or initializer produces`,
  }),
  MLS_ERR_GRAPH_DUPLICATE_VALUE: spec<{ file: string; node: string; value: string }>({
    exitCode: 22, httpStatus: 400,
    message: (d) => `${d.file}: node '${d.node}' writes value '${d.value}', which is already defined in its graph`,
  }),
  MLS_ERR_TENSOR_SIZE_MISMATCH: spec<{ file: string; tensor: string; field: string; unit: 'bytes' | 'elements'; expected: number; actual: number }>({
    exitCode: 18, httpStatus: 400,
    message: (d) => `${d.file}: tensor '${d.tensor}' needs ${d.expected} ${d.unit} by its shape but ${d.field} holds ${d.actual}`,
  }),
  MLS_ERR_INVALID_ARGUMENT: spec<{ option: string; value: string; reason: string }>({
    exitCode: 19, httpStatus: 400,
    message: (d) => `${d.option} '${d.value}': ${d.reason}`,
  }),
  MLS_ERR_WRITE_FAILED: spec<{ file: string; reason: string }>({
    exitCode: 20, httpStatus: 500,
    message: (d) => `${d.file}: cannot write: ${d.reason}`,
  }),
  MLS_ERR_UNSUPPORTED: spec<{ what: string }>({
    exitCode: 21, httpStatus: 400,
    message: (d) => `unsupported: ${d.what}`,
  }),
  // 30–39: optimize
  MLS_ERR_OPTIMIZE_UNKNOWN_PASS: spec<{ pass: string; known: string }>({
    exitCode: 30, httpStatus: 400,
    message: (d) => `--passes: unknown pass '${d.pass}'`,
    hint: 'mlserve optimize --list-passes shows every pass',
  }),
  MLS_ERR_INPUT_NOT_IN_MODEL: spec<{ file: string; option: string; input: string; inputs: string }>({
    exitCode: 31, httpStatus: 400,
    message: (d) => `${d.option}: ${d.file} has no input '${d.input}' (its inputs: ${d.inputs})`,
  }),
  MLS_ERR_OPTIMIZE_CHECK_FAILED: spec<{ file: string; output: string; maxAbsError: number; maxRelError: number; problem?: string; culprit: string }>({
    exitCode: 32, httpStatus: 500,
    message: (d) => `${d.file}: the optimized model's output '${d.output}' differs from the original (${d.problem ?? `max abs error ${d.maxAbsError.toPrecision(3)}, max rel error ${d.maxRelError.toPrecision(3)}`})${d.culprit ? `; first broken by pass ${d.culprit}` : ''}; nothing was written`,
    hint: 'rerun with --bisect to find the pass, or loosen --atol/--rtol if the difference is acceptable',
  }),
  MLS_ERR_PASS_FAILED: spec<{ file: string; pass: string; reason: string }>({
    exitCode: 33, httpStatus: 500,
    message: (d) => `${d.file}: pass ${d.pass} failed: ${d.reason}; nothing was written`,
    hint: 'skip it with --passes, and please report the model',
  }),
  MLS_ERR_MODEL_NOT_RUNNABLE: spec<{ file: string; reason: string }>({
    exitCode: 34, httpStatus: 400,
    message: (d) => `${d.file}: onnxruntime cannot run this model: ${d.reason}`,
  }),
  MLS_ERR_TENSOR_FILE_INVALID: spec<{ file: string; reason: string }>({
    exitCode: 35, httpStatus: 400,
    message: (d) => `${d.file}: not a readable tensor file: ${d.reason}`,
    hint: '.npy files come from numpy.save; .pb files hold one ONNX TensorProto (onnx.numpy_helper.from_array)',
  }),
  MLS_ERR_INPUT_FILE_MISMATCH: spec<{ file: string; reason: string }>({
    exitCode: 36, httpStatus: 400,
    message: (d) => `${d.file}: ${d.reason}`,
  }),
  MLS_ERR_INPUT_FILE_MISSING: spec<{ dir: string; input: string; looked: string }>({
    exitCode: 37, httpStatus: 400,
    message: (d) => `--inputs ${d.dir}: no file for input '${d.input}' (looked for ${d.looked})`,
    hint: 'give every model input a file: <name>.npy or <name>.pb, or input_<K>.pb in test_data_set_<N> folders',
  }),
  MLS_ERR_INPUTS_DIR_INVALID: spec<{ dir: string; reason: string }>({
    exitCode: 38, httpStatus: 400,
    message: (d) => `--inputs ${d.dir}: ${d.reason}`,
  }),
  // 60–69: serve
  MLS_ERR_SERVE_QUEUE_FULL: spec<{ model: string; limit: number }>({
    exitCode: 60, httpStatus: 503,
    message: (d) => `model '${d.model}': the request queue is full (${d.limit} requests waiting); try again shortly`,
    hint: 'raise --queue-limit or add workers if this happens under normal load',
  }),
  MLS_ERR_SERVE_TIMEOUT: spec<{ model: string; timeoutMs: number }>({
    exitCode: 61, httpStatus: 504,
    message: (d) => `model '${d.model}': the request waited past its ${d.timeoutMs} ms deadline in the queue and was not computed`,
  }),
  MLS_ERR_SERVE_BAD_INPUT: spec<{ model: string; input: string; reason: string }>({
    exitCode: 62, httpStatus: 400,
    message: (d) => `model '${d.model}': input '${d.input}': ${d.reason}`,
  }),
  MLS_ERR_SERVE_NOT_READY: spec<{ model: string; state: string; reason: string }>({
    exitCode: 63, httpStatus: 503,
    message: (d) => `model '${d.model}' is not ready (${d.state}${d.reason ? `: ${d.reason}` : ''})`,
  }),
  MLS_ERR_SERVE_WORKER_CRASHED: spec<{ model: string; worker: number; reason: string }>({
    exitCode: 64, httpStatus: 500,
    message: (d) => `model '${d.model}': inference worker ${d.worker} died while computing this batch (${d.reason}); it is being restarted`,
  }),
  MLS_ERR_SERVE_INFERENCE_FAILED: spec<{ model: string; reason: string }>({
    exitCode: 65, httpStatus: 500,
    message: (d) => `model '${d.model}': inference failed: ${d.reason}`,
  }),
  MLS_ERR_SERVE_LOAD_FAILED: spec<{ model: string; file: string; reason: string }>({
    exitCode: 66, httpStatus: 500,
    message: (d) => `model '${d.model}': cannot load ${d.file}: ${d.reason}`,
    hint: 'check the model with `mlserve inspect`',
  }),
  MLS_ERR_SERVE_WARMUP_FAILED: spec<{ model: string; file: string; inputs: string; shapes: string; reason: string; ranAtBatch?: number }>({
    exitCode: 67, httpStatus: 500,
    message: (d) => `model '${d.model}': warm-up run of ${d.file} on ${d.inputs} shaped ${d.shapes} failed: ${d.reason}`
      + (d.ranAtBatch === undefined ? '' : ` (it ran at batch ${d.ranAtBatch}, so its graph probably fixes the batch size that its inputs declare dynamic: serve it with a max batch of ${d.ranAtBatch})`),
    hint: 'warm-up runs on zeros with dynamic dims at 1: give real shapes and values with --input-shape NAME=DIMS and --input-value NAME=VALUE (options warmupShapes and warmupValues)',
  }),
  // 90–99: the HTTP server (`mlserve serve`)
  MLS_ERR_SERVE_BAD_REQUEST: spec<{ reason: string }>({
    exitCode: 90, httpStatus: 400,
    message: (d) => `bad request: ${d.reason}`,
  }),
  MLS_ERR_SERVE_MODEL_NOT_FOUND: spec<{ model: string; version: string; reason: string }>({
    exitCode: 91, httpStatus: 404,
    message: (d) => `model '${d.model}'${d.version ? ` version '${d.version}'` : ''} is not served: ${d.reason}`,
  }),
  MLS_ERR_SERVE_NO_ROUTE: spec<{ method: string; path: string; allow: string }>({
    exitCode: 92, httpStatus: 404,
    message: (d) => `no endpoint ${d.method} ${d.path}${d.allow ? ` (that path takes ${d.allow})` : ''}`,
    hint: 'the endpoints are those of the KServe v2 protocol under /v2, and /metrics',
  }),
  MLS_ERR_SERVE_BODY_TOO_LARGE: spec<{ limitBytes: number }>({
    exitCode: 93, httpStatus: 413,
    message: (d) => `request body is larger than the ${d.limitBytes}-byte limit`,
    hint: 'raise --max-body-mb, or send fewer rows per request',
  }),
  MLS_ERR_SERVE_LISTEN_FAILED: spec<{ host: string; port: number; reason: string }>({
    exitCode: 94, httpStatus: 500,
    message: (d) => `cannot listen on ${d.host}:${d.port}: ${d.reason}`,
    hint: 'another process may hold the port; choose another with --port (0 picks a free one)',
  }),
  MLS_ERR_SERVE_REPOSITORY_INVALID: spec<{ dir: string; reason: string }>({
    exitCode: 95, httpStatus: 400,
    message: (d) => `model repository ${d.dir}: ${d.reason}`,
    hint: 'lay it out as REPO_DIR/<name>/<version>/model.onnx (or a compiled bundle directory), versions being positive integers',
  }),
  MLS_ERR_SERVE_MODEL_CONTROL_DISABLED: spec<{ action: string }>({
    exitCode: 96, httpStatus: 403,
    message: (d) => `${d.action} is not allowed: the server runs with --model-control none`,
    hint: 'start the server with --model-control explicit to load and unload models over HTTP',
  }),
  MLS_ERR_SERVE_SHUTTING_DOWN: spec<Record<string, never>>({
    exitCode: 97, httpStatus: 503,
    message: () => 'the server is shutting down: it finishes the requests it accepted and takes no new ones',
  }),
  // 40–49: compile and bench
  MLS_ERR_PRECISION_UNSUPPORTED: spec<{ precision: string; reason: string }>({
    exitCode: 40, httpStatus: 400,
    message: (d) => `--precision ${d.precision}: ${d.reason}`,
    hint: 'compile with --precision fp32 (the default); fp16 and int8 variants are not built yet',
  }),
  MLS_ERR_PROVIDER_UNAVAILABLE: spec<{ provider: string; reason: string }>({
    exitCode: 41, httpStatus: 400,
    message: (d) => `execution provider '${d.provider}' is not usable here: ${d.reason}`,
    hint: 'cpu (onnxruntime-node) and wasm (onnxruntime-web) work on every machine; `mlserve bench --list-providers` shows what this one has',
  }),
  MLS_ERR_BUNDLE_MANIFEST_INVALID: spec<{ file: string; reason: string }>({
    exitCode: 42, httpStatus: 400,
    message: (d) => `${d.file}: not a valid mlserve bundle manifest: ${d.reason}`,
    hint: 'bundles are written by `mlserve compile`; compile the model again',
  }),
  MLS_ERR_BUNDLE_VERIFY_FAILED: spec<{ dir: string; problems: string }>({
    exitCode: 43, httpStatus: 500,
    message: (d) => `bundle ${d.dir} does not match its manifest: ${d.problems}`,
    hint: 'a variant file was changed or removed after compile; compile the model again',
  }),
  MLS_ERR_SHAPE_UNFIXED: spec<{ file: string; input: string; shape: string; dims: string }>({
    exitCode: 44, httpStatus: 400,
    message: (d) => `${d.file}: input '${d.input}' ${d.shape} has dims with no size (${d.dims}); every dim but the batch dim needs one`,
    hint: 'give them with --fix-dim NAME=SIZE or --input-shape NAME=D0,D1,… (its batch axis is replaced by each --batch size)',
  }),
  MLS_ERR_COMPILE_NO_VARIANTS: spec<{ file: string; reasons: string }>({
    exitCode: 45, httpStatus: 400,
    message: (d) => `${d.file}: no variant could be built: ${d.reasons}; nothing was written`,
  }),
  MLS_ERR_COMPILE_CHECK_FAILED: spec<{ file: string; variant: string; output: string; maxAbsError: number; maxRelError: number }>({
    exitCode: 46, httpStatus: 500,
    message: (d) => `${d.file}: variant ${d.variant}: output '${d.output}' differs from the source model's (max abs error ${d.maxAbsError.toPrecision(3)}, max rel error ${d.maxRelError.toPrecision(3)}); nothing was written`,
    hint: 'loosen --atol/--rtol if the difference is acceptable for this provider, or compile with --ort-level basic',
  }),
  MLS_ERR_BENCH_REGRESSION: spec<{ baseline: string; threshold: number; regressions: string }>({
    exitCode: 47, httpStatus: 500,
    message: (d) => `slower than the baseline ${d.baseline} by more than ${d.threshold}%: ${d.regressions}`,
  }),
  MLS_ERR_BENCH_BASELINE_INVALID: spec<{ file: string; reason: string }>({
    exitCode: 48, httpStatus: 400,
    message: (d) => `--baseline ${d.file}: ${d.reason}`,
    hint: 'a baseline is the document `mlserve bench --json` printed',
  }),
  MLS_ERR_BENCH_NOTHING_TO_RUN: spec<{ target: string; reason: string }>({
    exitCode: 49, httpStatus: 400,
    message: (d) => `${d.target}: nothing to benchmark: ${d.reason}`,
  }),
  // 50–59: precision (fp16, int8 quantization)
  MLS_ERR_CALIBRATION_REQUIRED: spec<{ file: string }>({
    exitCode: 50, httpStatus: 400,
    message: (d) => `${d.file}: static int8 quantization needs calibration inputs to measure activation ranges`,
    hint: 'pass --calibration DIR (test_data_set_N/input_K.pb folders, or .npy/.pb files named after the inputs), or use --quant-mode dynamic',
  }),
  MLS_ERR_CALIBRATION_INVALID: spec<{ dir: string; reason: string }>({
    exitCode: 51, httpStatus: 400,
    message: (d) => `--calibration ${d.dir}: ${d.reason}`,
    hint: 'calibration inputs are laid out like --inputs: test_data_set_N/input_K.pb folders, or <input>.npy / <input>.pb files',
  }),
  MLS_ERR_ACCURACY_GATE_FAILED: spec<{ file: string; precision: string; failures: string }>({
    exitCode: 52, httpStatus: 422,
    message: (d) => `${d.file}: the ${d.precision} model misses the accuracy gate: ${d.failures}; nothing was written`,
    hint: 'keep the sensitive nodes in float32 (--exclude-nodes/--exclude-ops, --op-block-list), calibrate on more representative inputs, or loosen --max-accuracy-loss',
  }),
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
type DetailsOf<C extends ErrorCode> = (typeof ERROR_CODES)[C] extends ErrorSpec<infer D> ? D : never;

/** Exit code for failures that are not an MlserveError: a bug in mlserve. */
export const INTERNAL_ERROR_EXIT_CODE = 1;

export class MlserveError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly details: DetailsOf<C>;

  constructor(code: C, details: DetailsOf<C>, options?: { cause?: unknown }) {
    super((ERROR_CODES[code] as ErrorSpec<DetailsOf<C>>).message(details), options);
    this.name = 'MlserveError';
    this.code = code;
    this.details = details;
  }

  get exitCode(): number { return ERROR_CODES[this.code].exitCode; }
  get httpStatus(): number { return ERROR_CODES[this.code].httpStatus; }
  get hint(): string | undefined { return (ERROR_CODES[this.code] as ErrorSpec<unknown>).hint; }

  /** The plain form that crosses worker threads; `fromPlain` rebuilds it on the other side. */
  toPlain(): { code: C; message: string; details: DetailsOf<C> } {
    return { code: this.code, message: this.message, details: this.details };
  }

  static fromPlain(plain: { code: string; details: unknown }): MlserveError {
    if (!(plain.code in ERROR_CODES)) throw new Error(`unknown mlserve error code ${plain.code}`);
    return new MlserveError(plain.code as ErrorCode, plain.details as never);
  }
}

export function isMlserveError(e: unknown): e is MlserveError {
  return e instanceof MlserveError;
}
