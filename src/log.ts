import { inertText, oneLine } from './printable';
import { redact } from './secrets';
import { writeStderr } from './shared/stdio';

/**
 * Where human-readable progress goes. In GitHub Actions that is stdout with workflow commands; everywhere else it
 * is stderr, so stdout stays reserved for the output a command was asked for.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  error(message: string): void;
}

export function stderrLogger(options: {
  debug: boolean;
  quiet?: boolean;
  /** Where the lines go: stderr, written synchronously (see shared/stdio.ts), unless a test listens. */
  write?: (text: string) => void;
}): Logger {
  const output = options.write ?? writeStderr;
  // The CLI also runs inside GitHub Actions (and Jenkins pipes the same way): no line of ours may read as a command.
  // Progress messages are one line each whatever their values hold; a failure keeps its explanation's lines.
  const write = (prefix: string, message: string) => output(`${inertText(`${prefix}${redact(message)}`)}\n`);
  // Redacted before `oneLine` shows control characters: a secret holding a tab must still match.
  const line = (prefix: string, message: string) => write(prefix, oneLine(redact(message)));
  return {
    info: (m) => (options.quiet ? undefined : line('keyless-aws: ', m)),
    warn: (m) => line('keyless-aws: warning: ', m),
    debug: (m) => (options.debug ? write('keyless-aws: debug: ', m) : undefined),
    error: (m) => write('keyless-aws: error: ', m),
  };
}

/** For library code and tests that have nothing to say. */
export const silentLogger: Logger = { info() {}, warn() {}, debug() {}, error() {} };
