import { lstat, readFile } from 'node:fs/promises';
import { TokenError } from '../errors';
import { decodeToken, type TokenSource } from './token';

/**
 * A token in a file (Jenkins "id token as file" credentials, Kubernetes projected tokens). Re-read on every call,
 * because the CI may rotate it. Symlinks are refused, except for Kubernetes token paths, whose kubelet-managed
 * symlink chain is the documented layout: following a link elsewhere could send any file to STS.
 */
export function fileTokenSource(path: string, allowSymlink: boolean): TokenSource {
  return async () => {
    const origin = `file ${path}`;
    let raw: string;
    try {
      const info = await lstat(path);
      if (info.isSymbolicLink() && !allowSymlink) {
        throw new TokenError('TokenFileSymlink', `The token file ${path} is a symbolic link; refusing to follow it.`, {
          hint: 'Point web-identity-token-file at the file itself.',
        });
      }
      raw = await readFile(path, 'utf8');
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
    return decodeToken(raw, origin);
  };
}
