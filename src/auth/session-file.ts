/**
 * The provider's session file: JSON, mode 0600, in a 0700 directory of the user's state dir. It holds the sign-in's
 * tokens when they are kept in the file, or only who signed in and a digest of the ID token when the OS keychain
 * holds them (session-store.ts), and in both cases the role credentials of the last call (credential-cache.ts). Kept
 * apart from the keychain code: reading it is the path every `aws` command takes.
 */
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors';
import { registerSecret } from '../secrets';
import { readPrivateFile } from '../shared/private-file';
import type { KeptCredentials } from './credential-cache';

/** A sign-in as kept between calls. Secret: never print. */
export interface SignedIn {
  readonly issuer: string;
  readonly clientId: string;
  readonly idToken: string;
  readonly refreshToken?: string;
  /** The role credentials last handed out for this sign-in (see credential-cache.ts). */
  readonly credentials?: KeptCredentials;
}

/** The provider's file: the tokens themselves, or `inKeychain` and a digest of the ID token they are. */
export interface SessionFile {
  readonly issuer: string;
  readonly clientId: string;
  readonly idToken?: string;
  readonly refreshToken?: string;
  readonly inKeychain?: true;
  readonly idTokenSha256?: string;
  readonly credentials?: KeptCredentials;
}

export function sessionFile(dir: string, provider: string): string {
  return join(dir, `${provider}.json`);
}

/** Creates the directory 0700, and refuses one that others can enter or that is a symbolic link. */
export function privateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) throw new InputError(`${dir} must be a directory, not a link or a file.`);
  if (process.platform !== 'win32') {
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
      throw new InputError(`${dir} belongs to another user; keyless-aws keeps sign-ins only in a directory of yours.`);
    }
    if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  }
  return dir;
}

/** A kept sign-in is a few kilobytes (tokens and credentials); anything much larger is not ours. */
const MAX_SESSION_BYTES = 256 * 1024;

/** The provider's file as it is; no keychain is asked (the path every `aws` command takes). */
export function readSessionFile(dir: string, provider: string): SessionFile | undefined {
  // A file someone else could have planted (their link, their file, one others may write) would hand the person
  // another's tokens or credentials: as good as no sign-in.
  const text = readPrivateFile(sessionFile(dir, provider), MAX_SESSION_BYTES);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<SessionFile>;
    if (typeof value.issuer !== 'string' || typeof value.clientId !== 'string') return undefined;
    if (typeof value.idToken !== 'string' && value.inKeychain !== true) return undefined;
    registerSecret(value.idToken);
    registerSecret(value.refreshToken);
    return value as SessionFile;
  } catch {
    return undefined; // a damaged file is a missing sign-in: the next one replaces it
  }
}

export async function writeSessionFile(dir: string, provider: string, session: SessionFile): Promise<void> {
  // Loaded here, not at start-up: reading a kept session is the path every `aws` command takes.
  const { writeFileAtomic } = await import('../sink/atomic-file');
  writeFileAtomic(sessionFile(privateDir(dir), provider), `${JSON.stringify(session)}\n`);
}

/** Identifies a sign-in in the file without keeping its token there. */
export async function idTokenDigest(idToken: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(idToken).digest('hex');
}
