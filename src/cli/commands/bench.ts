/**
 * `mlserve bench MODEL|BUNDLE_DIR`: latency (mean, p50, p90, p95, p99, max), throughput, session
 * creation time and peak RSS per variant, measured on this machine. Prints a table (best per batch
 * size marked), or Markdown, or one JSON document; --report writes an HTML page with charts; --select
 * records the variants to serve in the bundle's manifest; --baseline with --fail-on-regression makes
 * a CI step fail when a variant got slower.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { MlserveError } from '../../errors.js';
import { createOutput } from '../output.js';
import { collectFixDim } from '../parse-fix-dim.js';
import { collectInputShape } from '../parse-input-shape.js';
import { collectInputValue } from '../parse-input-value.js';
import { collectNames, collectPositiveInts, parseCount, parseDuration, parseNonNegativeNumber, parsePositiveNumber } from '../parse-list.js';
import { withProgress } from '../progress-line.js';

interface BenchFlags {
  provider?: string[];
  batch?: number[];
  warmup?: number;
  iterations?: number;
  duration?: number;
  threads?: number;
  ortLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  inputs?: string;
  inputShape?: Map<string, number[]>;
  fixDim?: Record<string, number>;
  inputValue?: Record<string, number>;
  batchDim?: string;
  json?: boolean;
  markdown?: boolean;
  report?: string;
  select?: boolean;
  maxLatencyMs?: number;
  baseline?: string;
  failOnRegression?: number;
  listProviders?: boolean;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('measure latency percentiles, throughput, load time and memory per variant on this machine; pick the variants to serve')
    .argument('[target]', 'a .onnx file or a bundle directory written by `mlserve compile` (not needed with --list-providers)')
    .option('--provider <list>', 'only these execution providers (a model file: default cpu)', collectNames('--provider'))
    .option('--batch <list>', 'only these batch sizes (a model file: default 1)', collectPositiveInts('--batch'))
    .option('--warmup <n>', 'untimed runs before measuring (default 5)', parseCount('--warmup', 0))
    .option('--iterations <n>', 'timed runs per variant', parseCount('--iterations', 1))
    .option('--duration <time>', 'time per variant, e.g. 10s or 500ms (default 5s; with --iterations, whichever ends first)', parseDuration('--duration'))
    .option('--threads <n>', 'intra-op threads (default: the number of CPUs; with --select, the threads of one `mlserve serve` worker)', parseCount('--threads', 1))
    .addOption(new Option('--ort-level <level>', 'graph optimization level sessions load with (default all)').choices(['disabled', 'basic', 'extended', 'all']))
    .option('--inputs <dir>', 'feed these tensors (.npy/.pb named after the inputs, or test_data_set_N folders) instead of random ones; batch-1 tensors are repeated to each batch size')
    .option('--input-shape <name=dims>', "a model file's input shape, its batch axis replaced per batch size (repeatable)", collectInputShape)
    .option('--fix-dim <name=value>', "a model file's symbolic dim other than the batch dim (repeatable)", collectFixDim)
    .option('--input-value <name=value>', 'fill an input with this number instead of random values, e.g. sr=16000 (repeatable)', collectInputValue)
    .option('--batch-dim <name>', "the symbolic dim that is a model file's batch")
    .option('--json', 'print one JSON document')
    .option('--markdown', 'print the table as Markdown')
    .option('--report <file.html>', 'also write a self-contained HTML page with charts')
    .option('--select', "write the best variant per batch size and the batch sizes worth serving into the bundle's manifest")
    .option('--max-latency-ms <ms>', 'with --select: only variants whose p99 latency is at most this', parsePositiveNumber('--max-latency-ms'))
    .option('--baseline <old.json>', 'compare with an earlier `mlserve bench --json` document')
    .option('--fail-on-regression <percent>', 'with --baseline: exit with an error when a variant is more than this many percent slower', parseNonNegativeNumber('--fail-on-regression'))
    .option('--list-providers', 'list the execution providers and whether this machine can use them')
    .action(async (target: string | undefined, flags: BenchFlags, command: Command) => {
      const globals = command.optsWithGlobals<{ color?: boolean }>();
      const out = createOutput({ json: flags.json === true, color: globals.color !== false });
      if (flags.listProviders) return listProviders(out);
      if (target === undefined) throw new MlserveError('MLS_ERR_USAGE', { message: "missing required argument 'target'" });
      if (flags.json && flags.markdown) throw new MlserveError('MLS_ERR_USAGE', { message: '--json and --markdown exclude each other' });
      if (flags.maxLatencyMs !== undefined && !flags.select) throw new MlserveError('MLS_ERR_USAGE', { message: '--max-latency-ms applies to --select' });

      const { bench } = await import('../../bench/bench.js');
      const run = await withProgress(out, (update) => bench(target, {
        ...(flags.provider ? { providers: flags.provider } : {}),
        ...(flags.batch ? { batchSizes: flags.batch } : {}),
        ...(flags.warmup !== undefined ? { warmup: flags.warmup } : {}),
        ...(flags.iterations !== undefined ? { iterations: flags.iterations } : {}),
        ...(flags.duration !== undefined ? { durationMs: flags.duration } : {}),
        ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
        ...(flags.ortLevel ? { graphOptimizationLevel: flags.ortLevel } : {}),
        ...(flags.inputs !== undefined ? { inputs: flags.inputs } : {}),
        ...(flags.inputShape ? { inputShapes: flags.inputShape } : {}),
        ...(flags.fixDim ? { fixDims: flags.fixDim } : {}),
        ...(flags.inputValue ? { inputValues: { ...flags.inputValue } } : {}),
        ...(flags.batchDim !== undefined ? { batchDim: flags.batchDim } : {}),
        select: flags.select === true,
        ...(flags.maxLatencyMs !== undefined ? { maxLatencyMs: flags.maxLatencyMs } : {}),
        ...(flags.baseline !== undefined ? { baseline: flags.baseline } : {}),
        ...(flags.failOnRegression !== undefined ? { failOnRegressionPercent: flags.failOnRegression } : {}),
        onProgress: update,
      }), (text) => text.endsWith(': measuring'));

      if (flags.report !== undefined) {
        const { benchHtmlReport } = await import('../../bench/html-report.js');
        try {
          fs.writeFileSync(flags.report, benchHtmlReport(run));
        } catch (e) {
          throw new MlserveError('MLS_ERR_WRITE_FAILED', { file: flags.report, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { cause: e });
        }
        out.info(`wrote ${flags.report}`);
      }
      const { formatBenchTable, formatBenchMarkdown } = await import('../../bench/format-bench.js');
      if (out.json) out.printJson(run.document);
      else if (flags.markdown) out.print(formatBenchMarkdown(run.document));
      else {
        const s = out.style;
        out.print(formatBenchTable(run.document, { bold: s.bold, green: s.green, dim: s.dim, red: s.red }));
      }
      const { regressionError } = await import('../../bench/compare-baseline.js');
      const regression = run.document.comparison ? regressionError(run.document.comparison) : undefined;
      if (regression) throw regression;
    });
}

async function listProviders(out: ReturnType<typeof createOutput>): Promise<void> {
  const { listProviders: list } = await import('../../runtime/providers.js');
  const statuses = await list();
  if (out.json) {
    out.printJson(statuses);
    return;
  }
  out.print(out.table(statuses.map((s) => [s.name, s.runtime, s.usable ? 'yes' : 'no', s.reason ?? '']), ['provider', 'runtime', 'usable', 'note']));
}
