// Structured JSON lines on stdout. The level comes from LOG_LEVEL (via config). Callers pass small
// fields only: never secrets, never whole orders at info (an order may hold personal data).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export type Logger = {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  level: LogLevel;
};

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LoggerOptions = {
  /** LOG_LEVEL as the config parsed it (trace → debug, fatal → error) */
  level: string;
  /** Where lines go; defaults to stdout. Tests pass an array sink. */
  write?: (line: string) => void;
  base?: LogFields;
};

function normaliseLevel(level: string): LogLevel {
  const l = level.toLowerCase();
  if (l === 'trace') return 'debug';
  if (l === 'fatal') return 'error';
  return l in rank ? (l as LogLevel) : 'info';
}

/** Errors do not survive JSON.stringify; keep name, message and code (no stack at info). */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { err: { name: err.name, message: err.message, ...(code ? { code } : {}) } };
  }
  return { err: { message: String(err) } };
}

export function createLogger(options: LoggerOptions): Logger {
  const level = normaliseLevel(options.level);
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = options.base ?? {};
  const min = rank[level];

  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (rank[lvl] < min) return;
    let line: string;
    try {
      line = JSON.stringify({
        time: new Date().toISOString(),
        level: lvl,
        msg,
        ...base,
        ...fields,
      });
    } catch {
      line = JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...base });
    }
    write(line);
  };

  return {
    level,
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger({ level, write, base: { ...base, ...fields } }),
  };
}

export const silentLogger: Logger = createLogger({ level: 'silent' });
