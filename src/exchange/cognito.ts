// Loaded only in the Cognito flow (obtain.ts imports it dynamically), so the plain OIDC path never loads the
// Cognito client; keep static imports of this module out of everything else.
import { CognitoIdentityClient, GetIdCommand, GetOpenIdTokenCommand } from '@aws-sdk/client-cognito-identity';
import { DeniedError } from '../errors';
import { explainCognitoDenial } from '../explain/denial';
import type { Logger } from '../log';
import type { ProxySettings } from '../net/proxy';
import { sdkRequestHandler } from '../net/sdk-handler';
import type { CognitoSettings } from '../settings/types';
import { decodeToken, issuerHost, type Token } from '../token/token';
import { classifyAwsError } from './aws-errors';

export const TAGS_CLAIM = 'https://aws.amazon.com/tags';

export interface CognitoResult {
  readonly identityId: string;
  /** The Logins key the CI token was presented under. */
  readonly providerName: string;
  /** The Cognito-issued OIDC token (secret), which STS accepts for roles trusting cognito-identity.amazonaws.com. */
  readonly token: Token;
  /** Tags from the token's https://aws.amazon.com/tags claim; not secret. */
  readonly principalTags: Readonly<Record<string, string>>;
}

export interface CognitoConnection {
  readonly requestTimeoutMs: number;
  readonly proxy?: ProxySettings;
  /** Under --debug: the call and request lines. */
  readonly debug?: (line: string) => void;
}

/** One basic-flow exchange of a CI token; the caller fetches a fresh CI token for every call. */
export type CognitoExchange = (ciToken: Token) => Promise<CognitoResult>;

/** The Logins key: the provider name the pool knows the issuer by, by default the token's `iss` without scheme. */
export function cognitoProviderName(settings: CognitoSettings, ciToken: Token): string {
  const name = settings.providerName ?? issuerHost(ciToken.claims.iss);
  if (!name) {
    throw new DeniedError(
      'NoIssuer',
      `The CI token from ${ciToken.origin} has no iss claim, so the Cognito provider name cannot be derived.`,
      { hint: 'Set cognito-provider-name to the provider name configured in the identity pool.' },
    );
  }
  return name;
}

/**
 * `{"principal_tags": {"k": ["v"]}}` → `{k: "v"}`. STS only supports single-valued session tags, so Cognito puts one
 * string in each array; anything else is shown as it is rather than dropped, since this is for reading only.
 */
export function principalTagsOf(token: Token): Record<string, string> {
  const claim = token.claims[TAGS_CLAIM];
  const tags =
    claim !== null && typeof claim === 'object' ? (claim as { principal_tags?: unknown }).principal_tags : undefined;
  const out: Record<string, string> = {};
  if (tags === null || typeof tags !== 'object') return out;
  for (const [key, value] of Object.entries(tags)) {
    out[key] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return out;
}

/** The log line of a successful exchange: identity and tags (not secret), never the token. */
export function describeCognitoResult(result: CognitoResult): string {
  const tags = Object.entries(result.principalTags).map(([k, v]) => `${k}=${v}`);
  return `Cognito identity ${result.identityId} (login ${result.providerName}); principal tags: ${
    tags.length > 0 ? tags.join(', ') : '(none)'
  }`;
}

/** Cognito Identity speaks AWS JSON 1.1 (application/x-amz-json-1.1), errors included. */
const COGNITO_ANSWER = { name: 'Cognito', contentType: /\bjson\b/i };

export function createCognitoClient(settings: CognitoSettings, connection: CognitoConnection): CognitoIdentityClient {
  return new CognitoIdentityClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    // Our retry loop owns retries: it re-runs the whole chain with a fresh CI token.
    maxAttempts: 1,
    requestHandler: sdkRequestHandler(connection.requestTimeoutMs, connection.proxy, COGNITO_ANSWER, connection.debug),
    // GetId and GetOpenIdToken are public (unsigned) APIs; never let the default chain go looking for credentials.
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
}

/**
 * The basic ("classic") flow: GetId then GetOpenIdToken, each with the CI token as the login. The pool maps claims
 * of the CI token to principal tags, which the Cognito token carries into the STS session. The client is created
 * once; every call is one attempt.
 */
export function cognitoExchange(
  settings: CognitoSettings,
  connection: CognitoConnection,
  log: Logger,
): CognitoExchange {
  const client = createCognitoClient(settings, connection);
  return async (ciToken) => {
    const providerName = cognitoProviderName(settings, ciToken);
    const logins = { [providerName]: ciToken.value };
    const explain = (info: Parameters<typeof explainCognitoDenial>[0]) =>
      explainCognitoDenial(info, {
        identityPoolId: settings.identityPoolId,
        region: settings.region,
        providerName,
        token: ciToken,
        ...(settings.accountId ? { accountId: settings.accountId } : {}),
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      });

    let identityId: string | undefined;
    try {
      const out = await client.send(
        new GetIdCommand({
          IdentityPoolId: settings.identityPoolId,
          Logins: logins,
          ...(settings.accountId ? { AccountId: settings.accountId } : {}),
        }),
      );
      identityId = out.IdentityId;
    } catch (error) {
      throw classifyAwsError(error, 'Cognito GetId', explain);
    }
    if (!identityId) throw new DeniedError('IncompleteResponse', 'Cognito GetId answered without an IdentityId.');

    let raw: string | undefined;
    try {
      const out = await client.send(new GetOpenIdTokenCommand({ IdentityId: identityId, Logins: logins }));
      raw = out.Token;
      // A login already linked elsewhere merges identities; the answer names the surviving one.
      identityId = out.IdentityId ?? identityId;
    } catch (error) {
      throw classifyAwsError(error, 'Cognito GetOpenIdToken', explain);
    }
    if (!raw) throw new DeniedError('IncompleteResponse', 'Cognito GetOpenIdToken answered without a Token.');
    // decodeToken registers the Cognito token as a secret before anything can print it.
    const token = decodeToken(raw, 'Cognito GetOpenIdToken');
    const result = { identityId, providerName, token, principalTags: principalTagsOf(token) };
    log.info(describeCognitoResult(result));
    return result;
  };
}
