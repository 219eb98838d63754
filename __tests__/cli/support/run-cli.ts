/**
 * Runs the built bundle as a Jenkins `sh` step (or a laptop shell) does: `node dist/index.js <args>` with a clean
 * environment, outside GitHub Actions (no GITHUB_ACTIONS, no runner files).
 *
 *   const dir = cliDir();                                   // HOME, AWS files and a workspace in a fresh temp dir
 *   const run = await runCli(['env', '--format', 'json'], { env: { ...cliEnv(dir), ...endpoint.env('jenkins') } });
 *   run.code, run.signal, run.stdout, run.stderr
 *   const started = startCli(['exec', '--', …], { env });    // to signal the CLI while it runs
 *   started.child.kill('SIGTERM'); await started.result;
 *   cleanupCliDirs()                                         // in afterAll
 *
 * The child sees only the variables given (cliEnv provides PATH with node's directory, HOME, and
 * AWS_EC2_METADATA_DISABLED so nothing probes instance metadata).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DIST_MAIN } from '../../support/run-dist';

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly stdin?: string;
  readonly killAfterMs?: number;
}

const dirs: string[] = [];

export function cliDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyless-cli-'));
  dirs.push(dir);
  for (const sub of ['home', 'workspace']) mkdirSync(join(dir, sub), { recursive: true });
  return dir;
}

export function cleanupCliDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function cliEnv(dir: string): Record<string, string> {
  return {
    PATH: dirname(process.execPath),
    HOME: join(dir, 'home'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

export function startCli(
  args: readonly string[],
  options: CliOptions,
): { child: ChildProcessWithoutNullStreams; result: Promise<CliRun>; stdout: () => string; stderr: () => string } {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env)) if (value !== undefined) env[name] = value;
  const child = spawn(process.execPath, [DIST_MAIN, ...args], {
    env,
    cwd: options.cwd ?? tmpdir(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.end(options.stdin ?? '');
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 30_000);
  const result = new Promise<CliRun>((done) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      done({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    }),
  );
  return {
    child,
    result,
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
  };
}

export function runCli(args: readonly string[], options: CliOptions): Promise<CliRun> {
  return startCli(args, options).result;
}

/** Polls until `check` holds (a file appeared, a line was printed), failing after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
