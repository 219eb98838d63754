import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';

/**
 * Where a shell's xtrace (`sh -x`, `set -x`) would print a secret we hand over: the trace shows each command after
 * expansion, so `eval "$(keyless-aws env)"` or `. ./aws.env` prints `export AWS_SECRET_ACCESS_KEY=…`, and a traced
 * script that expands `$AWS_SECRET_ACCESS_KEY` prints its value. A program that reads the variables itself (aws, any
 * SDK) prints nothing. BASHOPTS is not consulted: it lists `shopt` options, and xtrace is not one of them.
 */

type Env = Readonly<Record<string, string | undefined>>;

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'mksh', 'zsh', 'busybox']);
/** A script that expands a secret variable: `$AWS_SECRET_ACCESS_KEY`, `${AWS_SESSION_TOKEN}`, `${AWS_SESSION_TOKEN:-}`. */
const EXPANDS_SECRET = /\$\{?(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)\b/;
const SETS_XTRACE = /(^|[\s;&|(])set\s+(-[a-wyzA-Z]*x|-o\s+xtrace)/;
/** A script file is read only this far to look for the variables. */
const MAX_SCRIPT_BYTES = 256 * 1024;

/** bash exports SHELLOPTS (when the user exported it) with the current options; a child bash takes them on. */
function shelloptsTrace(env: Env): boolean {
  return (env.SHELLOPTS ?? '').split(':').includes('xtrace');
}

/** Whether a shell's command line turns xtrace on: `-x`, `-xe`, `-o xtrace`, before the script or `-c`. */
function shellFlagsTrace(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--' || !arg.startsWith('-') || arg === '-') return false;
    if (arg === '-o' && args[i + 1] === 'xtrace') return true;
    if (/^-[a-zA-Z]*x/.test(arg) && !arg.startsWith('--')) return true;
    if (arg === '-o') i++;
  }
  return false;
}

/** The shell that started us (Linux: its command line), when it was started with xtrace on (Jenkins: `sh -xe`). */
function parentShellTraces(ppid: number): boolean {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${ppid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return false;
  }
  return argv.length > 0 && SHELLS.has(basename(argv[0]!)) && shellFlagsTrace(argv.slice(1));
}

/**
 * `env` printing export lines for `eval` or `.`: the warning, or undefined. Detected: Jenkins (whose `sh` steps run
 * `sh -xe`), SHELLOPTS with xtrace, and (Linux) a parent shell started with `-x`.
 */
export function envXtraceWarning(env: Env, onJenkins: boolean, ppid = process.ppid): string | undefined {
  const why = onJenkins
    ? 'Jenkins runs sh steps with sh -x'
    : shelloptsTrace(env)
      ? 'SHELLOPTS has xtrace'
      : parentShellTraces(ppid)
        ? 'the calling shell runs with -x'
        : undefined;
  if (!why) return undefined;
  return `the shell traces commands (${why}): eval or \`.\` of these lines prints the secrets. Run \`{ set +x; } 2>/dev/null\` first, or use exec.`;
}

/** A script file's first MAX_SCRIPT_BYTES, or undefined when it cannot be read (the shell will say so). */
function scriptHead(path: string): string | undefined {
  let fd: number | undefined;
  try {
    // Only a regular file: reading a FIFO or /dev/stdin would block, or take input meant for the program.
    if (!statSync(path).isFile()) return undefined;
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(MAX_SCRIPT_BYTES);
    return buffer.subarray(0, readSync(fd, buffer, 0, MAX_SCRIPT_BYTES, 0)).toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The text of the script a shell will run: the `-c` argument, or the script file's first bytes. */
function scriptOf(args: readonly string[], cwd: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-c' || (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(arg) && arg !== '--')) return args[i + 1];
    if (arg === '-o') i++;
    else if (arg === '--' || !arg.startsWith('-')) {
      const file = arg === '--' ? args[i + 1] : arg;
      if (file === undefined) return undefined;
      return scriptHead(resolve(cwd, file));
    }
  }
  return undefined;
}

/**
 * `exec` starting a shell that traces and expands a secret variable: the warning, or undefined. Never for a program
 * that is not a shell (`exec -- aws …`), nor for a traced script that leaves the secrets to the programs it runs.
 */
export function execXtraceWarning(program: string, args: readonly string[], env: Env, cwd: string): string | undefined {
  const shell = basename(program);
  if (!SHELLS.has(shell)) return undefined;
  const script = scriptOf(args, cwd);
  if (script === undefined || !EXPANDS_SECRET.test(script)) return undefined;
  const why = shellFlagsTrace(args)
    ? `${shell} runs with -x`
    : SETS_XTRACE.test(script)
      ? 'the script runs set -x'
      : shell === 'bash' && shelloptsTrace(env)
        ? 'SHELLOPTS has xtrace, which bash takes on'
        : undefined;
  if (!why) return undefined;
  const variable = EXPANDS_SECRET.exec(script)![1];
  return `the shell traces commands (${why}) and its script expands $${variable}: the trace prints the secret. Drop -x (or run \`{ set +x; } 2>/dev/null\` before that line), or let the program read the variable itself (aws and the SDKs do).`;
}
