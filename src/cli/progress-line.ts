/**
 * A progress line for long commands (compile, bench): an ora spinner whose text follows the work on
 * an interactive terminal; elsewhere (CI, pipes, NO_COLOR, --no-color) plain notes on stderr, only
 * those that `plainWhen` lets through so logs stay short; nothing at all with --json.
 */
import type { Output } from './output.js';

export interface ProgressLine {
  update(text: string): void;
  /** Stops the spinner; `ok` false marks it failed. */
  stop(ok: boolean): void;
}

export async function progressLine(out: Output, plainWhen: (text: string) => boolean = () => true): Promise<ProgressLine> {
  if (!out.interactive) {
    return {
      update: (text) => { if (plainWhen(text)) out.info(text); },
      stop: () => {},
    };
  }
  const { default: ora } = await import('ora');
  const spinner = ora({ text: '', stream: process.stderr, isEnabled: true }).start();
  return {
    update: (text) => { spinner.text = text; },
    stop: (ok) => (ok ? spinner.stop() : spinner.fail()),
  };
}

/** Runs `work` with a progress line, stopping it whatever happens. */
export async function withProgress<T>(out: Output, work: (update: (text: string) => void) => Promise<T>, plainWhen?: (text: string) => boolean): Promise<T> {
  const line = await progressLine(out, plainWhen);
  try {
    const result = await work(line.update);
    line.stop(true);
    return result;
  } catch (e) {
    line.stop(false);
    throw e;
  }
}
