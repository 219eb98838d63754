/**
 * The two public documents AWS fetches to verify ID tokens, and `export-discovery`, which writes them as static
 * files for hosting on S3/a CDN when the token service itself is not reachable from AWS.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { JENKINS_CLAIM_NAMES } from './build-claims';
import type { KeyStore, PublicJwk } from './keys';
import { openExistingKeyStore } from './keys';

/** Paths relative to the issuer URL. The JWKS path is what the discovery document names as `jwks_uri`. */
export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/.well-known/jwks';
/**
 * OpenID Connect Discovery requires an `authorization_endpoint`, and strict clients (authlib's
 * OpenIDProviderMetadata.validate()) refuse a document without one. The service has no interactive sign-in: the
 * endpoint exists only to say so (400, see server.ts).
 */
export const AUTHORIZATION_PATH = '/authorize';

/** Protocol claims plus the build claims the Jenkins step registers (one list, build-claims.ts); registrations may add others. */
export const CLAIMS_SUPPORTED: readonly string[] = [
  'iss',
  'sub',
  'aud',
  'iat',
  'nbf',
  'exp',
  'jti',
  ...JENKINS_CLAIM_NAMES,
];

export interface DiscoveryDocument {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly jwks_uri: string;
  readonly scopes_supported: readonly string[];
  readonly response_types_supported: readonly string[];
  readonly grant_types_supported: readonly string[];
  readonly subject_types_supported: readonly string[];
  readonly id_token_signing_alg_values_supported: readonly string[];
  readonly claims_supported: readonly string[];
}

/**
 * The OpenID Provider Metadata: what IAM reads (`issuer`, `jwks_uri`) plus every member OpenID Connect Discovery 1.0
 * §3 marks REQUIRED. ID tokens are the only thing issued (`response_types_supported: ["id_token"]`), never through
 * an OAuth token endpoint, so the grant type is `implicit` and `token_endpoint` is omitted, as the spec allows
 * when only the implicit flow is used.
 */
export function discoveryDocument(issuerUrl: string): DiscoveryDocument {
  return {
    issuer: issuerUrl,
    authorization_endpoint: `${issuerUrl}${AUTHORIZATION_PATH}`,
    jwks_uri: `${issuerUrl}${JWKS_PATH}`,
    scopes_supported: ['openid'],
    response_types_supported: ['id_token'],
    grant_types_supported: ['implicit'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: CLAIMS_SUPPORTED,
  };
}

export function jwksDocument(keys: KeyStore): { keys: PublicJwk[] } {
  return keys.jwks();
}

/**
 * Writes `<outDir>/.well-known/openid-configuration` and `<outDir>/.well-known/jwks`; upload the contents of
 * `outDir` so that `outDir` maps to the issuer URL. Returns the written paths.
 */
export async function exportDiscovery(options: {
  issuerUrl: string;
  keysDir: string;
  outDir: string;
}): Promise<string[]> {
  const keys = await openExistingKeyStore(options.keysDir);
  const files: [string, unknown][] = [
    [join(options.outDir, DISCOVERY_PATH), discoveryDocument(options.issuerUrl)],
    [join(options.outDir, JWKS_PATH), jwksDocument(keys)],
  ];
  for (const [file, document] of files) {
    await mkdir(dirname(file), { recursive: true });
    // Public documents: world-readable on purpose.
    await writeFile(file, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o644 });
  }
  return files.map(([file]) => file);
}
