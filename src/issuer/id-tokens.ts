/**
 * ID tokens: RS256 JWTs that AWS (or any OIDC relying party) verifies against the published JWKS.
 *
 * Lifetime: exp = min(iat + token ttl, request token expiry). A build's ID tokens thus never outlive its
 * registration (GitHub lets them run a few minutes past the job; we prefer the tighter bound, since a request token's
 * lifetime is the controller's statement of how long the build may act).
 * nbf is backdated by 60 s so a verifier whose clock runs slightly behind ours does not reject a fresh token.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningKey } from './keys';
import type { VerifiedRequestToken } from './request-tokens';

export const NOT_BEFORE_SKEW_SECONDS = 60;

export interface IdTokenRequest {
  readonly grant: VerifiedRequestToken;
  readonly audience: string;
  readonly issuerUrl: string;
  readonly tokenTtlSeconds: number;
  readonly key: SigningKey;
  /** Unix seconds. */
  readonly now: number;
}

export interface IssuedIdToken {
  readonly token: string;
  readonly jti: string;
  readonly expiresAt: number;
}

export async function signIdToken(request: IdTokenRequest): Promise<IssuedIdToken> {
  const { grant, now } = request;
  const jti = randomUUID();
  const expiresAt = Math.min(now + request.tokenTtlSeconds, grant.expiresAt);
  // Registered claims first, protocol claims last: reserved names were refused at registration, and writing the
  // protocol claims afterwards guarantees they cannot be shadowed even if that check were bypassed.
  const token = await new SignJWT({
    ...grant.claims,
    iss: request.issuerUrl,
    sub: grant.sub,
    aud: request.audience,
    iat: now,
    nbf: now - NOT_BEFORE_SKEW_SECONDS,
    exp: expiresAt,
    jti,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: request.key.kid })
    .sign(request.key.privateKey);
  return { token, jti, expiresAt };
}
