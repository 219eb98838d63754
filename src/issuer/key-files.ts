/**
 * File-system primitives for the key directory: a private directory, atomic writes and a cross-process lock.
 *
 * Several instances may share one key directory (a network volume) and start at the same moment. Two rules keep
 * that safe: readers only ever see complete files (every write goes to a temp file that is renamed into place), and
 * writers take an exclusive lock file first (created with O_EXCL, which the kernel guarantees only one process
 * wins), so exactly one instance generates the first key and rotations never interleave. A lock left by a crashed
 * writer is broken by renaming it away (again one winner), never by deleting it (see breakStaleLock).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, KeyStoreError } from './errors';

const LOCK_FILE = '.keys.lock';
/** A lock older than this belongs to a process that died mid-write (a write takes well under a second). */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 60_000;
const LOCK_POLL_MS = 50;

/** Creates the directory (mode 0700) if missing. Returns a warning when an existing one is open to others. */
export async function ensurePrivateDir(dir: string): Promise<string | undefined> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const info = await stat(dir);
    if (!info.isDirectory()) throw new ConfigError('keys-dir', `${dir} exists and is not a directory.`);
    if ((info.mode & 0o077) !== 0) {
      return `The key directory ${dir} is accessible to group/others (mode ${(info.mode & 0o777).toString(8)}); chmod 700 it.`;
    }
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('keys-dir', `cannot create or read ${dir} (${(error as NodeJS.ErrnoException).code}).`);
  }
}

/** Writes `content` to `file` with mode 0600 so that readers see either the old or the new file, never a mix. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Runs `action` while holding the directory's lock file; waits for (or breaks a stale) lock held by another process. */
export async function withDirectoryLock<T>(dir: string, action: () => Promise<T>): Promise<T> {
  const lockPath = join(dir, LOCK_FILE);
  const owner = `${process.pid} ${randomBytes(12).toString('hex')}\n`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        await handle.writeFile(owner);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new ConfigError('keys-dir', `cannot write to ${dir} (${code}); the first start needs write access.`);
      }
      if (await breakStaleLock(lockPath)) continue;
      if (Date.now() > deadline) {
        throw new KeyStoreError(`Timed out waiting for ${lockPath}; if no other issuer is running, delete it.`);
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await action();
  } finally {
    // Only our own lock is removed: never one another writer took after ours was (wrongly) judged stale.
    const current = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (current === owner) await unlink(lockPath).catch(() => undefined);
  }
}

/**
 * Breaks the lock at `lockPath` if it is stale; true when the caller should retry the O_EXCL create at once.
 *
 * Deleting a stale lock outright is unsafe: two waiters can both judge it stale, one deletes it and takes a new
 * lock, and the other then deletes that live lock and enters too. Renaming alone does not close that window either
 * (the late waiter's rename moves whatever lock is there by then). So breaking is itself exclusive: a waiter first
 * creates the `.break` guard with O_EXCL, re-checks staleness while holding it, and only then renames the stale
 * lock to a name unique to itself (one rename wins; nobody else can touch a dead writer's lock meanwhile) and
 * removes it. Everyone else just retries. A guard left by a waiter that died mid-break (a few milliseconds' work)
 * goes stale like a lock and is renamed away the same way.
 */
async function breakStaleLock(lockPath: string): Promise<boolean> {
  const lock = await lockAge(lockPath);
  if (lock === 'gone') return true;
  if (lock <= STALE_LOCK_MS) return false;
  const guard = `${lockPath}.break`;
  try {
    const handle = await open(guard, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    await handle.close();
  } catch {
    const age = await lockAge(guard);
    if (age !== 'gone' && age > STALE_LOCK_MS) await moveAway(guard);
    return false; // another waiter is breaking the lock: wait behind it
  }
  try {
    const now = await lockAge(lockPath);
    if (now === 'gone') return true;
    if (now <= STALE_LOCK_MS) return false;
    await moveAway(lockPath);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/** Milliseconds since the file was last written, or 'gone'. */
async function lockAge(file: string): Promise<number | 'gone'> {
  try {
    return Date.now() - (await stat(file)).mtimeMs;
  } catch {
    return 'gone';
  }
}

/** Renames `file` to a name unique to this caller (atomic: of several callers one wins), then deletes that copy. */
async function moveAway(file: string): Promise<void> {
  const moved = `${file}.stale.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    await rename(file, moved);
  } catch {
    return; // someone else moved it first
  }
  await unlink(moved).catch(() => undefined);
}
