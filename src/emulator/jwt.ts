// Compact JWS parsing, RSA signature verification and signing with node:crypto. The emulator verifies tokens
// itself (rather than through a JOSE library) so it can reproduce AWS's tolerance of non-canonical JWKS, such as
// Jenkins' RSA moduli with a leading zero byte.
import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

function decodeJsonPart(part: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Splits and decodes a compact JWS; undefined when it is not one (encrypted JWEs and opaque tokens included). */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, c, s] = parts as [string, string, string];
  const header = decodeJsonPart(h);
  const claims = decodeJsonPart(c);
  if (!header || !claims || !/^[A-Za-z0-9_-]*$/.test(s)) return undefined;
  return { header, claims, signingInput: `${h}.${c}`, signature: Buffer.from(s, 'base64url') };
}

const HASH_BY_ALG: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

export function isSupportedRsaAlg(alg: unknown): alg is 'RS256' | 'RS384' | 'RS512' {
  return typeof alg === 'string' && alg in HASH_BY_ALG;
}

/** Strips leading zero bytes of a base64url big-endian integer (Jenkins serialises `BigInteger.toByteArray()`). */
function canonicalBase64UrlInteger(value: string): string {
  let bytes = Buffer.from(value, 'base64url');
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  if (start > 0) bytes = bytes.subarray(start);
  return bytes.toString('base64url');
}

export interface Jwk {
  kty?: unknown;
  kid?: unknown;
  n?: unknown;
  e?: unknown;
  alg?: unknown;
  use?: unknown;
}

/** Imports an RSA JWK as a public key; undefined for non-RSA or malformed keys (those are skipped, as AWS does). */
export function importRsaJwk(jwk: Jwk): KeyObject | undefined {
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return undefined;
  try {
    return createPublicKey({
      key: { kty: 'RSA', n: canonicalBase64UrlInteger(jwk.n), e: canonicalBase64UrlInteger(jwk.e) },
      format: 'jwk',
    });
  } catch {
    return undefined;
  }
}

export function verifyJwtSignature(jwt: DecodedJwt, key: KeyObject): boolean {
  const hash = HASH_BY_ALG[String(jwt.header.alg)];
  if (!hash) return false;
  return verify(hash, Buffer.from(jwt.signingInput), key, jwt.signature);
}

export function signJwt(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const hash = HASH_BY_ALG[String(header.alg)];
  if (!hash) throw new Error(`cannot sign with alg ${String(header.alg)}`);
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${sign(hash, Buffer.from(input), key).toString('base64url')}`;
}

/** `aud` as a list: JWTs carry a string or an array (Jenkins ≥ 2026-04, Kubernetes). */
export function audiences(claims: Record<string, unknown>): string[] {
  const aud = claims.aud;
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  return [];
}

/** Why a token's time claims refuse it at `now` (epoch seconds), allowing `skew` seconds of clock difference. */
export type TokenTimeProblem =
  | { claim: 'exp'; missing: true }
  | { claim: 'exp' | 'iat' | 'nbf'; missing?: false; value: number; now: number };

function numericClaim(claims: Record<string, unknown>, name: string): number | undefined {
  const value = claims[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * `exp` is required and may lie up to `skew` seconds in the past; `iat` and `nbf`, when present, up to `skew` seconds
 * in the future. One more second either way refuses the token.
 */
export function tokenTimeProblem(
  claims: Record<string, unknown>,
  now: number,
  skew: number,
): TokenTimeProblem | undefined {
  const exp = numericClaim(claims, 'exp');
  if (exp === undefined) return { claim: 'exp', missing: true };
  if (now > exp + skew) return { claim: 'exp', value: exp, now };
  for (const claim of ['iat', 'nbf'] as const) {
    const value = numericClaim(claims, claim);
    if (value !== undefined && value > now + skew) return { claim, value, now };
  }
  return undefined;
}
