/**
 * The role credentials of the last `auth` call, kept in the provider's session file (beside the tokens, or beside the
 * note that they are in the keychain: a call served from here must not start a keychain process). An SDK runs
 * a credential_process again whenever its credentials near expiry, and every `aws` command is a new process: without
 * this, each one would load the STS client and call AssumeRoleWithWebIdentity. With it, a call costs a file read.
 */
import type { Session } from '../exchange/session';
import { registerSecret } from '../secrets';
import type { Settings } from '../settings/types';
import type { ProviderEndpoint } from './provider';
import { idTokenDigest, readSessionFile, sessionFile, writeSessionFile } from './session-file';

/**
 * Credentials are handed out only with this much life left. botocore runs a credential_process again once fewer than
 * 15 minutes remain (the JavaScript SDK at 5): handing out less would make it call us before every request.
 */
const MIN_REMAINING_MS = 20 * 60_000;

export interface KeptCredentials {
  readonly key: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration: string;
  readonly accountId: string;
  readonly arn: string;
}

/**
 * Everything that makes credentials different — another role, duration, region or policy — or that the exchange
 * checks them against is another cache entry.
 */
export function credentialKey(settings: Settings, provider: ProviderEndpoint): string {
  const parts = [
    provider.issuer,
    provider.clientId,
    settings.roleToAssume,
    settings.roleDurationSeconds,
    settings.region,
    settings.roleSessionName,
    settings.inlineSessionPolicy,
    settings.managedSessionPolicies,
    settings.cognito,
    settings.stsEndpoint,
    // Not what STS hands out, but what the exchange checks before handing it on: kept credentials must pass the
    // checks of this call (allowed-account-ids, special-characters-workaround), not those of the call that kept them.
    settings.allowedAccountIds,
    settings.specialCharactersWorkaround,
  ];
  // Kept as it is (nothing in it is secret): hashing would load node:crypto on the path that must start fastest.
  return JSON.stringify(parts);
}

export function keptSession(dir: string, provider: string, key: string, now = Date.now()): Session | undefined {
  const kept = readSessionFile(dir, provider)?.credentials;
  if (!kept || kept.key !== key || Date.parse(kept.expiration) - now < MIN_REMAINING_MS) return undefined;
  registerSecret(kept.secretAccessKey);
  registerSecret(kept.sessionToken);
  return {
    credentials: {
      accessKeyId: kept.accessKeyId,
      secretAccessKey: kept.secretAccessKey,
      ...(kept.sessionToken ? { sessionToken: kept.sessionToken } : {}),
      expiration: new Date(kept.expiration),
    },
    accountId: kept.accountId,
    arn: kept.arn,
  };
}

/** Adds the credentials to the kept sign-in they came from (under its lock; a sign-in since then wins). */
export async function keepCredentials(dir: string, provider: string, key: string, idToken: string, session: Session) {
  const { credentials } = session;
  if (!credentials.expiration) return;
  const { withFileLockAsync } = await import('../shared/file-lock');
  await withFileLockAsync(sessionFile(dir, provider), async () => {
    const current = readSessionFile(dir, provider);
    if (!current) return;
    const same = current.inKeychain
      ? current.idTokenSha256 === (await idTokenDigest(idToken))
      : current.idToken === idToken;
    if (!same) return;
    const kept: KeptCredentials = {
      key,
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
      expiration: credentials.expiration!.toISOString(),
      accountId: session.accountId,
      arn: session.arn,
    };
    await writeSessionFile(dir, provider, { ...current, credentials: kept });
  });
}
