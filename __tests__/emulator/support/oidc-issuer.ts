/**
 * A loopback OIDC issuer for emulator tests: serves `<issuer>/.well-known/openid-configuration` and a JWKS, and
 * signs RS256 tokens with jose.
 *
 *   const issuer = await startOidcIssuer();                            // GitHub-like, issuer at the root
 *   const jenkins = await startOidcIssuer({ path: '/oidc', leadingZeroModulus: true }); // Jenkins-like JWKS
 *   const token = await issuer.sign(githubClaims(issuer.url, { sub: 'repo:acme/app:ref:refs/heads/main' }));
 *   await issuer.rotate();          // new key pair (new kid) — old tokens no longer verify
 *   issuer.requests                 // counts of discovery / JWKS fetches
 *   issuer.breakDiscovery(404)      // answer discovery with an error status (undo with breakDiscovery(undefined))
 *   await issuer.close();
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export interface IssuerOptions {
  /** Path of the issuer under the server root, e.g. `/oidc` (Jenkins). Default: none. */
  path?: string;
  /** Serialise `n` with a leading 0x00 byte, as Jenkins' `BigInteger.toByteArray()` does. */
  leadingZeroModulus?: boolean;
  /** Where the JWKS is served relative to the issuer. Default `/.well-known/jwks`. */
  jwksPath?: string;
}

export interface SignOptions {
  kid?: string;
  alg?: 'RS256' | 'RS384' | 'RS512';
  /** Sign with a key that is not in the JWKS (but claim the current kid). */
  foreignKey?: boolean;
}

export interface OidcIssuer {
  url: string;
  kid: string;
  requests: { discovery: number; jwks: number };
  sign(claims: Record<string, unknown>, options?: SignOptions): Promise<string>;
  rotate(): Promise<void>;
  breakDiscovery(status: number | undefined): void;
  close(): Promise<void>;
}

interface KeyPair {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(leadingZero: boolean, alg: 'RS256' | 'RS384' | 'RS512' = 'RS256'): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(publicKey);
  if (leadingZero && jwk.n)
    jwk.n = Buffer.concat([Buffer.from([0]), Buffer.from(jwk.n, 'base64url')]).toString('base64url');
  return { kid: `key-${randomUUID()}`, privateKey, jwk: { ...jwk, alg: 'RS256', use: 'sig' } };
}

export async function startOidcIssuer(options: IssuerOptions = {}): Promise<OidcIssuer> {
  const leadingZero = options.leadingZeroModulus ?? false;
  let current = await newKey(leadingZero);
  const foreign = await newKey(false);
  const requests = { discovery: 0, jwks: 0 };
  let discoveryFailure: number | undefined;
  const path = options.path ?? '';
  const jwksPath = options.jwksPath ?? '/.well-known/jwks';
  let url = '';

  const server = createServer((req, res) => {
    const reqPath = (req.url ?? '/').split('?')[0];
    if (reqPath === `${path}/.well-known/openid-configuration`) {
      requests.discovery++;
      if (discoveryFailure !== undefined) {
        res.writeHead(discoveryFailure).end('unavailable');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          issuer: url,
          jwks_uri: `${url}${jwksPath}`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
      return;
    }
    if (reqPath === `${path}${jwksPath}`) {
      requests.jwks++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [{ ...current.jwk, kid: current.kid }] }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

  return {
    get url() {
      return url;
    },
    get kid() {
      return current.kid;
    },
    requests,
    async sign(claims, signOptions = {}) {
      const key = signOptions.foreignKey ? foreign : current;
      const alg = signOptions.alg ?? 'RS256';
      const privateKey = alg === 'RS256' ? key.privateKey : (await newKey(false, alg)).privateKey;
      return new SignJWT(claims)
        .setProtectedHeader({ alg, typ: 'JWT', kid: signOptions.kid ?? current.kid })
        .sign(privateKey);
    },
    async rotate() {
      current = await newKey(leadingZero);
    },
    breakDiscovery(status) {
      discoveryFailure = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Claims of a GitHub Actions ID token (all strings, as GitHub sends them), overridable. */
export function githubClaims(issuerUrl: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    jti: randomUUID(),
    iss: issuerUrl,
    aud: 'sts.amazonaws.com',
    sub: 'repo:acme/app:ref:refs/heads/main',
    ref: 'refs/heads/main',
    sha: 'a'.repeat(40),
    repository: 'acme/app',
    repository_owner: 'acme',
    actor: 'octocat',
    run_id: '1234567890',
    run_number: '7',
    event_name: 'push',
    workflow: 'deploy',
    iat: now,
    nbf: now - 600,
    exp: now + 300,
    ...overrides,
  };
}
