import { constants } from 'node:os';
import type { Logger } from '../log';

/**
 * Removed from the program's environment. In the JavaScript SDK a set AWS_PROFILE makes the default chain skip the
 * environment credentials altogether, and the AWS CLI reads AWS_DEFAULT_PROFILE; AWS_SECURITY_TOKEN is the legacy
 * name of the session token, which a stale value would pair with our keys. AWS_ROLE_ARN and
 * AWS_WEB_IDENTITY_TOKEN_FILE stay: every SDK ranks environment keys above them, and a program may use them itself.
 */
export const REMOVED_FROM_PROGRAM = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SECURITY_TOKEN'] as const;

/** Exit codes a shell uses for a program it could not start, so `exec` reads the same in a script. */
export const EXIT_NOT_FOUND = 127;
export const EXIT_NOT_EXECUTABLE = 126;

/**
 * Forwarded to the program. SIGUSR1 is left alone: Node reserves it for its inspector. SIGINT and SIGQUIT from a
 * terminal already reach the whole foreground process group, so forwarding them there would deliver them twice
 * (which some programs, Terraform among them, treat as "abort now").
 */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];
const TERMINAL_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGQUIT']);

export function programEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  credentials: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) if (value !== undefined) env[name] = value;
  for (const name of REMOVED_FROM_PROGRAM) delete env[name];
  for (const [name, value] of Object.entries(credentials)) {
    // No session token (long-term keys) must mean none at all, not an empty one some tools would send.
    if (value === '') delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface ProgramRun {
  readonly program: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly log: Logger;
  /** Whether signals from a terminal reach the program on their own (stdin is a TTY). */
  readonly interactive: boolean;
}

/**
 * Runs the program with inherited stdio, forwards signals, and resolves with its exit code: 128 + n when signal n
 * ended it (the shell convention), 127 when it does not exist, 126 when it cannot be executed.
 */
export function runProgram(run: ProgramRun): Promise<number> {
  return new Promise((resolvePromise) => {
    // Required here: credential-process, which SDKs run on every refresh, shares this chunk and never spawns.
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn(run.program, [...run.args], { stdio: 'inherit', env: run.env });
    const forward = (signal: NodeJS.Signals) => {
      if (run.interactive && TERMINAL_SIGNALS.has(signal)) return;
      child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    let settled = false;
    const finish = (code: number) => {
      if (settled) return;
      settled = true;
      for (const signal of FORWARDED) process.off(signal, forward);
      resolvePromise(code);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        run.log.error(`exec: program "${run.program}" not found (is it installed and on PATH?).`);
        finish(EXIT_NOT_FOUND);
      } else if (error.code === 'EACCES') {
        run.log.error(`exec: program "${run.program}" is not executable (permission denied).`);
        finish(EXIT_NOT_EXECUTABLE);
      } else {
        run.log.error(`exec: could not run "${run.program}": ${error.message}`);
        finish(EXIT_NOT_EXECUTABLE);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal) {
        const number = constants.signals[signal] ?? 0;
        run.log.info(`${run.program} was ended by ${signal}.`);
        finish(128 + number);
      } else {
        finish(code ?? 1);
      }
    });
  });
}
