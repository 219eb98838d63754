import type { Session } from '../exchange/session';

/** ISO-8601 without milliseconds, as STS itself prints expirations. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The variables every SDK and the AWS CLI read. Values are secret except region and expiration. */
export function credentialVariables(session: Session, region: string): Record<string, string> {
  const { credentials } = session;
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    // Always set, even to empty: a stale token from an earlier step would otherwise pair with new long-term keys.
    AWS_SESSION_TOKEN: credentials.sessionToken ?? '',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    ...(credentials.expiration ? { AWS_CREDENTIAL_EXPIRATION: isoSeconds(credentials.expiration) } : {}),
  };
}
