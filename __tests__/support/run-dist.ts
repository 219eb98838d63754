/**
 * Runs the built bundle as the Actions runner does: a child process with a clean environment, `INPUT_*` variables
 * (hyphens kept: `INPUT_ROLE-TO-ASSUME`) and fresh GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE files, which are then
 * parsed with the runner's rules (`name=value` lines and `name<<delimiter` heredocs).
 *
 *   const run = await runAction({ inputs: { 'aws-region': 'us-east-1', 'role-to-assume': arn }, env: { ...endpoint.env() } });
 *   run.code, run.stdout, run.stderr, run.env.AWS_ACCESS_KEY_ID, run.outputs['aws-account-id'], run.state, run.durationMs
 *   const post = await runPost(run);          // dist/cleanup/index.js with STATE_* from the main step
 *   parseFileCommands(text)                   // the runner's parser, exported for unit use
 *
 * The child sees only: what the test passes, PATH (node's own directory), HOME / RUNNER_TEMP / GITHUB_WORKSPACE in a
 * fresh temp dir, GITHUB_ACTIONS=true, AWS_EC2_METADATA_DISABLED=true (no instance-metadata probing on a dev box),
 * and the runner file variables. Pass `undefined` in `env` to remove one of these defaults.
 * `run.dir` is the temp dir (removed by `cleanupRuns()`, call it in afterAll). Pass `dir` to run a second step
 * in the same directory: its runner files are then appended to, not replaced.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const DIST_MAIN = join(ROOT, 'dist', 'index.js');
export const DIST_CLEANUP = join(ROOT, 'dist', 'cleanup', 'index.js');

export interface RunOptions {
  readonly inputs?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reuse a directory (and its runner files) instead of a fresh one. */
  readonly dir?: string;
  readonly entry?: string;
  readonly args?: readonly string[];
  /** Kill the child after this long (it must never need it; default 30 s). */
  readonly killAfterMs?: number;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** GITHUB_ENV as the runner would apply it (later entries win). */
  readonly env: Record<string, string>;
  readonly outputs: Record<string, string>;
  readonly state: Record<string, string>;
  readonly durationMs: number;
  readonly dir: string;
  readonly files: { readonly env: string; readonly output: string; readonly state: string };
  /** Raw text of the runner files. */
  readonly raw: { readonly env: string; readonly output: string; readonly state: string };
  /** The environment the child was started with. */
  readonly childEnv: Readonly<Record<string, string>>;
}

const dirs: string[] = [];

export function makeRunDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyless-run-'));
  dirs.push(dir);
  for (const sub of ['home', 'temp', 'workspace']) mkdirSync(join(dir, sub), { recursive: true });
  return dir;
}

export function cleanupRuns(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The runner's file-command parser (actions/runner FileCommandManager): strict, throws where the runner fails. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const equals = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      const name = line.slice(0, equals);
      if (name === '') throw new Error(`Invalid file command line ${i + 1}: empty name`);
      out[name] = line.slice(equals + 1);
    } else if (heredoc >= 0 && (equals < 0 || heredoc < equals)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (name === '' || delimiter === '') throw new Error(`Invalid file command line ${i + 1}: "${line}"`);
      const value: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        value.push(lines[i]!);
      }
      if (!closed) throw new Error(`Matching delimiter not found '${delimiter}'`);
      out[name] = value.join('\n');
    } else {
      throw new Error(`Invalid file command format: "${line}"`);
    }
  }
  return out;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** `INPUT_<NAME>`: upper-cased, spaces to underscores, hyphens kept (as the runner does). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export async function runDist(options: RunOptions = {}): Promise<RunResult> {
  const dir = options.dir ?? makeRunDir();
  const files = { env: join(dir, 'github_env'), output: join(dir, 'github_output'), state: join(dir, 'github_state') };
  // Created if missing, kept if the caller reuses a directory (a second step of the same job).
  for (const file of Object.values(files)) writeFileSync(file, '', { flag: 'a' });
  const base: Record<string, string | undefined> = {
    PATH: dirname(process.execPath),
    HOME: join(dir, 'home'),
    RUNNER_TEMP: join(dir, 'temp'),
    GITHUB_WORKSPACE: join(dir, 'workspace'),
    GITHUB_ACTIONS: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    GITHUB_ENV: files.env,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
  };
  for (const [name, value] of Object.entries(options.inputs ?? {})) base[inputVariable(name)] = value;
  const merged = { ...base, ...options.env };
  const childEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(merged)) if (value !== undefined) childEnv[name] = value;

  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [options.entry ?? DIST_MAIN, ...(options.args ?? [])], {
    env: childEnv,
    cwd: join(dir, 'workspace'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => stdout.push(c));
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 30_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
    child.on('close', (c, s) => done([c, s])),
  );
  clearTimeout(killer);
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  const raw = { env: readText(files.env), output: readText(files.output), state: readText(files.state) };
  return {
    code,
    signal,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
    env: parseFileCommands(raw.env),
    outputs: parseFileCommands(raw.output),
    state: parseFileCommands(raw.state),
    durationMs,
    dir,
    files,
    raw,
    childEnv,
  };
}

/** The main step of the action (dist/index.js). */
export function runAction(options: RunOptions = {}): Promise<RunResult> {
  return runDist({ ...options, entry: DIST_MAIN });
}

/**
 * The post step (dist/cleanup/index.js) as the runner starts it after `main`: same job environment, STATE_<name>
 * for every state entry the main step saved, and fresh runner files (the runner gives each step its own).
 */
export function runPost(
  main: RunResult,
  extraEnv: Readonly<Record<string, string | undefined>> = {},
): Promise<RunResult> {
  const dir = makeRunDir();
  const state: Record<string, string> = {};
  for (const [name, value] of Object.entries(main.state)) state[`STATE_${name}`] = value;
  const inherited: Record<string, string | undefined> = { ...main.childEnv };
  for (const name of ['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STATE']) delete inherited[name];
  return runDist({
    entry: DIST_CLEANUP,
    dir,
    env: {
      ...inherited,
      GITHUB_ENV: join(dir, 'github_env'),
      GITHUB_OUTPUT: join(dir, 'github_output'),
      GITHUB_STATE: join(dir, 'github_state'),
      ...state,
      ...extraEnv,
    },
  });
}
