/**
 * The CLI shell: the `mlserve` program, its global flags, the registry of subcommands and THE one
 * error mapper. Everything a command does lives in the library; a command file under ./commands/
 * exports `register<Name>(program)`, which adds its flags and an action that lazily imports the one
 * library function it wraps (so `mlserve --help` never loads onnxruntime), calls it and prints the
 * result through ./output.ts.
 *
 * Errors: whatever a command throws reaches `reportError`, which prints exactly ONE line on stderr
 * and picks the exit code:
 *   MlserveError                → `mlserve: <message> (hint: <hint>)`, exit code from src/errors.ts
 *   commander usage error       → the same, as MLS_ERR_USAGE (exit 2)
 *   anything else               → `mlserve: internal error: …` plus a bug-report request, exit 1
 * The hint rides on the same line (rather than only under --verbose) because it is the part a user
 * acts on. With --verbose, the code, details, stack and causes follow on further lines.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ERROR_CODES, INTERNAL_ERROR_EXIT_CODE, MlserveError, isMlserveError } from '../errors.js';
import { registerBench } from './commands/bench.js';
import { registerCompile } from './commands/compile.js';
import { registerInspect } from './commands/inspect.js';
import { registerOptimize } from './commands/optimize.js';
import { registerServe } from './commands/serve.js';

/** A command module's entry point: adds one subcommand to the program. */
export type RegisterCommand = (program: Command) => void;

/**
 * Every subcommand, in the order `--help` lists them. An explicit list: a command exists because it
 * is named here, never because some file was imported. Add `register<Name>` from ./commands/<name>.js.
 */
const COMMANDS: readonly RegisterCommand[] = [
  registerInspect,
  registerOptimize,
  registerCompile,
  registerBench,
  registerServe,
];

const USAGE_EXIT_CODE = ERROR_CODES.MLS_ERR_USAGE.exitCode;

/** Read at run time so the version printed is the installed package's, not one baked in at build. */
function packageVersion(): string {
  // This file runs as dist/src/cli/main.js; the package root is three levels up.
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function createProgram(): Command {
  const program = new Command('mlserve')
    .description('Take an ONNX model from a notebook export to production: inspect, optimize, compile, bench and serve.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--verbose', 'on errors, also print the error code, details and stack trace')
    .option('--no-color', 'no colour and no spinners (they are also off when output is not a terminal, or CI or NO_COLOR is set)')
    .addHelpText('after', '\nExit codes: 0 success, 1 internal error (a bug), 2 usage error, 10 and up: see the README.');
  for (const register of COMMANDS) register(program);
  // Subcommands made with `new Command()` + addCommand() do not inherit settings, so apply them to
  // the whole tree after registration: errors are thrown to `main` (never process.exit) and
  // commander prints none itself, leaving the one line to `reportError`.
  const configure = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ outputError: () => {} });
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/**
 * Runs the CLI with `argv` as Node gives it (`[node, script, ...args]`). Sets `process.exitCode`
 * instead of calling process.exit, so output piped to another process is flushed before exit.
 */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const verbose = hasFlag(argv.slice(2), '--verbose');
  const fail = (e: unknown): number => reportError(e, { verbose, write: (s) => process.stderr.write(s) });
  installProcessHandlers(fail);
  try {
    await createProgram().parseAsync([...argv]);
    // A command may have set a non-zero exit code without throwing; keep it.
    process.exitCode = Number(process.exitCode ?? 0);
  } catch (e) {
    process.exitCode = fail(e);
  }
  return process.exitCode;
}

/** Parsing has not happened (or failed) when we need this, so look for the flag before any `--`. */
function hasFlag(args: readonly string[], flag: string): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes(flag);
}

/**
 * Errors that escape the awaited command (a socket's 'error', a timer) go through the same mapper;
 * the process then exits, because state after an unexpected throw cannot be trusted. A reader that
 * closes our stdout early (`mlserve … | head`) ends the process quietly, as SIGPIPE would.
 */
function installProcessHandlers(fail: (e: unknown) => number): void {
  const fatal = (e: unknown): void => process.exit(fail(e));
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') return process.exit(Number(process.exitCode ?? 0));
    fatal(e);
  });
}

/** The one error mapper: prints one line (more only with verbose) and returns the exit code. */
export function reportError(error: unknown, options: { verbose: boolean; write: (text: string) => void }): number {
  const { verbose, write } = options;
  let e = error;
  if (e instanceof CommanderError) {
    // --help / --version / `help` have printed what they print; a bare `mlserve` printed help to stderr.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
      return e.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    }
    e = new MlserveError('MLS_ERR_USAGE', { message: e.message.replace(/^error: /, '') }, { cause: e });
  }
  if (isMlserveError(e)) {
    write(`mlserve: ${oneLine(e.message)}${e.hint ? ` (hint: ${e.hint})` : ''}\n`);
    if (verbose) {
      write(`  code: ${e.code} (exit ${e.exitCode})\n  details: ${safeJson(e.details)}\n`);
      writeStackAndCauses(e, write);
    }
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  write(`mlserve: internal error: ${oneLine(message)} (this is a bug in mlserve; please report it with the output of the same command run with --verbose)\n`);
  if (verbose) writeStackAndCauses(e, write);
  return INTERNAL_ERROR_EXIT_CODE;
}

function oneLine(text: string): string {
  return text.split(/\r?\n/).map((s) => s.trim()).filter(Boolean).join(' ');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return String(value);
  }
}

function writeStackAndCauses(e: unknown, write: (text: string) => void): void {
  let current: unknown = e;
  // Bounded: a cause chain can be cyclic.
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    const text = current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current);
    write(`${depth === 0 ? '' : 'caused by: '}${text}\n`);
    current = current instanceof Error ? current.cause : undefined;
  }
}
