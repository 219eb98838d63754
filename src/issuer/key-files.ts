/**
 * File-system primitives for the key directory: a private directory, atomic writes and a cross-process lock.
 *
 * Several instances may share one key directory (a network volume) and start at the same moment. Two rules keep
 * that safe: readers only ever see complete files (every write goes to a temp file that is renamed into place), and
 * writers take an exclusive lock file first (created with O_EXCL, which the kernel guarantees only one process
 * wins), so exactly one instance generates the first key and rotations never interleave.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
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
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new ConfigError('keys-dir', `cannot write to ${dir} (${code}); the first start needs write access.`);
      }
      if (await isStale(lockPath)) {
        await unlink(lockPath).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) {
        throw new KeyStoreError(`Timed out waiting for ${lockPath}; if no other issuer is running, delete it.`);
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await action();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false; // vanished between open and stat: simply retry
  }
}
