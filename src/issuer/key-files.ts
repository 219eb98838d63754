/**
 * File-system primitives for the key directory: a private directory, atomic writes and a cross-process lock.
 *
 * Several instances may share one key directory (a network volume) and start at the same moment. Two rules keep
 * that safe: readers only ever see complete files (every write goes to a temp file that is renamed into place), and
 * writers take an exclusive lock file first (created with O_EXCL, which the kernel guarantees only one process
 * wins), so exactly one instance generates the first key and rotations never interleave. A lock left by a crashed
 * writer is broken by renaming it away (again one winner), never by deleting it (see breakStaleLock), and the temp
 * files such a writer left (0600, holding private keys) are removed by the next lock holder or the next start.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ownerIsDead, processSpace } from '../shared/process-space';
import { ConfigError, KeyStoreError } from './errors';

const LOCK_FILE = '.keys.lock';
/** A lock older than this belongs to a process that died mid-write (a write takes well under a second). */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 60_000;
const LOCK_POLL_MS = 50;
/** writeFileAtomic's temp files (`<name>.<pid>.<12 hex>.tmp`) and moveAway's copies of broken locks. */
const ORPHAN_TEMP = /^[\w.-]+\.\d+\.[0-9a-f]{12}\.tmp$/;
const ORPHAN_STALE_LOCK = /^\.keys\.lock(\.break)?\.stale\.\d+\.[0-9a-f]{12}$/;

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

/**
 * Writes `content` to `file` with mode 0600 so that readers see either the old or the new file, never a mix. Call it
 * only while holding the directory lock: the lock holder treats every temp file it finds as an orphan (see
 * removeOrphans). On any failure (ENOSPC, EIO, a failed rename) the temp file, which may hold a private key, is
 * removed before the error is passed on.
 */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Runs `action` while holding the directory's lock file; waits for (or breaks a stale) lock held by another process.
 * Once the lock is ours, files a writer killed mid-write left behind are removed first.
 */
export async function withDirectoryLock<T>(dir: string, action: () => Promise<T>): Promise<T> {
  const lockPath = join(dir, LOCK_FILE);
  const owner = ownerLine();
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!(await tryCreateLock(dir, lockPath, owner))) {
    if (await breakStaleLock(lockPath)) continue;
    if (Date.now() > deadline) {
      throw new KeyStoreError(`Timed out waiting for ${lockPath}; if no other issuer is running, delete it.`);
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
  try {
    await removeOrphans(dir);
    return await action();
  } finally {
    // Only our own lock is removed: never one another writer took after ours was (wrongly) judged stale.
    const current = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (current === owner) await unlink(lockPath).catch(() => undefined);
  }
}

/**
 * Removes what a crashed writer (kill -9, power loss) or a crashed lock breaker left in `dir`, if nobody is writing
 * now: called when an instance starts on an existing directory. A live lock means a writer is at work, and it
 * cleans up itself once it holds the lock, so nothing is touched then. Returns a warning when leftovers exist but
 * cannot be removed (a read-only mount).
 */
export async function cleanUpAfterCrashedWriter(dir: string): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const lockPresent = names.includes(LOCK_FILE);
  if (!lockPresent && !names.some(isOrphanName)) return undefined;
  if (lockPresent && (await lockState(join(dir, LOCK_FILE))) === 'live') return undefined;
  try {
    await withDirectoryLock(dir, async () => undefined);
    return undefined;
  } catch (error) {
    return `Left-over lock or temporary key files in ${dir} could not be removed (${(error as Error).message}).`;
  }
}

/** `<process space> <pid> <nonce>`: enough to prove, from the same process space, that the owner has died. */
function ownerLine(): string {
  return `${processSpace()} ${process.pid} ${randomBytes(12).toString('hex')}\n`;
}

/** Creates the lock with O_EXCL (true) or finds it taken (false). A lock we created but could not fill is removed. */
async function tryCreateLock(dir: string, lockPath: string, owner: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    throw new ConfigError('keys-dir', `cannot write to ${dir} (${code}); the first start needs write access.`);
  }
  try {
    await handle.writeFile(owner);
    await handle.close();
    return true;
  } catch (error) {
    // ENOSPC and the like: an empty lock would block every writer for STALE_LOCK_MS, so take it back at once.
    await handle.close().catch(() => undefined);
    await unlink(lockPath).catch(() => undefined);
    throw new KeyStoreError(`Cannot write the lock ${lockPath} (${(error as NodeJS.ErrnoException).code}).`);
  }
}

/** Temp files of writeFileAtomic and the renamed-away copies of broken locks; nothing else in the directory. */
function isOrphanName(name: string): boolean {
  return ORPHAN_TEMP.test(name) || ORPHAN_STALE_LOCK.test(name);
}

/** Only the lock holder calls this: no live writer can be mid-write, so every temp file is a dead writer's. */
async function removeOrphans(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter(isOrphanName).map((name) => unlink(join(dir, name)).catch(() => undefined)));
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
  const lock = await lockState(lockPath);
  if (lock !== 'stale') return lock === 'gone';
  const guard = `${lockPath}.break`;
  let handle: FileHandle;
  try {
    handle = await open(guard, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch {
    if ((await lockState(guard)) === 'stale') await moveAway(guard);
    return false; // another waiter is breaking the lock: wait behind it
  }
  // The owner line lets a waiter see at once that we died mid-break; an empty guard just goes stale by age.
  await handle
    .writeFile(ownerLine())
    .catch(() => undefined)
    .finally(() => handle.close());
  try {
    const now = await lockState(lockPath);
    if (now !== 'stale') return now === 'gone';
    await moveAway(lockPath);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/**
 * 'stale' when the owner is provably dead (its line names our process space and a pid that no longer exists) or
 * the file has not changed for STALE_LOCK_MS (an owner elsewhere, or a line we cannot read: a write takes well under
 * a second). A pid that exists may have been reused, so it only ever makes us wait, up to STALE_LOCK_MS.
 */
async function lockState(file: string): Promise<'gone' | 'stale' | 'live'> {
  let content: string;
  let mtimeMs: number;
  try {
    [content, { mtimeMs }] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
  } catch {
    return 'gone';
  }
  if (Date.now() - mtimeMs > STALE_LOCK_MS) return 'stale';
  return ownerIsDead(content) ? 'stale' : 'live';
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
