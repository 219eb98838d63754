import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';

/**
 * Ours and closed to group and others. On Windows, where Node reports no owner and mode bits mean nothing, the
 * per-user profile directories and their inherited ACLs are what keep a file private.
 */
export function isPrivate(info: Stats): boolean {
  if (process.platform === 'win32') return true;
  const uid = process.getuid?.();
  return (uid === undefined || info.uid === uid) && (info.mode & 0o077) === 0;
}

/**
 * The text of `path` only if it is a regular file (never through a symbolic link), ours, private and at most
 * `maxBytes`; else undefined. For files whose content we trust and hand on (cached credentials, kept sign-ins):
 * one that someone else could have planted or read is as good as absent.
 */
export function readPrivateFile(path: string, maxBytes: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return undefined; // absent, a symlink (ELOOP), unreadable
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > maxBytes || !isPrivate(info)) return undefined;
    return readFileSync(fd, 'utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
