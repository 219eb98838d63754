// The token STS is given for the token we hold: the token itself, or — on the Cognito route — the token Cognito
// issues for it (GetId → GetOpenIdToken). The one step both the exchange (obtain.ts) and `roles` take, so what
// `roles` judges is what `auth` presents.
import type { Logger } from '../log';
import type { ExchangeRoute } from '../settings/exchange-route';
import type { Token } from '../token/token';
import type { CognitoConnection, CognitoResult } from './cognito';

export interface StsToken {
  /** What AssumeRoleWithWebIdentity receives (secret). */
  readonly token: Token;
  /** On the Cognito route: the identity, the Logins key and the principal tags behind `token`. */
  readonly cognito?: CognitoResult;
}

/** One attempt from a held token to the token STS sees; retries (with a fresh token) belong to the caller. */
export type StsTokenStep = (token: Token) => Promise<StsToken>;

/**
 * The step for a route. The Cognito client is loaded only on that route, so the plain OIDC path never pays for it;
 * the client is created once and reused by every attempt.
 */
export async function stsTokenStep(
  route: ExchangeRoute,
  connection: CognitoConnection,
  log: Logger,
): Promise<StsTokenStep> {
  if (route.kind === 'sts') return async (token) => ({ token });
  const exchange = (await import('./cognito')).cognitoExchange(route.pool, connection, log);
  return async (token) => {
    const cognito = await exchange(token);
    return { token: cognito.token, cognito };
  };
}
