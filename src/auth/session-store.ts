/**
 * Kept sign-ins: the ID and refresh tokens in the OS keychain where one exists (session-store = auto, the default, or
 * keychain), else in the provider's session file (session-store = file, or no keychain). The file always holds the
 * rest (session-file.ts), so a call served from its role credentials starts no keychain process.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { InputError, TimeoutError } from '../errors';
import type { Logger } from '../log';
import { registerSecret } from '../secrets';
import type { KeychainLookup } from './keychain/find-keychain';
import { asciiJson, type Keychain, KeychainError } from './keychain/keychain';
import {
  idTokenDigest,
  readSessionFile,
  type SessionFile,
  type SignedIn,
  sessionFile,
  writeSessionFile,
} from './session-file';
import type { StoreChoice } from './store-choice';

/** Where this call keeps sign-ins, and how that was chosen (for messages). */
export interface SessionStore {
  readonly dir: string;
  readonly choice: StoreChoice;
  /** `--session-store`, `KEYLESS_AWS_SESSION_STORE`, `key "session-store" (file:line)` or `default`. */
  readonly from: string;
  /** Loaded and looked for only when a sign-in is read or written (never on the cached-credentials path). */
  readonly findKeychain: () => Promise<KeychainLookup>;
  readonly log: Logger;
}

/** The keychain this call may use: none for `file`; an error for `keychain` when there is none. */
async function usableKeychain(store: SessionStore): Promise<Keychain | undefined> {
  if (store.choice === 'file') return undefined;
  const found = await store.findKeychain();
  if (found.keychain) return found.keychain;
  if (store.choice === 'auto') return undefined; // no keychain here: the file is the store, nothing to say
  throw new InputError(
    `The setting session-store is keychain (from ${store.from}), but ${found.missing}.`,
    `To use the keychain: ${found.fix}. Or set session-store to auto (the keychain where one exists, else a 0600 file) or file.`,
  );
}

/** In auto mode a keychain that fails is said once and the file is used; with session-store = keychain it stops. */
function keychainFailed(store: SessionStore, error: unknown, instead: string): void {
  if (!(error instanceof KeychainError)) throw error;
  if (store.choice === 'keychain') {
    const fix = `Unlock ${error.label}${error.timedOut ? ' (an unlock prompt may be waiting)' : ''}, or set session-store to auto or file (now keychain, from ${store.from}).`;
    if (error.timedOut) throw new TimeoutError(`${error.label} did not answer: ${error.reason}.`, fix);
    throw new InputError(`${error.label} could not be used: ${error.reason}.`, fix);
  }
  const label = error.label.charAt(0).toUpperCase() + error.label.slice(1);
  store.log.warn(
    `${label} could not be used (${error.reason}); ${instead}. Set session-store = file to stop trying it.`,
  );
}

function parseKept(secret: string, file: SessionFile): SignedIn | undefined {
  try {
    const kept = JSON.parse(secret) as Partial<SignedIn>;
    if (typeof kept.idToken !== 'string' || kept.issuer !== file.issuer || kept.clientId !== file.clientId) {
      return undefined; // another provider's or an edited item: as good as none
    }
    registerSecret(kept.idToken);
    registerSecret(kept.refreshToken);
    return {
      issuer: file.issuer,
      clientId: file.clientId,
      idToken: kept.idToken,
      ...(typeof kept.refreshToken === 'string' ? { refreshToken: kept.refreshToken } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The kept sign-in: from the file when it holds the tokens (file store, or kept before the keychain), else the keychain. */
export async function readSignIn(store: SessionStore, provider: string): Promise<SignedIn | undefined> {
  // With session-store = keychain and none here this fails now, before a person signs in for nothing.
  const keychain = await usableKeychain(store);
  const file = readSessionFile(store.dir, provider);
  if (!file) return undefined;
  if (file.idToken !== undefined) return file as SignedIn;
  if (!keychain) return undefined;
  try {
    const secret = await keychain.read(provider);
    return secret === undefined ? undefined : parseKept(secret, file);
  } catch (error) {
    keychainFailed(store, error, 'signing in again');
    return undefined;
  }
}

/** Keeps a new sign-in (replacing the provider's file, and with it credentials of an earlier sign-in). */
export async function writeSignIn(store: SessionStore, provider: string, signed: SignedIn): Promise<void> {
  const keychain = await usableKeychain(store);
  if (keychain) {
    const { issuer, clientId, idToken, refreshToken } = signed;
    try {
      await keychain.write(provider, asciiJson({ issuer, clientId, idToken, refreshToken }));
      const idTokenSha256 = await idTokenDigest(idToken);
      await writeSessionFile(store.dir, provider, { issuer, clientId, inKeychain: true, idTokenSha256 });
      return;
    } catch (error) {
      keychainFailed(store, error, `keeping the sign-in in ${sessionFile(store.dir, provider)} (mode 0600) instead`);
    }
  }
  await writeSessionFile(store.dir, provider, signed);
}

/** Kept sign-ins in the directory (providers with a session file). */
function keptProviders(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -5));
  } catch {
    return [];
  }
}

/**
 * Removes the sign-ins of `providers` (every kept or configured one when undefined) from the keychain and the file: both, whatever
 * the store is now, since a sign-in kept under another setting must not outlive a logout. Returns those removed.
 */
export async function removeSessions(
  store: SessionStore,
  providers?: readonly string[],
  /** Providers whose keychain item may outlive their file (those of the providers file), when `providers` is unset. */
  configured: readonly string[] = [],
): Promise<string[]> {
  const files = keptProviders(store.dir);
  const chosen = providers ?? [...new Set([...files, ...configured])];
  const keychain = (await store.findKeychain()).keychain;
  const removed: string[] = [];
  for (const name of chosen) {
    let gone = false;
    if (keychain) {
      try {
        gone = await keychain.remove(name);
      } catch (error) {
        if (!(error instanceof KeychainError)) throw error;
        store.log.warn(`Could not remove the sign-in with ${name} from ${error.label} (${error.reason}).`);
      }
    }
    if (files.includes(name)) {
      unlinkSync(sessionFile(store.dir, name));
      gone = true;
    }
    if (gone) removed.push(name);
  }
  return removed;
}
