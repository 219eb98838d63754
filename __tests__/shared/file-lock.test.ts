import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TimeoutError } from '../../src/errors';
import { lockPathOf, withFileLockAsync, withFileLocks } from '../../src/shared/file-lock';
import { processSpace } from '../../src/shared/process-space';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'file-lock-'));
  file = join(dir, 'config');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

it('holds the lock file while the action runs and removes it after, also when the action throws', () => {
  expect(withFileLocks([file], () => existsSync(lockPathOf(file)))).toBe(true);
  expect(existsSync(lockPathOf(file))).toBe(false);
  expect(() =>
    withFileLocks([file], () => {
      throw new Error('boom');
    }),
  ).toThrow('boom');
  expect(readdirSync(dir)).toEqual([]);
});

it('a lock held by a live process past the timeout is a TimeoutError naming the lock file, which is left alone', () => {
  writeFileSync(lockPathOf(file), `${processSpace()} ${process.pid} other-owner\n`);
  const started = Date.now();
  let thrown: unknown;
  try {
    withFileLocks([file], () => 'never', { timeoutMs: 300 });
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TimeoutError);
  expect((thrown as TimeoutError).message).toContain(lockPathOf(file));
  expect((thrown as TimeoutError).message).toContain(`process ${process.pid}`);
  expect((thrown as TimeoutError).hint).toContain(`delete ${lockPathOf(file)}`);
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  expect(Date.now() - started).toBeLessThan(3000);
  expect(existsSync(lockPathOf(file))).toBe(true);
});

it('a lock left by a process of this machine that no longer exists is broken at once', () => {
  writeFileSync(lockPathOf(file), `${processSpace()} ${deadPid()} crashed\n`);
  const started = Date.now();
  expect(withFileLocks([file], () => 'ran', { timeoutMs: 5000 })).toBe('ran');
  expect(Date.now() - started).toBeLessThan(1000);
  expect(readdirSync(dir)).toEqual([]);
});

it('a lock older than the stale age is broken whoever holds it; a young one of another machine is waited for', () => {
  writeFileSync(lockPathOf(file), `another-host 1 owner\n`);
  expect(() => withFileLocks([file], () => 'ran', { timeoutMs: 200 })).toThrow(TimeoutError);
  const twoMinutesAgo = new Date(Date.now() - 120_000);
  utimesSync(lockPathOf(file), twoMinutesAgo, twoMinutesAgo);
  expect(withFileLocks([file], () => 'ran', { timeoutMs: 200 })).toBe('ran');
  expect(readdirSync(dir)).toEqual([]);
});

it('takes several locks in one order and releases them all', () => {
  const other = join(dir, 'credentials');
  const held = withFileLocks([file, other], () => readdirSync(dir).sort());
  expect(held).toEqual(['config.lock', 'credentials.lock']);
  expect(readdirSync(dir)).toEqual([]);
});

/** Whether this machine lets us start processes in pid namespaces of their own (root, or user namespaces). */
function canUnsharePids(): boolean {
  return spawnSync('unshare', ['-Upf', '--map-root-user', 'true']).status === 0;
}

/** The lock module as plain JavaScript, for processes started outside jest. */
function compiledLockModule(out: string): string {
  const { transpileModule, ModuleKind, ScriptTarget } = require('typescript') as typeof import('typescript');
  const src = join(__dirname, '../../src');
  for (const name of ['errors', 'shared/process-space', 'shared/file-lock']) {
    const { outputText } = transpileModule(readFileSync(join(src, `${name}.ts`), 'utf8'), {
      compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022, esModuleInterop: true },
    });
    mkdirSync(dirname(join(out, name)), { recursive: true });
    writeFileSync(join(out, `${name}.js`), outputText);
  }
  return join(out, 'shared/file-lock.js');
}

// Containers sharing a home volume under one host name (a fixed `hostname:`) number their processes in pid
// namespaces of their own: a pid the lock names may not exist here although its owner is alive and writing.
(canUnsharePids() ? it : it.skip)(
  'a live owner in another pid namespace of the same host name is waited for, not judged dead by its pid',
  async () => {
    const lib = compiledLockModule(join(dir, 'lib'));
    const ready = join(dir, 'holding');
    const holder = `const { withFileLocks } = require(${JSON.stringify(lib)});
      withFileLocks([${JSON.stringify(file)}], () => {
        require('node:fs').writeFileSync(${JSON.stringify(ready)}, '');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4000);
      });`;
    // Pids count from 1 in each namespace, and a process's threads take numbers too: the holder starts after a hundred
    // short-lived processes, so its pid is one the waiter's namespace (node and its threads) does not have.
    const holding = spawn(
      'unshare',
      [
        '-Upf',
        '--map-root-user',
        'sh',
        '-c',
        `for i in $(seq 100); do /bin/true; done; "$0" -e "$1"; true`,
        process.execPath,
        holder,
      ],
      {
        stdio: 'ignore',
      },
    );
    const exited = new Promise((done) => holding.on('exit', done));
    for (let i = 0; i < 100 && !existsSync(ready); i++) await new Promise((done) => setTimeout(done, 50));
    expect(existsSync(ready)).toBe(true);

    const waiter = `const { withFileLocks } = require(${JSON.stringify(lib)});
      try { withFileLocks([${JSON.stringify(file)}], () => process.stdout.write('entered'), { timeoutMs: 800 }); }
      catch (error) { process.stdout.write(error.constructor.name); }`;
    const waited = spawnSync('unshare', ['-Upf', '--map-root-user', process.execPath, '-e', waiter], {
      encoding: 'utf8',
    });
    expect(waited.stdout).toBe('TimeoutError');
    await exited;
    expect(existsSync(lockPathOf(file))).toBe(false);
  },
  15_000,
);

describe('withFileLockAsync (held across asynchronous work such as a sign-in)', () => {
  it('runs holders one at a time and lets the event loop run while a waiter waits', async () => {
    const events: string[] = [];
    const holder = (name: string) =>
      withFileLockAsync(file, async () => {
        events.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 150));
        events.push(`${name} out`);
      });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    await Promise.all([holder('a'), holder('b')]);
    clearInterval(ticker);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(ticks).toBeGreaterThan(10);
    expect(existsSync(lockPathOf(file))).toBe(false);
  });

  it('breaks the lock of a process that died while holding it', async () => {
    writeFileSync(lockPathOf(file), `${processSpace()} ${deadPid()} abc\n`);
    await expect(withFileLockAsync(file, async () => 'mine', { timeoutMs: 2000 })).resolves.toBe('mine');
  });

  it('gives up on a live holder after timeoutMs with a TimeoutError naming the lock', async () => {
    writeFileSync(lockPathOf(file), `${processSpace()} ${process.pid} abc\n`);
    await expect(withFileLockAsync(file, async () => 'never', { timeoutMs: 300 })).rejects.toThrow(TimeoutError);
    expect(existsSync(lockPathOf(file))).toBe(true);
  });
});
