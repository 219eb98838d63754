import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors';

/** Refuses symlinks: writing through one could replace a file elsewhere with our credentials. */
export function assertNotSymlink(path: string, what: string): void {
  try {
    if (lstatSync(path).isSymbolicLink()) throw symlinkError(path, what);
  } catch (error) {
    if (isAbsent(error)) return;
    throw error;
  }
}

/** ENOENT, or ENOTDIR: a path component is a file, so nothing can exist below it. */
function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function symlinkError(path: string, what: string): InputError {
  return new InputError(
    `${what} ${path} is a symbolic link; refusing to write through it.`,
    'Point it at a regular file.',
  );
}

export function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/** A file as found: its bytes and permission bits, or undefined when it does not exist. */
export interface FileSnapshot {
  readonly content: Buffer;
  readonly mode: number;
}

/**
 * Reads a file we are about to rewrite without following a symlink (O_NOFOLLOW; Windows has none and relies on the
 * lstat check): the check and the read are one step, so a link swapped in after planning is still refused.
 */
export function readSnapshot(path: string, what: string): FileSnapshot | undefined {
  assertNotSymlink(path, what);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    if (isAbsent(error)) return undefined;
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw symlinkError(path, what);
    throw error;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new InputError(`${what} ${path} is not a regular file.`, 'Point it at a regular file.');
    return { content: readFileSync(fd), mode: info.mode & 0o777 };
  } finally {
    closeSync(fd);
  }
}

const TEMP_RANDOM_BYTES = 6;

/**
 * Deletes temp files writeFileAtomic left beside `path` when its process was killed mid-write (they may hold keys).
 * Only safe while holding the file's lock: every writer of a locked file creates its temp files under that lock.
 */
export function removeOrphanTempFiles(path: string): void {
  const prefix = `.${basename(path)}.`;
  const orphan = new RegExp(`^[0-9a-f]{${TEMP_RANDOM_BYTES * 2}}\\.tmp$`);
  for (const name of readdirSync(dirname(path))) {
    if (!name.startsWith(prefix) || !orphan.test(name.slice(prefix.length))) continue;
    try {
      unlinkSync(join(dirname(path), name));
    } catch {
      // gone already
    }
  }
}

/**
 * Writes a whole file or nothing: a sibling temp file created 0600 (never readable by others, even briefly),
 * flushed, given `mode`, then renamed over the target. Readers see either the old file or the new one, never a
 * truncated one; a symlink at the target is replaced, never followed.
 */
export function writeFileAtomic(path: string, content: string | Buffer, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(TEMP_RANDOM_BYTES).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeFileSync(fd, content);
    if (mode !== 0o600) fchmodSync(fd, mode);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
}

/**
 * Appends to several files (the runner's file commands) so that either every append lands or none does: each
 * file's length is noted first, and on any failure every file written so far, the failing one included, is cut
 * back to it. The runner reads these files only after the step, so a file cut back is a file never written.
 */
export function appendAllOrNothing(
  appends: ReadonlyArray<{ readonly path: string; readonly what: string; readonly text: string }>,
): void {
  const touched: Array<{ path: string; size: number }> = [];
  for (const { path, what, text } of appends) {
    try {
      touched.push({ path, size: statSync(path).size });
      appendFileSync(path, text, 'utf8');
    } catch (error) {
      for (const file of touched) cutBack(file.path, file.size);
      throw new Error(
        `Could not write ${what} (${path}): ${(error as NodeJS.ErrnoException).code ?? String(error)}; no runner file was changed.`,
        { cause: error },
      );
    }
  }
}

function cutBack(path: string, size: number): void {
  try {
    truncateSync(path, size);
  } catch {
    // Nothing more can be done for this file; the error thrown says why the step failed.
  }
}
