/**
 * `mlserve serve MODEL|BUNDLE_DIR|REPO_DIR`: the KServe v2 HTTP server over the serving core. Logs go to
 * stderr as JSON lines (--log-level); once every model is loaded and warmed up, one plain line
 * `mlserve: serving NAME[, NAME…] on http://HOST:PORT` follows (with the real port when --port 0), which
 * scripts can wait for. SIGTERM or SIGINT: stop accepting, answer every accepted request, exit 0; a second
 * signal exits at once (128 + signal number).
 */
import type { Command } from 'commander';
import { MlserveError } from '../../errors.js';
import type { ServingOptions } from '../../serve/serving.js';
import { collectInputShape } from '../parse-input-shape.js';
import { collectInputValue } from '../parse-input-value.js';

/** The batcher and worker flags are the library's own options; the rest belong to the HTTP server. */
interface ServeFlags extends Pick<ServingOptions, 'maxBatch' | 'maxDelayMs' | 'dispatchWhenIdle' | 'workers' | 'threadsPerWorker' | 'queueLimit' | 'timeoutMs'> {
  port: number;
  host: string;
  maxBodyMb: number;
  modelControl: 'none' | 'explicit';
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  name?: string;
  inputShape?: Map<string, number[]>;
  inputValue?: Record<string, number>;
}

const invalid = (option: string, value: string, reason: string) => new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option, value, reason });

function parseInteger(option: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value.trim());
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw invalid(option, value, max === Number.MAX_SAFE_INTEGER ? `expected an integer ≥ ${min}` : `expected an integer from ${min} to ${max}`);
    }
    return n;
  };
}

function parseNumber(option: string, positive: boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (positive && n === 0)) {
      throw invalid(option, value, positive ? 'expected a number > 0' : 'expected a number ≥ 0');
    }
    return n;
  };
}

function parseChoice<T extends string>(option: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw invalid(option, value, `expected one of ${choices.join(', ')}`);
    return value as T;
  };
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGINT: 2, SIGTERM: 15 };

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve a model, a compiled bundle or a model repository over HTTP (KServe v2 / Open Inference Protocol) with dynamic batching')
    .argument('<model>', 'a .onnx file, a bundle directory, or a repository REPO_DIR/<name>/<version>/model.onnx')
    .option('--port <n>', 'TCP port; 0 picks a free one (printed on start)', parseInteger('--port', 0, 65535), 8000)
    .option('--host <address>', 'address to listen on (loopback by default; 0.0.0.0 for every interface)', '127.0.0.1')
    .option('--max-batch <n>', 'most rows per batch (default 8 for a dynamic-batch model; a bundle: its largest compiled size)', parseInteger('--max-batch', 1))
    .option('--max-delay-ms <ms>', 'longest a batch waits for more rows after its first request (default 2)', parseNumber('--max-delay-ms', false))
    .option('--dispatch-when-idle', 'while no batch is computing, send a request at once instead of waiting --max-delay-ms for company')
    .option('--workers <n>', 'inference worker threads per model version (default: from the core count, at most 4)', parseInteger('--workers', 1))
    .option('--threads-per-worker <n>', 'onnxruntime intra-op threads per worker (default: cores ÷ workers)', parseInteger('--threads-per-worker', 1))
    .option('--queue-limit <n>', 'requests allowed to wait per model version; more get 503 (default 1024)', parseInteger('--queue-limit', 1))
    .option('--timeout-ms <ms>', 'a request still queued after this long gets 504 and is not computed (default: no limit)', parseNumber('--timeout-ms', true))
    .option('--max-body-mb <MiB>', 'largest request body, in MiB; larger ones get 413', parseNumber('--max-body-mb', true), 64)
    .option('--model-control <mode>', "'explicit' allows POST /v2/repository/models/NAME/load and /unload", parseChoice('--model-control', ['none', 'explicit'] as const), 'none')
    .option('--log-level <level>', 'JSON log lines on stderr at this level and above: error, warn, info, debug (debug logs every request)', parseChoice('--log-level', ['error', 'warn', 'info', 'debug'] as const), 'info')
    .option('--name <name>', 'the model\'s name in URLs (a single model; default: its file or directory name)')
    .option('--input-shape <name=dims>', "an input's shape for the warm-up runs, e.g. x=1,3,48,320 (its batch axis is replaced per batch size; other dynamic dims warm up at 1) (repeatable)", collectInputShape)
    .option('--input-value <name=value>', 'fill an input with this number in the warm-up runs instead of zeros, e.g. sr=16000 (repeatable)', collectInputValue)
    .addHelpText('after', '\nEndpoints: GET /v2/health/live, /v2/health/ready, /v2, /v2/models/NAME[/versions/V][/ready], /metrics;\nPOST /v2/models/NAME[/versions/V]/infer, /v2/repository/index. See the README for examples.')
    .action(async (modelPath: string, flags: ServeFlags, command: Command) => {
      // Lazily: `mlserve --help` and other commands never load the server or onnxruntime.
      const { InferenceServer } = await import('../../serve/http/inference-server.js');
      const { createJsonLogger } = await import('../../serve/http/json-logger.js');
      const log = createJsonLogger({ level: flags.logLevel });
      const server = await InferenceServer.start({
        model: modelPath,
        ...(flags.name !== undefined ? { name: flags.name } : {}),
        host: flags.host,
        port: flags.port,
        maxBodyBytes: Math.round(flags.maxBodyMb * 1024 * 1024),
        modelControl: flags.modelControl,
        log,
        serverVersion: command.parent?.version() ?? '0.0.0',
        ...(flags.maxBatch !== undefined ? { maxBatch: flags.maxBatch } : {}),
        ...(flags.maxDelayMs !== undefined ? { maxDelayMs: flags.maxDelayMs } : {}),
        ...(flags.dispatchWhenIdle ? { dispatchWhenIdle: true } : {}),
        ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
        ...(flags.threadsPerWorker !== undefined ? { threadsPerWorker: flags.threadsPerWorker } : {}),
        ...(flags.queueLimit !== undefined ? { queueLimit: flags.queueLimit } : {}),
        ...(flags.timeoutMs !== undefined ? { timeoutMs: flags.timeoutMs } : {}),
        ...(flags.inputShape !== undefined ? { warmupShapes: Object.fromEntries(flags.inputShape) } : {}),
        ...(flags.inputValue !== undefined ? { warmupValues: { ...flags.inputValue } } : {}),
      });
      const names = [...new Set(server.repository.served().map((s) => s.name))].join(', ');
      process.stderr.write(`mlserve: serving ${names} on ${server.url}\n`);

      await new Promise<void>((resolve, reject) => {
        let signalled = false;
        const onSignal = (signal: NodeJS.Signals) => {
          if (signalled) {
            log.warn('second signal: exiting without finishing the requests in flight', { signal });
            process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
          }
          signalled = true;
          log.info('signal received: finishing the requests in flight', { signal, inFlight: server.inFlight });
          server.shutdown().then(resolve, reject);
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
    });
}
