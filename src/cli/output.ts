/**
 * What a command prints and how. Results go to stdout (with --json: exactly one JSON document and
 * nothing else); notes, warnings and spinners go to stderr. Colour and spinners are decorations a
 * human at a terminal asked for: they are on only when the stream is a TTY, TERM is not 'dumb',
 * neither CI nor NO_COLOR is set, and neither --no-color nor --json was given. Commands style text
 * through `out.style`, never through chalk's global instance, which does its own detection.
 */
import { Chalk, supportsColor, type ChalkInstance } from 'chalk';

export interface OutputStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface OutputOptions {
  /** --json: stdout carries one JSON document; no colour, no spinner, no notes. */
  json?: boolean;
  /** false with --no-color. */
  color?: boolean;
  stdout?: OutputStream;
  stderr?: OutputStream;
  env?: Record<string, string | undefined>;
}

export interface Output {
  readonly json: boolean;
  /** Colour on stdout. */
  readonly color: boolean;
  /** Spinners on stderr. */
  readonly interactive: boolean;
  /** Styles for stdout text; a level-0 instance (plain text) when colour is off. */
  readonly style: ChalkInstance;
  /** A line of the command's result, on stdout. */
  print(text: string): void;
  /** The one --json document, on stdout. bigint becomes a number when exact, else a string. */
  printJson(value: unknown): void;
  /** A progress note on stderr; silent with --json. */
  info(text: string): void;
  /** A warning on stderr, always shown. */
  warn(text: string): void;
  /** Aligned columns; columns whose every cell is a number are right-aligned. */
  table(rows: ReadonlyArray<ReadonlyArray<string | number>>, header?: readonly string[]): string;
  /** Runs `work` under a spinner when interactive; otherwise just runs it. */
  task<T>(text: string, work: () => Promise<T>): Promise<T>;
}

/** Set and meaningful: NO_COLOR='' means unset (no-color.org); CI=false / CI=0 is a common way to say "not CI". */
function envSet(value: string | undefined): boolean {
  return value !== undefined && value !== '';
}
function ciSet(value: string | undefined): boolean {
  return envSet(value) && value !== 'false' && value !== '0';
}

export function createOutput(options: OutputOptions = {}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const json = options.json === true;
  const decorations = !json && options.color !== false && !ciSet(env['CI'])
    && !envSet(env['NO_COLOR']) && env['TERM'] !== 'dumb';
  const color = decorations && stdout.isTTY === true;
  const errColor = decorations && stderr.isTTY === true;
  // A terminal that reports 0 columns (a pty with no window size, as under `script` or some
  // `docker exec`s) makes ora divide by zero and erase lines forever, so no spinner there.
  const interactive = errColor && (stderr.columns ?? 80) > 0;
  // When we decide colour is on, keep the terminal's detected depth (256 colours, truecolor) if any.
  const level = (supportsColor ? supportsColor.level : 0) || 1;
  const style = new Chalk({ level: color ? level : 0 });
  const errStyle = new Chalk({ level: errColor ? level : 0 });

  return {
    json,
    color,
    interactive,
    style,
    print(text) {
      stdout.write(`${text}\n`);
    },
    printJson(value) {
      stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
    },
    info(text) {
      if (!json) stderr.write(`${errStyle.dim(text)}\n`);
    },
    warn(text) {
      stderr.write(`${errStyle.yellow(`warning: ${text}`)}\n`);
    },
    table(rows, header) {
      return formatTable(rows, header, style);
    },
    async task(text, work) {
      if (!interactive) return work();
      const { default: ora } = await import('ora');
      const spinner = ora({ text, stream: stderr as NodeJS.WritableStream, isEnabled: true }).start();
      try {
        const result = await work();
        spinner.succeed();
        return result;
      } catch (e) {
        spinner.fail();
        throw e;
      }
    },
  };
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value.toString();
}

function formatTable(
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  header: readonly string[] | undefined,
  style: ChalkInstance,
): string {
  const columns = Math.max(header?.length ?? 0, ...rows.map((r) => r.length));
  const numeric = Array.from({ length: columns }, (_, c) =>
    rows.length > 0 && rows.every((r) => typeof r[c] === 'number'));
  const cells = rows.map((r) => Array.from({ length: columns }, (_, c) => String(r[c] ?? '')));
  const all = header ? [Array.from({ length: columns }, (_, c) => header[c] ?? ''), ...cells] : cells;
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...all.map((r) => r[c]!.length)));
  // Padding is computed on plain text, then the header is styled, so ANSI codes never skew widths.
  const line = (r: string[]) => r
    .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
    .join('  ')
    .trimEnd();
  const lines = cells.map(line);
  if (header) lines.unshift(style.bold(line(all[0]!)));
  return lines.join('\n');
}
