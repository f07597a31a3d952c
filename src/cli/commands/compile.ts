/**
 * `mlserve compile MODEL -o BUNDLE_DIR`: fixed-shape variants per provider × batch size × precision,
 * each run through mlserve's passes and onnxruntime's offline optimizer, checked against the source
 * model in its provider, and recorded with hashes in BUNDLE_DIR/manifest.json.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { MlserveError } from '../../errors.js';
import { createOutput } from '../output.js';
import { collectFixDim } from '../parse-fix-dim.js';
import { collectInputShape } from '../parse-input-shape.js';
import { collectInputValue } from '../parse-input-value.js';
import { collectNames, collectPositiveInts, parseCount, parseNonNegativeNumber } from '../parse-list.js';
import { parseOptLevel } from '../parse-opt-level.js';
import { withProgress } from '../progress-line.js';

interface CompileFlags {
  output?: string;
  provider?: string[];
  batch?: number[];
  precision?: string[];
  inputShape?: Map<string, number[]>;
  fixDim?: Record<string, number>;
  inputValue?: Record<string, number>;
  batchDim?: string;
  O?: 'O0' | 'O1' | 'O2';
  passes?: string[];
  ortLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  check: number;
  atol?: number;
  rtol?: number;
  threads?: number;
  json?: boolean;
}

export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('build fixed-shape variants per execution provider × batch size × precision into a bundle with a manifest')
    .argument('<model>', 'the .onnx file')
    .option('-o, --output <dir>', 'the bundle directory to write (required; an existing bundle there is replaced atomically)')
    .option('--provider <list>', 'execution providers, e.g. cpu,wasm (default cpu; repeatable)', collectNames('--provider'))
    .option('--batch <list>', 'batch sizes, e.g. 1,2,4,8 (default 1; repeatable)', collectPositiveInts('--batch'))
    .option('--precision <list>', 'fp32 (default); fp16 and int8 are not supported yet', collectNames('--precision'))
    .option('--input-shape <name=dims>', "an input's whole shape, e.g. x=1,3,48,320; its batch axis is replaced per variant (repeatable)", collectInputShape)
    .option('--fix-dim <name=value>', 'a symbolic dim other than the batch dim, e.g. width=320 (repeatable)', collectFixDim)
    .option('--input-value <name=value>', 'fill an input with this number instead of random values, e.g. sr=16000 (repeatable)', collectInputValue)
    .option('--batch-dim <name>', 'the symbolic dim that is the batch (default: each input\'s symbolic leading dim)')
    .option('-O <level>', 'mlserve passes: -O0 none, -O1 cleanup and folding, -O2 also fusions (default)', parseOptLevel)
    .option('--passes <a,b,c>', 'exactly these mlserve passes (see mlserve optimize --list-passes)', collectNames('--passes'))
    .addOption(new Option('--ort-level <level>', "onnxruntime's offline optimization level written into each variant (default extended; 'all' bakes in this CPU's layouts)").choices(['disabled', 'basic', 'extended', 'all']))
    .option('--check <n>', 'random inputs to compare each variant with the source model on; 0 only loads it', parseCount('--check', 0), 1)
    .option('--atol <x>', 'absolute tolerance of the checks (default 1e-4)', parseNonNegativeNumber('--atol'))
    .option('--rtol <x>', 'relative tolerance of the checks (default 1e-3)', parseNonNegativeNumber('--rtol'))
    .option('--threads <n>', 'intra-op threads for the checks (default 2)', parseCount('--threads', 1))
    .option('--json', 'print one JSON document (the manifest and what was skipped)')
    .action(async (modelPath: string, flags: CompileFlags, command: Command) => {
      const globals = command.optsWithGlobals<{ color?: boolean }>();
      const out = createOutput({ json: flags.json === true, color: globals.color !== false });
      if (flags.output === undefined) throw new MlserveError('MLS_ERR_USAGE', { message: 'compile needs -o BUNDLE_DIR' });
      if (flags.passes && flags.O) throw new MlserveError('MLS_ERR_USAGE', { message: `--passes and -${flags.O} exclude each other: --passes names the exact list` });
      const output = flags.output;

      const { compile } = await import('../../compile/compile.js');
      const { formatCompileReport, compileReportJson } = await import('../../compile/format-compile-report.js');
      const result = await withProgress(out, (update) => compile(modelPath, {
        output,
        ...(flags.provider ? { providers: flags.provider } : {}),
        ...(flags.batch ? { batchSizes: flags.batch } : {}),
        ...(flags.precision ? { precisions: flags.precision } : {}),
        ...(flags.inputShape ? { inputShapes: flags.inputShape } : {}),
        ...(flags.fixDim ? { fixDims: flags.fixDim } : {}),
        ...(flags.inputValue ? { inputValues: { ...flags.inputValue } } : {}),
        ...(flags.batchDim !== undefined ? { batchDim: flags.batchDim } : {}),
        passes: flags.passes ?? flags.O ?? 'O2',
        ...(flags.ortLevel ? { optimizationLevel: flags.ortLevel } : {}),
        check: flags.check,
        ...(flags.atol !== undefined ? { atol: flags.atol } : {}),
        ...(flags.rtol !== undefined ? { rtol: flags.rtol } : {}),
        ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
        onProgress: update,
      }), (text) => text.includes('mlserve passes'));
      if (out.json) {
        out.printJson(compileReportJson(result));
        return;
      }
      const s = out.style;
      out.print(formatCompileReport(result, (rows, header) => out.table(rows, header), { bold: s.bold, dim: s.dim, yellow: s.yellow }));
    });
}
