import { constants, lstat, open, realpath } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { TokenError } from '../errors';
import { decodeToken, type TokenSource } from './token';

/** An ID token is a few KiB; anything much bigger is not one. */
const MAX_TOKEN_FILE_BYTES = 64 * 1024;

const WITHOUT_LINKS_HINT = 'Give the real path of the file (`realpath` prints it), with no symbolic link on the way.';

/**
 * A symbolic link on the way to the token could send any file to STS, so every directory on the path must be a real
 * one. The exception is the system's own layout near the root (`/var/run` → `/run`, `/lib` → `/usr/lib`, macOS
 * `/var` → `/private/var`): links in the first two levels that root owns.
 */
async function refuseLinkedParents(path: string): Promise<void> {
  const parts = dirname(resolve(path)).split('/').filter(Boolean);
  let current = '';
  for (const [depth, part] of parts.entries()) {
    current += `/${part}`;
    const info = await lstat(current);
    if (info.isSymbolicLink() && !(depth < 2 && info.uid === 0)) {
      throw new TokenError(
        'TokenFileSymlink',
        `The token file ${path} is reached through ${current}, a symbolic link; refusing to follow it.`,
        { hint: WITHOUT_LINKS_HINT },
      );
    }
  }
}

/**
 * Kubernetes projects a token as `<dir>/token -> ..data/token`, with `<dir>/..data -> ..<timestamp>/` (kubelet's
 * atomic writer). The links are followed only when they end inside that layout: a regular file in a `..*`
 * directory right under the token's own directory.
 */
async function checkProjectedLink(path: string): Promise<void> {
  const [real, dir] = await Promise.all([realpath(path), realpath(dirname(path))]);
  const dataDir = dirname(real);
  if (dirname(dataDir) === dir && basename(dataDir).startsWith('..') && basename(real) === basename(path)) return;
  throw new TokenError(
    'TokenFileSymlink',
    `The token file ${path} is a symbolic link to ${real}, outside the Kubernetes projected-volume layout (<dir>/..data/${basename(path)}); refusing to follow it.`,
    { hint: WITHOUT_LINKS_HINT },
  );
}

function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  return 'a device or other special file';
}

/**
 * Opens without blocking (a FIFO with no writer would otherwise hang the run past every deadline, in a thread no
 * timer can stop) and checks what was opened, not what a path pointed to a moment earlier.
 */
async function readRegularFile(path: string, allowSymlink: boolean): Promise<string> {
  const handle = await open(
    path,
    constants.O_RDONLY | constants.O_NONBLOCK | (allowSymlink ? 0 : constants.O_NOFOLLOW),
  );
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new TokenError('TokenFileNotRegular', `The token file ${path} is ${kindOf(info)}, not a file.`, {
        hint: 'Point web-identity-token-file at the file that holds the token.',
      });
    }
    if (info.size > MAX_TOKEN_FILE_BYTES) {
      throw new TokenError(
        'TokenFileTooLarge',
        `The token file ${path} holds ${info.size} bytes; an ID token is a few KiB.`,
        {
          hint: 'Point web-identity-token-file at the file that holds the token.',
        },
      );
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * A token in a file (Jenkins "id token as file" credentials, Kubernetes projected tokens). Re-read on every call,
 * because the CI may rotate it. Symlinks are refused, on the way and at the end, except the kubelet-managed chain of
 * Kubernetes token paths: following a link elsewhere could send any file to STS.
 */
export function fileTokenSource(path: string, allowSymlink: boolean): TokenSource {
  return async () => {
    let raw: string;
    try {
      await refuseLinkedParents(path);
      if ((await lstat(path)).isSymbolicLink()) {
        if (!allowSymlink) {
          throw new TokenError(
            'TokenFileSymlink',
            `The token file ${path} is a symbolic link; refusing to follow it.`,
            {
              hint: 'Point web-identity-token-file at the file itself.',
            },
          );
        }
        await checkProjectedLink(path);
      }
      raw = await readRegularFile(path, allowSymlink);
    } catch (error) {
      if (error instanceof TokenError) throw error;
      throw new TokenError(
        'TokenFileUnreadable',
        `Cannot read the token file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`,
        {
          hint: 'Check the path (relative paths are resolved against GITHUB_WORKSPACE in the action, the working directory in the CLI).',
        },
      );
    }
    if (raw.trim().length === 0) throw new TokenError('TokenFileEmpty', `The token file ${path} is empty.`);
    return decodeToken(raw, `file ${path}`);
  };
}
