/**
 * Request tokens: what a build holds to ask for ID tokens. Stateless by design: the token is an HS256 JWS that
 * carries the build's claims, allowed audiences and expiry, so any instance sharing the key directory can serve it,
 * a restart loses nothing, and no database is needed.
 *
 * Kinds can never be confused: a request token has header typ "keyless-request+jwt", claim token_use "request",
 * alg HS256 with a secret that never leaves the service, and aud "<issuer>/token"; an ID token is RS256 with
 * typ "JWT". Verification demands all four, so an ID token presented as a request token fails (and AWS refuses an
 * HS256 request token presented as an ID token).
 *
 * The claims are signed, not encrypted: the build can read them, which is fine because the same claims appear in
 * every ID token it receives. Never register secrets as claims.
 */
import { randomUUID } from 'node:crypto';
import { type CryptoKey, jwtVerify, SignJWT } from 'jose';
import type { BuildRegistration, ClaimValue } from './build-claims';

export const REQUEST_TOKEN_TYP = 'keyless-request+jwt';
const TOKEN_USE = 'request';

export interface RequestTokenContext {
  readonly key: CryptoKey;
  readonly issuerUrl: string;
  /** Unix seconds. */
  readonly now: () => number;
}

export interface IssuedRequestToken {
  readonly token: string;
  readonly jti: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

/** What a verified request token entitles its holder to. */
export interface VerifiedRequestToken {
  readonly jti: string;
  readonly sub: string;
  readonly claims: Readonly<Record<string, ClaimValue>>;
  readonly audiences: readonly string[];
  /** Unix seconds; ID tokens never outlive it. */
  readonly expiresAt: number;
}

/** The request token's own audience: it is only good at this issuer's token endpoint. */
function requestTokenAudience(issuerUrl: string): string {
  return `${issuerUrl}/token`;
}

export async function issueRequestToken(
  registration: BuildRegistration,
  context: RequestTokenContext,
): Promise<IssuedRequestToken> {
  const now = context.now();
  const jti = randomUUID();
  const expiresAt = now + registration.lifetimeSeconds;
  const token = await new SignJWT({
    token_use: TOKEN_USE,
    claims: registration.claims,
    audiences: registration.audiences,
  })
    .setProtectedHeader({ alg: 'HS256', typ: REQUEST_TOKEN_TYP })
    .setIssuer(context.issuerUrl)
    .setAudience(requestTokenAudience(context.issuerUrl))
    .setSubject(registration.sub)
    .setJti(jti)
    .setIssuedAt(now)
    .setExpirationTime(expiresAt)
    .sign(context.key);
  return { token, jti, expiresAt };
}

/**
 * Returns the token's grant, or undefined for any failure at all (malformed, forged, expired, wrong kind, wrong
 * issuer). The caller answers every one of those with the same 401, so the reason is deliberately not kept.
 */
export async function verifyRequestToken(
  token: string,
  context: RequestTokenContext,
): Promise<VerifiedRequestToken | undefined> {
  try {
    const { payload } = await jwtVerify(token, context.key, {
      algorithms: ['HS256'],
      typ: REQUEST_TOKEN_TYP,
      issuer: context.issuerUrl,
      audience: requestTokenAudience(context.issuerUrl),
      requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      currentDate: new Date(context.now() * 1000),
      clockTolerance: 0,
    });
    const { token_use, claims, audiences, sub, jti, exp } = payload;
    if (token_use !== TOKEN_USE || !isClaimRecord(claims) || !isStringArray(audiences) || audiences.length === 0) {
      return undefined;
    }
    return { jti: jti as string, sub: sub as string, claims, audiences, expiresAt: exp as number };
  } catch {
    return undefined;
  }
}

function isClaimRecord(value: unknown): value is Record<string, ClaimValue> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
