// Structured logs: one JSON object per line, to stderr by default. Request lines carry ids,
// names, status and timing — never secrets, never bodies (DESIGN.md "Identities and credentials":
// "nothing secret is ever logged").

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Fields of a log line besides time, level and msg (JSON-serialisable values). */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** The one line logged per API request. */
export interface RequestLogLine {
  requestId: string;
  method: string;
  service?: string;
  operation?: string;
  status: number;
  errorCode?: string;
  ms: number;
  accessKeyId?: string;
  sourceIp: string;
}

export interface Logger {
  readonly level: LogLevel;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** The request line (level info; 5xx at error). */
  request(line: RequestLogLine): void;
}

/** Where lines go: anything with `write(text)` (process.stderr, or an array in tests). */
export interface LogSink {
  write(text: string): unknown;
}

/** Whether `value` names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** A logger writing JSON lines at `level` and above to `sink` (default stderr). */
export function createLogger(options: { level?: LogLevel; sink?: LogSink } = {}): Logger {
  const level = options.level ?? 'info';
  const sink = options.sink ?? process.stderr;
  const min = RANK[level];

  function emit(lvl: LogLevel, msg: string, fields?: LogFields | RequestLogLine): void {
    if (RANK[lvl] < min) return;
    const line: Record<string, unknown> = { time: new Date().toISOString(), level: lvl, msg };
    if (fields) {
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) line[k] = v;
    }
    try {
      sink.write(JSON.stringify(line) + '\n');
    } catch {
      // A broken log sink must not take requests down with it.
    }
  }

  return {
    level,
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    request: (line) => emit(line.status >= 500 ? 'error' : 'info', 'request', line),
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return createLogger({ level: 'error', sink: { write: () => undefined } });
}
