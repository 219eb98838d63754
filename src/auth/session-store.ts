/**
 * Kept sign-ins: one JSON file per provider, mode 0600, in a 0700 directory of the user's state dir. No OS keychain
 * is used yet (see README): the file is the store on every platform.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
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

export function readSession(dir: string, provider: string): SignedIn | undefined {
  // A file someone else could have planted (their link, their file, one others may write) would hand the person
  // another's tokens or credentials: as good as no sign-in.
  const text = readPrivateFile(sessionFile(dir, provider), MAX_SESSION_BYTES);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<SignedIn>;
    if (typeof value.idToken !== 'string' || typeof value.issuer !== 'string' || typeof value.clientId !== 'string') {
      return undefined;
    }
    registerSecret(value.idToken);
    registerSecret(value.refreshToken);
    return value as SignedIn;
  } catch {
    return undefined; // a damaged file is a missing sign-in: the next one replaces it
  }
}

export async function writeSession(dir: string, provider: string, session: SignedIn): Promise<void> {
  // Loaded here, not at start-up: reading a kept session is the path every `aws` command takes.
  const { writeFileAtomic } = await import('../sink/atomic-file');
  writeFileAtomic(sessionFile(privateDir(dir), provider), `${JSON.stringify(session)}\n`);
}

/** Removes the kept sign-in(s); returns the providers removed. */
export function removeSessions(dir: string, provider?: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -5));
  } catch {
    return [];
  }
  const chosen = provider === undefined ? names : names.filter((n) => n === provider);
  for (const name of chosen) unlinkSync(sessionFile(dir, name));
  return chosen;
}
