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
  MLS_ERR_OPTIMIZE_CHECK_FAILED: spec<{ file: string; output: string; maxAbsError: number; maxRelError: number; culprit: string }>({
    exitCode: 32, httpStatus: 500,
    message: (d) => `${d.file}: the optimized model's output '${d.output}' differs from the original (max abs error ${d.maxAbsError.toPrecision(3)}, max rel error ${d.maxRelError.toPrecision(3)})${d.culprit ? `; first broken by pass ${d.culprit}` : ''}; nothing was written`,
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
