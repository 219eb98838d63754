import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TimeoutError } from '../../src/errors';
import { lockPathOf, withFileLockAsync, withFileLocks } from '../../src/shared/file-lock';

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
  writeFileSync(lockPathOf(file), `${process.pid} ${hostname()} other-owner\n`);
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
  writeFileSync(lockPathOf(file), `${deadPid()} ${hostname()} crashed\n`);
  const started = Date.now();
  expect(withFileLocks([file], () => 'ran', { timeoutMs: 5000 })).toBe('ran');
  expect(Date.now() - started).toBeLessThan(1000);
  expect(readdirSync(dir)).toEqual([]);
});

it('a lock older than the stale age is broken whoever holds it; a young one of another machine is waited for', () => {
  writeFileSync(lockPathOf(file), `1 another-host owner\n`);
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
    writeFileSync(lockPathOf(file), `${deadPid()} ${hostname()} abc\n`);
    await expect(withFileLockAsync(file, async () => 'mine', { timeoutMs: 2000 })).resolves.toBe('mine');
  });

  it('gives up on a live holder after timeoutMs with a TimeoutError naming the lock', async () => {
    writeFileSync(lockPathOf(file), `${process.pid} ${hostname()} abc\n`);
    await expect(withFileLockAsync(file, async () => 'never', { timeoutMs: 300 })).rejects.toThrow(TimeoutError);
    expect(existsSync(lockPathOf(file))).toBe(true);
  });
});
