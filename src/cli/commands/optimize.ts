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

interface OptimizeFlags {
  output?: string;
  dryRun?: boolean;
  passes?: string[];
  O?: 'O0' | 'O1' | 'O2';
  listPasses?: boolean;
  inputShape?: Map<string, number[]>;
  fixDim?: Record<string, number>;
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
}

const invalid = (option: string, value: string, reason: string) => new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option, value, reason });

function parseCount(option: string, min: number) {
  return (value: string): number => {
    const n = Number(value.trim());
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) throw invalid(option, value, `expected an integer ≥ ${min}`);
    return n;
  };
}

function parseTolerance(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw invalid(option, value, 'expected a non-negative number, e.g. 1e-4');
    return n;
  };
}

function parseLevel(value: string): 'O0' | 'O1' | 'O2' {
  const level = value.replace(/^O/i, '');
  if (level !== '0' && level !== '1' && level !== '2') throw invalid('-O', value, 'expected -O0, -O1 or -O2');
  return `O${level}`;
}

function parsePassList(value: string, previous?: string[]): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw invalid('--passes', value, 'empty pass name (two commas in a row or a trailing comma)');
  return [...(previous ?? []), ...names];
}

export function registerOptimize(program: Command): void {
  program
    .command('optimize')
    .description('rewrite a model into a smaller equivalent graph (cleanup, constant folding, fusions), checked in onnxruntime before it is written')
    .argument('[model]', 'the .onnx file (not needed with --list-passes)')
    .option('-o, --output <file>', 'where to write the optimized model (atomically; required unless --dry-run)')
    .option('--dry-run', 'optimize and check, but write nothing')
    .option('-O <level>', 'preset: -O0 load and save, -O1 cleanup and constant folding, -O2 also fusions (default)', parseLevel)
    .option('--passes <a,b,c>', 'run exactly these passes, in this order, to a fixed point (repeatable; see --list-passes)', parsePassList)
    .option('--list-passes', 'list every pass: name, kind, presets, summary')
    .option('--input-shape <name=dims>', "fix an input's shape, e.g. x=1,3,224,224 (repeatable)", collectInputShape)
    .option('--fix-dim <name=value>', 'set a symbolic dim everywhere it appears, e.g. batch_size=1 (repeatable)', collectFixDim)
    .option('--check <n>', 'compare original and optimized in onnxruntime on N random inputs; 0 skips', parseCount('--check', 0), 1)
    .option('--inputs <dir>', 'check on these inputs instead: .npy/.pb files named after the inputs, or test_data_set_N/input_K.pb folders')
    .option('--atol <x>', 'absolute tolerance of the check (default 1e-4)', parseTolerance('--atol'))
    .option('--rtol <x>', 'relative tolerance of the check (default 1e-3)', parseTolerance('--rtol'))
    .option('--bisect', 'when the check fails, name the first pass that broke equivalence')
    .option('--fold-size-limit <bytes>', 'leave a constant unfolded when its result is bigger than this and than its inputs (default 1MiB; units like 4MB)', (v: string) => parseByteSize(v, '--fold-size-limit'))
    .option('--fold-initializer-inputs', 'also fold initializers that are graph inputs (IR < 4 lets callers override those)')
    .addOption(new Option('--target <runtime>', 'the runtime the model is for; onnxruntime allows com.microsoft contrib ops').choices(['onnx', 'onnxruntime']))
    .option('--target-opset <n>', 'a pass may raise the default-domain opset up to N when a fusion needs it', parseCount('--target-opset', 1))
    .option('--external-data <bytes>', 'write tensors of at least this size to OUT.onnx.data (units like 1KB)', (v: string) => parseByteSize(v, '--external-data'))
    .option('--json', 'print one JSON document')
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
        ...(flags.output !== undefined ? { output: flags.output } : {}),
        ...(flags.externalData !== undefined ? { externalDataThresholdBytes: flags.externalData } : {}),
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
