import type { Session } from '../exchange/session';
import { isoSeconds } from './env-vars';

/**
 * The document an AWS SDK expects on stdout from a `credential_process` (Version 1). `Expiration` is what makes the
 * SDK run the process again before the credentials lapse; without it they would be treated as long-term.
 */
export function credentialProcessDocument(session: Session): string {
  const { credentials } = session;
  const document = {
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { SessionToken: credentials.sessionToken } : {}),
    ...(credentials.expiration ? { Expiration: isoSeconds(credentials.expiration) } : {}),
    ...(session.accountId ? { AccountId: session.accountId } : {}),
  };
  return `${JSON.stringify(document)}\n`;
}
