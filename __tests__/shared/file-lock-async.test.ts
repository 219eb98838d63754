/** withFileLocksAsync: the lock a credential fetch holds while it waits on the network. */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TimeoutError } from '../../src/errors';
import { lockPathOf, withFileLocks, withFileLocksAsync } from '../../src/shared/file-lock';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'file-lock-async-'));
  file = join(dir, 'entry.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('holds the lock until the promise settles, fulfilled or rejected', async () => {
  let release!: () => void;
  const pending = withFileLocksAsync([file], () => new Promise<string>((done) => (release = () => done('ok'))));
  // The action is waiting on the network: the lock must still be there, so another caller waits too.
  await new Promise((r) => setTimeout(r, 20));
  expect(existsSync(lockPathOf(file))).toBe(true);
  expect(() => withFileLocks([file], () => 'second', { timeoutMs: 50 })).toThrow(TimeoutError);
  release();
  await expect(pending).resolves.toBe('ok');
  expect(existsSync(lockPathOf(file))).toBe(false);
  await expect(withFileLocksAsync([file], async () => Promise.reject(new Error('denied')))).rejects.toThrow('denied');
  expect(readdirSync(dir)).toEqual([]);
});
