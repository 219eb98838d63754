// STS's validation of a web-identity token (protocol reference §1.6): JWT shape, provider lookup by `iss` in the
// role's account (or the built-in Cognito provider), audience, signing key, and time — with STS's error texts.
import { type Clock, epochSeconds, TOKEN_SKEW_SECONDS } from './clock';
import type { CognitoIssuer } from './cognito-issuer';
import { StsError } from './errors';
import { COGNITO_PROVIDER, type IamModel, type OidcProvider } from './iam-model';
import { audiences, decodeJwt, tokenTimeProblem } from './jwt';
import { type JwksCache, KeyVerificationError } from './oidc-verify';

const NOT_A_JWT = 'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)';
const KEY_RETRIEVAL =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

export interface VerifiedWebIdentity {
  claims: Record<string, unknown>;
  /**
   * The principal a trust policy must name in `Federated` (a provider ARN or `cognito-identity.amazonaws.com`),
   * which is also the response's `Provider` element.
   */
  federatedPrincipal: string;
  /** Condition-key prefix (provider URL without scheme, or `cognito-identity.amazonaws.com`). */
  keyPrefix: string;
  /** The audience that matched (`Audience` element). */
  audience: string;
  subject: string;
}

export interface WebIdentityDeps {
  model: IamModel;
  jwks: JwksCache;
  cognito: CognitoIssuer;
  clock: Clock;
}

function emulatorNote(message: string, note: string): string {
  return `${message} (emulator: ${note})`;
}

/** Cognito and (as observed) STS check `azp` when present, else any `aud` value, against the provider's client ids. */
export function matchingAudience(provider: OidcProvider, claims: Record<string, unknown>): string | undefined {
  const azp = typeof claims.azp === 'string' ? claims.azp : undefined;
  if (azp !== undefined) return provider.clientIds.includes(azp) ? azp : undefined;
  return audiences(claims).find((a) => provider.clientIds.includes(a));
}

export async function verifyWebIdentityToken(
  token: string,
  roleAccountId: string,
  deps: WebIdentityDeps,
): Promise<VerifiedWebIdentity> {
  const jwt = decodeJwt(token);
  if (!jwt) throw new StsError('InvalidIdentityToken', NOT_A_JWT);
  const { claims } = jwt;
  const iss = typeof claims.iss === 'string' ? claims.iss : '';
  const subject = typeof claims.sub === 'string' ? claims.sub : '';

  let result: VerifiedWebIdentity;
  if (iss !== '' && iss === deps.cognito.issuerUrl) {
    // The built-in provider: no IAM object, audience is the identity pool id, RS512 with our own key.
    const aud = audiences(claims)[0] ?? '';
    checkTimes(claims, deps.clock);
    if (!deps.cognito.verify(jwt)) {
      throw new StsError(
        'InvalidIdentityToken',
        emulatorNote(KEY_RETRIEVAL, 'signature does not verify with the emulated Cognito key'),
      );
    }
    result = { claims, federatedPrincipal: COGNITO_PROVIDER, keyPrefix: COGNITO_PROVIDER, audience: aud, subject };
  } else {
    const provider = deps.model.findProviderByIssuer(roleAccountId, iss);
    if (!provider)
      throw new StsError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${iss}`);
    const audience = matchingAudience(provider, claims);
    if (audience === undefined) {
      const azp = claims.azp;
      const shown = typeof azp === 'string' ? `azp ${azp}` : `aud ${JSON.stringify(claims.aud ?? null)}`;
      throw new StsError(
        'InvalidIdentityToken',
        emulatorNote('Incorrect token audience', `${shown} is not in the ClientIdList of ${provider.arn}`),
      );
    }
    if (jwt.header.alg !== 'RS256') {
      throw new StsError(
        'InvalidIdentityToken',
        emulatorNote('Only tokens with RSA algorithms (RS256) are supported', `token alg is ${String(jwt.header.alg)}`),
      );
    }
    checkTimes(claims, deps.clock);
    try {
      await deps.jwks.verify(jwt, iss);
    } catch (error) {
      if (error instanceof KeyVerificationError)
        throw new StsError('InvalidIdentityToken', emulatorNote(KEY_RETRIEVAL, error.message));
      throw error;
    }
    result = { claims, federatedPrincipal: provider.arn, keyPrefix: provider.name, audience, subject };
  }
  if (subject === '')
    throw new StsError(
      'InvalidIdentityToken',
      emulatorNote('The ID Token provided is missing a required claim', 'sub'),
    );
  return result;
}

/** STS's texts for a token outside its validity window, with the emulator's account of the skew allowed. */
function checkTimes(claims: Record<string, unknown>, clock: Clock): void {
  const problem = tokenTimeProblem(claims, epochSeconds(clock()), TOKEN_SKEW_SECONDS);
  if (!problem) return;
  if (problem.missing) {
    throw new StsError(
      'InvalidIdentityToken',
      emulatorNote('The ID Token provided is missing a required claim', 'exp'),
    );
  }
  const { claim, value, now } = problem;
  if (claim === 'exp') {
    throw new StsError(
      'ExpiredTokenException',
      `Token expired: current date/time ${now} must be before the expiration date/time ${value}`,
    );
  }
  const text = claim === 'iat' ? 'Token used before issued' : 'Token is not yet valid';
  throw new StsError(
    'InvalidIdentityToken',
    emulatorNote(text, `${claim} ${value} is more than ${TOKEN_SKEW_SECONDS}s after ${now}`),
  );
}
