import { CognitoIdentityClient, GetIdCommand, GetOpenIdTokenCommand } from '@aws-sdk/client-cognito-identity';
import { DeniedError } from '../errors';
import { type ProxySettings, proxyAgentFor } from '../net/proxy';
import type { CognitoSettings } from '../settings/types';
import { decodeToken, issuerHost, type Token } from '../token/token';
import { classifyAwsError } from './aws-errors';

export interface CognitoResult {
  readonly identityId: string;
  /** The Cognito-issued OIDC token (secret), which STS then accepts for roles trusting cognito-identity.amazonaws.com. */
  readonly token: Token;
  /** Tags from the token's https://aws.amazon.com/tags claim; not secret. */
  readonly principalTags: Readonly<Record<string, string>>;
}

export interface CognitoConnection {
  readonly requestTimeoutMs: number;
  readonly proxy?: ProxySettings;
}

/** The Logins key: the provider name the pool knows the issuer by, by default the token's `iss` without scheme. */
export function cognitoProviderName(settings: CognitoSettings, ciToken: Token): string {
  const name = settings.providerName ?? issuerHost(ciToken.claims.iss);
  if (!name) {
    throw new DeniedError(
      'NoIssuer',
      'The CI token has no iss claim, so the Cognito provider name cannot be derived.',
      {
        hint: 'Set cognito-provider-name to the provider name configured in the identity pool.',
      },
    );
  }
  return name;
}

export function principalTagsOf(token: Token): Record<string, string> {
  const claim = token.claims['https://aws.amazon.com/tags'] as { principal_tags?: Record<string, unknown> } | undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(claim?.principal_tags ?? {})) {
    out[key] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return out;
}

export function createCognitoClient(settings: CognitoSettings, connection: CognitoConnection): CognitoIdentityClient {
  const target = new URL(settings.endpoint ?? `https://cognito-identity.${settings.region}.amazonaws.com`);
  const agent = proxyAgentFor(target, connection.proxy);
  return new CognitoIdentityClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    maxAttempts: 1,
    requestHandler: {
      requestTimeout: connection.requestTimeoutMs,
      connectionTimeout: connection.requestTimeoutMs,
      ...(agent ? { httpsAgent: agent, httpAgent: agent } : {}),
    },
    // GetId and GetOpenIdToken are public APIs; never let the default chain go looking for credentials.
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
}

/**
 * The basic ("classic") flow: GetId then GetOpenIdToken with the CI token as the login. The pool maps claims of
 * the CI token to principal tags, which the Cognito token carries into the STS session.
 */
export async function exchangeThroughCognito(
  settings: CognitoSettings,
  ciToken: Token,
  connection: CognitoConnection,
  explain: Parameters<typeof classifyAwsError>[2],
): Promise<CognitoResult> {
  const client = createCognitoClient(settings, connection);
  const logins = { [cognitoProviderName(settings, ciToken)]: ciToken.value };
  let identityId: string | undefined;
  try {
    const id = await client.send(
      new GetIdCommand({
        IdentityPoolId: settings.identityPoolId,
        Logins: logins,
        ...(settings.accountId ? { AccountId: settings.accountId } : {}),
      }),
    );
    identityId = id.IdentityId;
  } catch (error) {
    throw classifyAwsError(error, 'cognito-identity:GetId', explain);
  }
  if (!identityId) throw new DeniedError('IncompleteResponse', 'Cognito GetId answered without an IdentityId.');
  let openId: string | undefined;
  try {
    const out = await client.send(new GetOpenIdTokenCommand({ IdentityId: identityId, Logins: logins }));
    openId = out.Token;
    identityId = out.IdentityId ?? identityId;
  } catch (error) {
    throw classifyAwsError(error, 'cognito-identity:GetOpenIdToken', explain);
  }
  if (!openId) throw new DeniedError('IncompleteResponse', 'Cognito GetOpenIdToken answered without a Token.');
  const token = decodeToken(openId, 'Cognito GetOpenIdToken');
  return { identityId, token, principalTags: principalTagsOf(token) };
}

/** What to change when Cognito says no; filled in with the details the Cognito flow knows. */
export function explainCognitoDenial(
  info: import('./aws-errors').AwsErrorInfo,
  settings: CognitoSettings,
  ciToken: Token,
): { hint?: string; details?: string } {
  const lines = [
    `Cognito identity pool: ${settings.identityPoolId} (region ${settings.region})`,
    `Cognito said: ${info.code}: ${info.message}`,
  ];
  lines.push(
    `CI token: iss ${String(ciToken.claims.iss)}, aud ${JSON.stringify(ciToken.claims.aud)}, sub ${String(ciToken.claims.sub)}`,
  );
  return { details: lines.join('\n') };
}
