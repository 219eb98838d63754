/**
 * Console sign-in through the federation endpoint: temporary credentials → `getSigninToken` → a `login` URL. The URL
 * is as good as the credentials for 15 minutes, so it is treated as a secret: never logged, printed only on request.
 */

import { DeniedError, EndpointError, InputError } from '../errors';
import type { AwsCredentials } from '../exchange/session';
import { httpRequestText } from '../net/http';
import { registerSecret } from '../secrets';

export interface SigninRequest {
  readonly federation: string;
  readonly destination: string;
  /** Console session length; omitted: the credentials' remaining lifetime (AWS's default). */
  readonly sessionDurationS?: number;
  readonly issuer?: string;
  readonly timeoutMs: number;
}

export async function consoleSigninUrl(credentials: AwsCredentials, request: SigninRequest): Promise<string> {
  if (!credentials.sessionToken) {
    throw new InputError(
      'The console sign-in needs temporary credentials (with a session token); these are long-term access keys.',
      'Assume a role first (auth, exec, or a profile with role_arn / credential_process).',
    );
  }
  const session = JSON.stringify({
    sessionId: credentials.accessKeyId,
    sessionKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
  });
  const tokenUrl = new URL(request.federation);
  const query = new URLSearchParams({ Action: 'getSigninToken', Session: session });
  if (request.sessionDurationS !== undefined) query.set('SessionDuration', String(request.sessionDurationS));
  // A GET with the query, as the IAM User Guide shows it (TLS to AWS; our messages never show a URL's query).
  tokenUrl.search = query.toString();
  const answer = await httpRequestText(tokenUrl, {
    method: 'GET',
    timeoutMs: request.timeoutMs,
    what: 'the AWS sign-in federation endpoint',
  });
  if (answer.status !== 200) {
    throw new DeniedError('SigninRefused', `The federation endpoint refused the credentials (HTTP ${answer.status}).`, {
      hint:
        'The credentials may have expired, or come from role chaining with a session duration over 1 hour ' +
        '(AWS allows those at most 1 hour of console): try --session-duration-s 3600.',
    });
  }
  let token: unknown;
  try {
    token = (JSON.parse(answer.body) as { SigninToken?: unknown }).SigninToken;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '') {
    throw new EndpointError('UnexpectedResponse', 'The federation endpoint answered without a SigninToken.');
  }
  registerSecret(token);
  const login = new URL(request.federation);
  login.search = new URLSearchParams({
    Action: 'login',
    ...(request.issuer ? { Issuer: request.issuer } : {}),
    Destination: request.destination,
    SigninToken: token,
  }).toString();
  registerSecret(login.href);
  return login.href;
}
