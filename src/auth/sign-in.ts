/**
 * One sign-in per provider at a time, reused for as long as it lasts: the kept ID token while it has time left, else
 * the refresh token, else the browser (or the device flow). What is kept lives where session-store says
 * (session-store.ts); the lock is the provider's session file's either way. A second call that arrives while the first is signing in
 * waits on the lock and then uses what the first kept, so concurrent `aws` commands open one browser, not several.
 */
import type { Logger } from '../log';
import { withFileLockAsync } from '../shared/file-lock';
import { decodeToken } from '../token/token';
import { discover, loadOpenIdClient, oauthErrorCode, type ProviderEndpoint, providerError } from './provider';
import { privateDir, type SignedIn, sessionFile } from './session-file';
import { readSignIn, type SessionStore, writeSignIn } from './session-store';
import { tokensOf } from './tokens';

export interface SignInRequest {
  readonly provider: ProviderEndpoint;
  readonly store: SessionStore;
  readonly device: boolean;
  readonly browser: string;
  /** How long the person has to finish signing in. */
  readonly timeoutMs: number;
  readonly log: Logger;
}

/** A kept ID token is reused while it has this much life left: enough for the exchange that follows. */
const MIN_REMAINING_MS = 120_000;

function usableIdToken(kept: SignedIn | undefined, provider: ProviderEndpoint, now = Date.now()): string | undefined {
  if (!kept || kept.issuer !== provider.issuer || kept.clientId !== provider.clientId) return undefined;
  const exp = decodeToken(kept.idToken, `kept sign-in of ${provider.name}`).claims.exp;
  return typeof exp === 'number' && exp * 1000 - now > MIN_REMAINING_MS ? kept.idToken : undefined;
}

/** Returns an ID token of the provider, signing the person in only when nothing kept can be used. */
export async function signIn(request: SignInRequest): Promise<string> {
  const { provider, log, store } = request;
  const dir = privateDir(store.dir);
  const fast = usableIdToken(await readSignIn(store, provider.name), provider);
  if (fast) return fast; // the common case: no lock, no openid-client, no network
  return withFileLockAsync(
    sessionFile(dir, provider.name),
    async () => {
      const kept = await readSignIn(store, provider.name);
      const meanwhile = usableIdToken(kept, provider);
      if (meanwhile) return meanwhile;
      const client = await loadOpenIdClient();
      const config = await discover(client, provider);
      const sameClient = kept && kept.issuer === provider.issuer && kept.clientId === provider.clientId;
      if (sameClient && kept.refreshToken) {
        try {
          const response = await client.refreshTokenGrant(config, kept.refreshToken);
          const refreshed = tokensOf(response, provider, kept.refreshToken);
          await writeSignIn(store, provider.name, refreshed);
          log.info(`Refreshed the sign-in with ${provider.name}.`);
          return refreshed.idToken;
        } catch (error) {
          if (oauthErrorCode(error) !== 'invalid_grant') throw providerError(error, provider, 'refresh');
          log.warn(
            `The kept sign-in with ${provider.name} was revoked or has expired (invalid_grant); signing in again.`,
          );
        }
      }
      const login = request.device
        ? (await import('./device-login')).deviceLogin(client, config, provider, request)
        : (await import('./browser-login')).browserLogin(client, config, provider, request);
      const signed = await login;
      await writeSignIn(store, provider.name, signed);
      return signed.idToken;
    },
    // Waiters give the signer the whole sign-in time; a lock older than that belongs to a signer that died.
    { timeoutMs: request.timeoutMs + 30_000, staleMs: request.timeoutMs + 60_000 },
  );
}
