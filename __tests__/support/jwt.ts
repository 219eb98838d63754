/**
 * Test OIDC issuers: an RS256 key pair and a signer for ID tokens with arbitrary claims.
 *
 *   const issuer = await createTestIssuer('https://token.actions.githubusercontent.com');
 *   const jwt = await issuer.sign({ sub: 'repo:o/r:ref:refs/heads/main', aud: 'sts.amazonaws.com' }, { expiresIn: 300 });
 *   issuer.jwks()            // { keys: [public JWK with kid, alg RS256, use sig] } for a discovery endpoint
 *   githubClaims({ aud })    // the claims GitHub puts in an Actions ID token, overridable
 *   decodeClaims(jwt)        // payload of any compact JWT, unverified
 *
 * Every signed token gets a fresh random `jti` unless the claims give one, so tests can tell tokens apart (a retry
 * must use a fresh token). `iss` defaults to the issuer URL; `iat` to now; `exp` to iat + expiresIn (default 300 s).
 */
import { randomUUID } from 'node:crypto';
import { type CryptoKey, decodeJwt, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface SignOptions {
  /** Seconds from iat to exp (negative makes an expired token). Default 300. */
  readonly expiresIn?: number;
  /** Seconds since the epoch; default now. */
  readonly issuedAt?: number;
  readonly notBefore?: number;
  /** Extra protected-header fields (kid, typ, …); alg is always RS256. */
  readonly header?: Record<string, unknown>;
}

export interface TestIssuer {
  readonly url: string;
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly privateKey: CryptoKey;
  jwks(): { keys: JWK[] };
  sign(claims?: JWTPayload & Record<string, unknown>, options?: SignOptions): Promise<string>;
}

export async function createTestIssuer(url: string = GITHUB_ISSUER, kid = `test-${randomUUID()}`): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    url,
    kid,
    publicJwk,
    privateKey,
    jwks: () => ({ keys: [publicJwk] }),
    async sign(claims = {}, options = {}) {
      const iat = options.issuedAt ?? Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        iss: url,
        jti: randomUUID(),
        iat,
        exp: iat + (options.expiresIn ?? 300),
        ...(options.notBefore !== undefined ? { nbf: options.notBefore } : {}),
        ...claims,
      };
      return new SignJWT(payload)
        .setProtectedHeader({ typ: 'JWT', kid, ...options.header, alg: 'RS256' })
        .sign(privateKey);
    },
  };
}

/** The claims of a GitHub Actions ID token for a push to main of octo-org/octo-repo; override any of them. */
export function githubClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: 'repo:octo-org/octo-repo:environment:prod',
    aud: 'sts.amazonaws.com',
    ref: 'refs/heads/main',
    sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    repository: 'octo-org/octo-repo',
    repository_owner: 'octo-org',
    repository_id: '123456',
    run_id: '9876543210',
    run_number: '42',
    run_attempt: '1',
    actor: 'octocat',
    workflow: 'deploy',
    event_name: 'push',
    ref_type: 'branch',
    environment: 'prod',
    job_workflow_ref: 'octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main',
    runner_environment: 'github-hosted',
    ...overrides,
  };
}

/** The payload of a compact JWT, not verified. */
export function decodeClaims(jwt: string): JWTPayload & Record<string, unknown> {
  return decodeJwt(jwt) as JWTPayload & Record<string, unknown>;
}
