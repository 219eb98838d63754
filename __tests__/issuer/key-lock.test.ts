// The key directory's cross-process lock when the lock left behind is stale: however the waiters interleave, only
// one of them is ever inside the critical section.
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withDirectoryLock } from '../../src/issuer/key-files';
import { removeTempDirs, tempDir } from './support';

// stat() of the lock file, made slow on demand: the answer is taken when called and delivered later, as a loaded
// machine or a network volume would. That opens, deterministically, the window between judging a lock stale and
// breaking it.
let slowStatMs = 0;
let statCalls = 0;
jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
  return {
    ...actual,
    stat: async (...args: Parameters<typeof actual.stat>) => {
      const result = await actual.stat(...args);
      if (slowStatMs > 0 && String(args[0]).endsWith('.keys.lock') && statCalls++ > 0) {
        await new Promise((resolve) => setTimeout(resolve, slowStatMs));
      }
      return result;
    },
  };
});

afterAll(removeTempDirs);

afterEach(() => {
  slowStatMs = 0;
  statCalls = 0;
});

async function dirWithStaleLock(): Promise<string> {
  const dir = join(await tempDir(), 'keys');
  await mkdir(dir, { mode: 0o700 });
  const lock = join(dir, '.keys.lock');
  await writeFile(lock, '99999\n');
  const old = new Date(Date.now() - 60_000);
  await utimes(lock, old, old);
  return dir;
}

async function crowd(dir: string, waiters: number, holdMs: number) {
  let inside = 0;
  let most = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: waiters }, () =>
      withDirectoryLock(dir, async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        inside--;
        done++;
      }),
    ),
  );
  return { most, done, left: await readdir(dir) };
}

test('a waiter that judged the lock stale late does not break the lock the first breaker has just taken', async () => {
  const dir = await dirWithStaleLock();
  // Every waiter but the first learns "stale" 40 ms late, by when the first has broken the lock and holds a new one.
  slowStatMs = 40;
  expect(await crowd(dir, 3, 150)).toEqual({ most: 1, done: 3, left: [] });
});

test('a crowd of waiters on many stale locks: one writer at a time, nothing left behind', async () => {
  const results = await Promise.all(Array.from({ length: 12 }, async () => crowd(await dirWithStaleLock(), 8, 20)));
  for (const result of results) expect(result).toEqual({ most: 1, done: 8, left: [] });
});
