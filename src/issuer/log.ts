/**
 * Structured logging: one JSON object per line on stderr (stdout is reserved for the single "listening on" line
 * that scripts read). Callers pass only named, non-secret fields; there is deliberately no way to log a raw
 * header, body or token through this interface.
 */

export type LogValue = string | number | boolean | undefined;
export type LogFields = Readonly<Record<string, LogValue>>;
export type LogSink = (line: string) => void;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const stderrSink: LogSink = (line) => {
  process.stderr.write(`${line}\n`);
};

export function createLogger(sink: LogSink = stderrSink): Logger {
  const write = (level: string, msg: string, fields?: LogFields): void => {
    sink(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
  };
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/** A logger that drops everything, for callers (tests, embedders) that want silence. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
