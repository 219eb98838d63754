// Fetches an issuer's signing keys the way STS and Cognito do (OIDC discovery → jwks_uri → JWKS), caches them, and
// refetches when a token names a key id the cache does not know (key rotation).
import type { KeyObject } from 'node:crypto';
import { BodyTooLargeError, readBoundedResponse } from '../shared/bounded-body';
import { deadline } from '../shared/deadline';
import type { Clock } from './clock';
import { isAllowedFetchUrl } from './iam-model';
import { type DecodedJwt, importRsaJwk, type Jwk, verifyJwtSignature } from './jwt';

/** Why a signature could not be established; callers turn it into their service's error text. */
export class KeyVerificationError extends Error {
  /** `retrieval`: discovery/JWKS/kid lookup failed; `signature`: a key was found but the signature is wrong. */
  readonly kind: 'retrieval' | 'signature';

  constructor(kind: 'retrieval' | 'signature', message: string) {
    super(message);
    this.name = 'KeyVerificationError';
    this.kind = kind;
  }
}

/** Discovery documents and JWKS are a few KiB; the time bound is the fetch's signal, which covers the body too. */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

interface CachedJwks {
  keys: Array<{ kid?: string; key: KeyObject }>;
  fetchedAt: number;
}

export interface JwksCacheOptions {
  clock: Clock;
  /** Per HTTP request. */
  timeoutMs?: number;
  /** How long a fetched JWKS is trusted before it is fetched again even for known key ids. */
  ttlMs?: number;
  /** Issuer URL → loopback URL that serves its discovery document (`--issuer`); others are fetched at the issuer. */
  keySources?: ReadonlyMap<string, string>;
}

export class JwksCache {
  private readonly entries = new Map<string, CachedJwks>();
  private readonly inflight = new Map<string, Promise<CachedJwks>>();
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly ttlMs: number;
  private readonly keySources: ReadonlyMap<string, string>;

  constructor(options: JwksCacheOptions) {
    this.keySources = options.keySources ?? new Map();
    this.clock = options.clock;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.ttlMs = options.ttlMs ?? 10 * 60 * 1000;
  }

  /** Verifies the token's signature with the issuer's keys; throws KeyVerificationError. */
  async verify(jwt: DecodedJwt, issuer: string): Promise<void> {
    const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : undefined;
    let entry = this.entries.get(issuer);
    const stale = !entry || this.clock() - entry.fetchedAt > this.ttlMs;
    if (stale || !candidates(entry as CachedJwks, kid).length) entry = await this.refresh(issuer);
    const keys = candidates(entry as CachedJwks, kid);
    if (keys.length === 0) {
      throw new KeyVerificationError(
        'retrieval',
        kid ? `no RSA key with kid '${kid}' in the issuer's JWKS` : 'the issuer JWKS has no RSA key',
      );
    }
    if (!keys.some((key) => verifyJwtSignature(jwt, key))) {
      throw new KeyVerificationError(
        'signature',
        `signature does not verify with ${kid ? `key '${kid}'` : 'any JWKS key'}`,
      );
    }
  }

  private refresh(issuer: string): Promise<CachedJwks> {
    const running = this.inflight.get(issuer);
    if (running) return running;
    const task = this.fetchJwks(issuer)
      .then((entry) => {
        this.entries.set(issuer, entry);
        return entry;
      })
      .finally(() => this.inflight.delete(issuer));
    this.inflight.set(issuer, task);
    return task;
  }

  private async fetchJson(url: string, what: string): Promise<Record<string, unknown>> {
    if (!isAllowedFetchUrl(url)) {
      throw new KeyVerificationError(
        'retrieval',
        `${what} URL ${url} is not on loopback and the emulator never fetches the internet (map the issuer with --issuer <iss>=http://127.0.0.1:PORT)`,
      );
    }
    const bound = deadline(this.timeoutMs);
    try {
      return await this.fetchJsonWithin(url, what, bound.signal);
    } finally {
      bound.clear();
    }
  }

  private async fetchJsonWithin(url: string, what: string, signal: AbortSignal): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal });
    } catch (error) {
      const reason =
        (error as { name?: unknown })?.name === 'TimeoutError' // a DOMException, not always instanceof Error
          ? `timed out after ${this.timeoutMs} ms`
          : 'connection failed';
      throw new KeyVerificationError('retrieval', `${what} fetch from ${url} ${reason}`);
    }
    if (!response.ok)
      throw new KeyVerificationError('retrieval', `${what} fetch from ${url} returned HTTP ${response.status}`);
    let text: string;
    try {
      text = await readBoundedResponse(response, MAX_DOCUMENT_BYTES, signal);
    } catch (error) {
      const reason =
        error instanceof BodyTooLargeError
          ? `sent more than ${MAX_DOCUMENT_BYTES} bytes`
          : (error as { name?: unknown })?.name === 'TimeoutError' // a DOMException, not always instanceof Error
            ? `timed out after ${this.timeoutMs} ms`
            : 'broke off';
      throw new KeyVerificationError('retrieval', `${what} fetch from ${url} ${reason}`);
    }
    try {
      const body: unknown = JSON.parse(text);
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      // fall through to the shared error
    }
    throw new KeyVerificationError('retrieval', `${what} at ${url} is not a JSON object`);
  }

  private async fetchJwks(issuer: string): Promise<CachedJwks> {
    const base = this.keySources.get(issuer) ?? issuer;
    const discoveryUrl = `${base.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const discovery = await this.fetchJson(discoveryUrl, 'OIDC discovery document');
    const named = discovery.jwks_uri;
    if (typeof named !== 'string')
      throw new KeyVerificationError('retrieval', `discovery document at ${discoveryUrl} has no jwks_uri`);
    // A production issuer's document names its JWKS under the production URL (GitHub: <iss>/.well-known/jwks);
    // a mapped issuer serves that path on loopback too.
    const prefix = issuer.replace(/\/+$/, '');
    const jwksUri =
      base !== issuer && named.startsWith(`${prefix}/`)
        ? `${base.replace(/\/+$/, '')}${named.slice(prefix.length)}`
        : named;
    const jwks = await this.fetchJson(jwksUri, 'JWKS');
    if (!Array.isArray(jwks.keys)) throw new KeyVerificationError('retrieval', `JWKS at ${jwksUri} has no keys array`);
    const keys: CachedJwks['keys'] = [];
    for (const raw of jwks.keys as Jwk[]) {
      if (typeof raw !== 'object' || raw === null || (raw.use !== undefined && raw.use !== 'sig')) continue;
      const key = importRsaJwk(raw);
      if (key) keys.push({ kid: typeof raw.kid === 'string' ? raw.kid : undefined, key });
    }
    return { keys, fetchedAt: this.clock() };
  }
}

function candidates(entry: CachedJwks | undefined, kid: string | undefined): KeyObject[] {
  if (!entry) return [];
  return entry.keys.filter((k) => kid === undefined || k.kid === kid).map((k) => k.key);
}
