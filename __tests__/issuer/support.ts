// Shared helpers for the issuer tests: temp key directories and an in-process issuer on 127.0.0.1.

import { webcrypto } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CryptoKey, SignJWT } from 'jose';
import { type IssuerOptions, type RunningIssuer, startIssuer } from '../../src/issuer/issuer';
import { createLogger } from '../../src/issuer/log';

export const ADMIN_SECRET = 'test-admin-secret-0123456789abcdef0123456789';

const created: string[] = [];

export async function tempDir(prefix = 'issuer-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export interface TestIssuer {
  readonly issuer: RunningIssuer;
  readonly keysDir: string;
  /** Every log line the issuer wrote. */
  readonly logs: string[];
}

export async function startTestIssuer(options: Partial<IssuerOptions> = {}): Promise<TestIssuer> {
  const logs: string[] = [];
  const keysDir = options.keysDir ?? join(await tempDir(), 'keys');
  const issuer = await startIssuer({
    host: '127.0.0.1',
    port: 0,
    adminSecret: ADMIN_SECRET,
    keyReloadIntervalMs: 0,
    logger: createLogger((line) => logs.push(line)),
    ...options,
    keysDir,
  });
  return { issuer, keysDir, logs };
}

export function register(
  issuer: RunningIssuer,
  body: unknown,
  init: { secret?: string | null; contentType?: string; rawBody?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': init.contentType ?? 'application/json' };
  const secret = init.secret === undefined ? ADMIN_SECRET : init.secret;
  if (secret !== null) headers.authorization = `Bearer ${secret}`;
  return fetch(`${issuer.url}/request-tokens`, {
    method: 'POST',
    headers,
    body: init.rawBody ?? JSON.stringify(body),
  });
}

export async function registerOk(issuer: RunningIssuer, body: unknown): Promise<RegistrationAnswer> {
  const response = await register(issuer, body);
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as RegistrationAnswer;
}

export interface RegistrationAnswer {
  request_token: string;
  token_url: string;
  expires_at: string;
}

/** Asks for an ID token the way the CLI's jenkins source does (audience appended with ? or &). */
export function requestIdToken(
  tokenUrl: string,
  requestToken: string | undefined,
  audience?: string,
): Promise<Response> {
  const url =
    audience === undefined
      ? tokenUrl
      : `${tokenUrl}${tokenUrl.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
  return fetch(url, { headers: requestToken === undefined ? {} : { authorization: `Bearer ${requestToken}` } });
}

/** The request-token HMAC key from a key directory, for crafting tokens the way only the service could. */
export async function requestTokenKey(keysDir: string): Promise<CryptoKey> {
  const encoded = (await readFile(join(keysDir, 'request-token.secret'), 'utf8')).trim();
  const key = await webcrypto.subtle.importKey(
    'raw',
    Buffer.from(encoded, 'base64url'),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return key as unknown as CryptoKey;
}

/** A request token with the right shape, signed with `key`; `overrides` change single parts. */
export async function craftRequestToken(
  issuerUrl: string,
  key: CryptoKey | Uint8Array,
  overrides: { payload?: Record<string, unknown>; typ?: string; exp?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    token_use: 'request',
    claims: { job: 'app' },
    audiences: ['sts.amazonaws.com'],
    iss: issuerUrl,
    aud: `${issuerUrl}/token`,
    sub: 'job:app:build:1',
    jti: 'crafted',
    iat: now - 10,
    exp: overrides.exp ?? now + 600,
    ...overrides.payload,
  })
    .setProtectedHeader({ alg: 'HS256', typ: overrides.typ ?? 'keyless-request+jwt' })
    .sign(key);
}
