/**
 * `mlserve optimize MODEL -o OUT.onnx`: rewrite a model into a smaller equivalent graph and prove it
 * equivalent in onnxruntime before writing it. Pass selection (-O0/-O1/-O2 or --passes), fixed shapes
 * (--input-shape, --fix-dim), the check (--check N, --inputs DIR, --atol/--rtol, --bisect) and the
 * pass options (--fold-size-limit, --fold-initializer-inputs, --target, --target-opset) map one to one
 * onto optimize()'s options. --list-passes needs no model. With --json stdout holds one document.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { MlserveError } from '../../errors.js';
import { createOutput } from '../output.js';
import { parseByteSize } from '../parse-byte-size.js';
import { collectFixDim } from '../parse-fix-dim.js';
import { collectInputShape } from '../parse-input-shape.js';
import { collectInputValue } from '../parse-input-value.js';
import { collectNames, parseCount, parseNonNegativeNumber, parsePositiveNumber } from '../parse-list.js';
import { parseOptLevel } from '../parse-opt-level.js';
import { parseAccuracyGate } from '../../optimize/accuracy-gate.js';
import type { PrecisionOptions } from '../../optimize/precision.js';

interface OptimizeFlags {
  output?: string;
  dryRun?: boolean;
  passes?: string[];
  O?: 'O0' | 'O1' | 'O2';
  listPasses?: boolean;
  inputShape?: Map<string, number[]>;
  fixDim?: Record<string, number>;
  inputValue?: Record<string, number>;
  check: number;
  inputs?: string;
  atol?: number;
  rtol?: number;
  bisect?: boolean;
  foldSizeLimit?: number;
  foldInitializerInputs?: boolean;
  target?: 'onnx' | 'onnxruntime';
  targetOpset?: number;
  externalData?: number;
  json?: boolean;
  precision?: 'fp16' | 'int8';
  keepIoTypes?: boolean;
  opBlockList?: string[];
  nodeBlockList?: string[];
  quantMode?: 'dynamic' | 'static';
  calibration?: string;
  calibMethod?: 'minmax' | 'percentile' | 'entropy';
  calibPercentile?: number;
  excludeNodes?: string[];
  excludeOps?: string[];
  perChannel?: boolean;
  activationType?: 'uint8' | 'int8';
  weightType?: 'int8' | 'uint8';
  maxAccuracyLoss?: string;
}

export function registerOptimize(program: Command): void {
  program
    .command('optimize')
    .description('rewrite a model into a smaller equivalent graph (cleanup, constant folding, fusions), checked in onnxruntime before it is written')
    .argument('[model]', 'the .onnx file (not needed with --list-passes)')
    .option('-o, --output <file>', 'where to write the optimized model (atomically; required unless --dry-run)')
    .option('--dry-run', 'optimize and check, but write nothing')
    .option('-O <level>', 'preset: -O0 load and save, -O1 cleanup and constant folding, -O2 also fusions (default)', parseOptLevel)
    .option('--passes <a,b,c>', 'run exactly these passes, in this order, to a fixed point (repeatable; see --list-passes)', collectNames('--passes'))
    .option('--list-passes', 'list every pass: name, kind, presets, summary')
    .option('--input-shape <name=dims>', "fix an input's shape, e.g. x=1,3,224,224 (repeatable)", collectInputShape)
    .option('--fix-dim <name=value>', 'set a symbolic dim everywhere it appears, e.g. batch_size=1 (repeatable)', collectFixDim)
    .option('--input-value <name=value>', 'fill an input with this number instead of random values, e.g. sr=16000 (repeatable)', collectInputValue)
    .option('--check <n>', 'compare original and optimized in onnxruntime on N random inputs; 0 skips', parseCount('--check', 0), 1)
    .option('--inputs <dir>', 'check on these inputs instead: .npy/.pb files named after the inputs, or test_data_set_N/input_K.pb folders')
    .option('--atol <x>', 'absolute tolerance of the check (default 1e-4)', parseNonNegativeNumber('--atol'))
    .option('--rtol <x>', 'relative tolerance of the check (default 1e-3)', parseNonNegativeNumber('--rtol'))
    .option('--bisect', 'when the check fails, name the first pass that broke equivalence')
    .option('--fold-size-limit <bytes>', 'leave a constant unfolded when its result is bigger than this and than its inputs (default 1MiB; units like 4MB)', (v: string) => parseByteSize(v, '--fold-size-limit'))
    .option('--fold-initializer-inputs', 'also fold initializers listed as graph inputs (from IR 4 on, callers may override those; before IR 4 every initializer is listed and constant)')
    .addOption(new Option('--target <runtime>', 'the runtime the model is for; onnxruntime allows com.microsoft contrib ops').choices(['onnx', 'onnxruntime']))
    .option('--target-opset <n>', 'a pass may raise the default-domain opset up to N when a fusion needs it', parseCount('--target-opset', 1))
    .option('--external-data <bytes>', 'write tensors of at least this size to OUT.onnx.data (units like 1KB)', (v: string) => parseByteSize(v, '--external-data'))
    .option('--json', 'print one JSON document')
    .addOption(new Option('--precision <type>', 'after the passes, convert to float16 or quantize to int8; prints an accuracy report against the float32 model').choices(['fp16', 'int8']))
    .option('--no-keep-io-types', 'fp16: make graph inputs and outputs float16 too (by default they stay float32, with Casts at the boundary)')
    .option('--op-block-list <ops>', 'fp16: also keep these op types in float32 (comma-separated, repeatable)', collectNames('--op-block-list'))
    .option('--node-block-list <names>', 'fp16: keep these nodes in float32 (comma-separated, repeatable)', collectNames('--node-block-list'))
    .addOption(new Option('--quant-mode <mode>', 'int8: dynamic (activations quantized at run time; default) or static (QDQ, calibrated)').choices(['dynamic', 'static']))
    .option('--calibration <dir>', 'int8 static: calibration inputs, laid out like --inputs (test_data_set_N folders or .npy/.pb files)')
    .addOption(new Option('--calib-method <method>', 'int8 static: how activation ranges are chosen (default minmax)').choices(['minmax', 'percentile', 'entropy']))
    .option('--calib-percentile <p>', 'int8 static: percentile for --calib-method percentile (default 99.99; implies that method)', parsePositiveNumber('--calib-percentile'))
    .option('--exclude-nodes <names>', 'int8: leave these nodes in float32 (comma-separated, repeatable)', collectNames('--exclude-nodes'))
    .option('--exclude-ops <ops>', 'int8: leave these op types in float32 (comma-separated, repeatable)', collectNames('--exclude-ops'))
    .option('--no-per-channel', 'int8: one scale per weight tensor instead of one per output channel')
    .addOption(new Option('--activation-type <type>', 'int8 static: element type of quantized activations (default uint8)').choices(['uint8', 'int8']))
    .addOption(new Option('--weight-type <type>', 'int8: element type of quantized weights (default int8)').choices(['int8', 'uint8']))
    .option('--max-accuracy-loss <gate>', 'precision: fail (write nothing) unless every output keeps this accuracy, e.g. cosine=0.99,top1=0.98 (default cosine=0.99)')
    .addHelpText('after', '\nWith the global --verbose, also list every rewrite a pass declined and why.')
    .action(async (modelPath: string | undefined, flags: OptimizeFlags, command: Command) => {
      const globals = command.optsWithGlobals<{ color?: boolean; verbose?: boolean }>();
      const out = createOutput({ json: flags.json === true, color: globals.color !== false });
      if (flags.listPasses) return listPasses(out);

      if (modelPath === undefined) throw new MlserveError('MLS_ERR_USAGE', { message: "missing required argument 'model'" });
      if (flags.output === undefined && !flags.dryRun) {
        throw new MlserveError('MLS_ERR_USAGE', { message: 'optimize needs -o OUT.onnx (or --dry-run to write nothing)' });
      }
      if (flags.output !== undefined && flags.dryRun) throw new MlserveError('MLS_ERR_USAGE', { message: '-o and --dry-run exclude each other' });
      if (flags.passes && flags.O) throw new MlserveError('MLS_ERR_USAGE', { message: `--passes and -${flags.O} exclude each other: --passes names the exact list` });
      const precision = precisionOptions(flags);

      // Lazily: `mlserve --help` and other commands never load the passes or onnxruntime.
      const { optimize } = await import('../../optimize/optimize.js');
      const { formatOptimizeReport, optimizeReportJson } = await import('../../optimize/format-report.js');
      const { report } = await out.task(`optimizing ${modelPath}`, () => optimize(modelPath, {
        passes: flags.passes ?? flags.O ?? 'O2',
        passOptions: {
          ...(flags.foldSizeLimit !== undefined ? { foldSizeLimitBytes: flags.foldSizeLimit } : {}),
          ...(flags.foldInitializerInputs ? { foldInitializerInputs: true } : {}),
          ...(flags.target ? { target: flags.target } : {}),
          ...(flags.targetOpset !== undefined ? { targetOpset: flags.targetOpset } : {}),
        },
        check: flags.check,
        ...(flags.inputs !== undefined ? { inputs: flags.inputs } : {}),
        ...(flags.atol !== undefined ? { atol: flags.atol } : {}),
        ...(flags.rtol !== undefined ? { rtol: flags.rtol } : {}),
        bisect: flags.bisect === true,
        ...(flags.inputShape ? { inputShapes: flags.inputShape } : {}),
        ...(flags.fixDim ? { fixDims: flags.fixDim } : {}),
        ...(flags.inputValue ? { inputValues: { ...flags.inputValue } } : {}),
        ...(flags.output !== undefined ? { output: flags.output } : {}),
        ...(flags.externalData !== undefined ? { externalDataThresholdBytes: flags.externalData } : {}),
        ...(precision ? { precision } : {}),
      }));
      if (out.json) {
        out.printJson(optimizeReportJson(report));
        return;
      }
      const s = out.style;
      out.print(formatOptimizeReport(report, {
        table: out.table,
        style: { bold: s.bold, dim: s.dim, green: s.green, red: s.red },
        verbose: globals.verbose === true,
        dryRun: flags.dryRun === true,
      }));
    });
}

/** The --precision options, or undefined; precision flags without --precision are a usage error. */
function precisionOptions(flags: OptimizeFlags): PrecisionOptions | undefined {
  const given = [
    ['--op-block-list', flags.opBlockList], ['--node-block-list', flags.nodeBlockList], ['--quant-mode', flags.quantMode],
    ['--calibration', flags.calibration], ['--calib-method', flags.calibMethod], ['--calib-percentile', flags.calibPercentile],
    ['--exclude-nodes', flags.excludeNodes], ['--exclude-ops', flags.excludeOps], ['--activation-type', flags.activationType],
    ['--weight-type', flags.weightType], ['--max-accuracy-loss', flags.maxAccuracyLoss],
    ['--no-keep-io-types', flags.keepIoTypes === false ? true : undefined], ['--no-per-channel', flags.perChannel === false ? true : undefined],
  ].filter(([, v]) => v !== undefined).map(([k]) => k as string);
  if (!flags.precision) {
    if (given.length > 0) throw new MlserveError('MLS_ERR_USAGE', { message: `${given.join(', ')} only appl${given.length === 1 ? 'ies' : 'y'} with --precision fp16|int8` });
    return undefined;
  }
  const fp16Only = ['--op-block-list', '--node-block-list', '--no-keep-io-types'];
  const int8Only = ['--quant-mode', '--calibration', '--calib-method', '--calib-percentile', '--exclude-nodes', '--exclude-ops', '--activation-type', '--weight-type', '--no-per-channel'];
  const wrong = given.filter((k) => (flags.precision === 'fp16' ? int8Only : fp16Only).includes(k));
  if (wrong.length > 0) throw new MlserveError('MLS_ERR_USAGE', { message: `${wrong.join(', ')} do${wrong.length === 1 ? 'es' : ''} not apply to --precision ${flags.precision}` });
  const staticOnly = ['--calibration', '--calib-method', '--calib-percentile', '--activation-type'].filter((k) => given.includes(k));
  if (flags.precision === 'int8' && flags.quantMode !== 'static' && staticOnly.length > 0) {
    throw new MlserveError('MLS_ERR_USAGE', { message: `${staticOnly.join(', ')} need${staticOnly.length === 1 ? 's' : ''} --quant-mode static` });
  }
  return {
    precision: flags.precision,
    ...(flags.keepIoTypes === false ? { keepIoTypes: false } : {}),
    ...(flags.opBlockList ? { opBlockList: flags.opBlockList } : {}),
    ...(flags.nodeBlockList ? { nodeBlockList: flags.nodeBlockList } : {}),
    ...(flags.quantMode ? { quantMode: flags.quantMode } : {}),
    ...(flags.calibration !== undefined ? { calibration: flags.calibration } : {}),
    ...(flags.calibMethod ? { calibrationMethod: flags.calibMethod } : {}),
    ...(flags.calibPercentile !== undefined ? { calibrationPercentile: flags.calibPercentile } : {}),
    ...(flags.excludeNodes ? { excludeNodes: flags.excludeNodes } : {}),
    ...(flags.excludeOps ? { excludeOps: flags.excludeOps } : {}),
    ...(flags.perChannel === false ? { perChannel: false } : {}),
    ...(flags.activationType ? { activationType: flags.activationType } : {}),
    ...(flags.weightType ? { weightType: flags.weightType } : {}),
    ...(flags.maxAccuracyLoss !== undefined ? { maxAccuracyLoss: parseAccuracyGate(flags.maxAccuracyLoss) } : {}),
  };
}

async function listPasses(out: ReturnType<typeof createOutput>): Promise<void> {
  const { PASSES, presetPasses } = await import('../../passes/index.js');
  const { formatPassList } = await import('../../optimize/format-report.js');
  const presets = (['O1', 'O2'] as const).map((p) => [p, new Set(presetPasses(p))] as const);
  const presetsOf = (pass: (typeof PASSES)[number]) => presets.filter(([, set]) => set.has(pass)).map(([p]) => p);
  if (out.json) {
    out.printJson(PASSES.map((p) => ({ name: p.name, kind: p.kind, presets: presetsOf(p), summary: p.summary })));
    return;
  }
  out.print(formatPassList(PASSES, presetsOf, out.table));
}
