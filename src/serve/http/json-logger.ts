/**
 * The server's log: one JSON object per line, `{"time","level","msg",…fields}`, on stderr by default, for
 * log collectors to parse. Levels, most to least severe: error, warn, info (start, ready, model loads,
 * shutdown), debug (one line per HTTP request). A line below the logger's level costs one comparison.
 */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  readonly level: LogLevel;
  enabled(level: LogLevel): boolean;
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
}

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Where lines go; default stderr. */
  write?: (line: string) => void;
  now?: () => Date;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Errors keep their code and message (a plain Error serializes as {}); bigints become strings. */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return code === undefined ? { message: value.message } : { code, message: value.message };
  }
  return value;
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const threshold = LOG_LEVELS.indexOf(level);
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const now = options.now ?? (() => new Date());
  const enabled = (l: LogLevel) => LOG_LEVELS.indexOf(l) <= threshold;
  const log = (l: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (!enabled(l)) return;
    let line: string;
    try {
      line = JSON.stringify({ time: now().toISOString(), level: l, msg, ...fields }, replacer);
    } catch (e) {
      // A field that cannot be serialized (a cycle) must not take the message with it.
      line = JSON.stringify({ time: now().toISOString(), level: l, msg, logError: (e as Error).message });
    }
    write(`${line}\n`);
  };
  return { level, enabled, error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') };
}
