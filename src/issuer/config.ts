/**
 * The issuer's settings: the documented programmatic options (`IssuerOptions`), their limits, and the single
 * validation step that turns them into an immutable `IssuerSettings`. The CLI (cli.ts) only turns flags and the
 * JSON config file into `IssuerOptions`; every range and format check lives here, so `startIssuer()` callers and
 * `serve` users get the same rules and the same messages (which name the CLI flag, e.g. `--token-ttl`).
 */
import { readFileSync, statSync } from 'node:fs';
import type { BlockList } from 'node:net';
import { resolve } from 'node:path';
import { isLoopbackHost } from '../shared/loopback';
import { claimNameProblem, JENKINS_CLAIM_NAMES } from './build-claims';
import { parseTrustedProxies } from './client-address';
import { ConfigError } from './errors';
import type { Logger } from './log';

/** Longest ID-token lifetime the service will ever use; key retirement is computed from it. */
export const MAX_TOKEN_TTL_SECONDS = 3600;
export const MIN_TOKEN_TTL_SECONDS = 60;
/** A request token covers one build; a week is longer than any sane build and bounds a leaked token's life. */
export const MAX_REQUEST_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
export const DEFAULT_TOKEN_TTL_SECONDS = 300;
export const DEFAULT_REQUEST_TOKEN_TTL_SECONDS = 21_600;
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';
export const DEFAULT_RATE_LIMIT_PER_SECOND = 10;
/** How often a running instance re-reads the key directory so a rotation reaches it without a restart. */
export const DEFAULT_KEY_RELOAD_INTERVAL_MS = 60_000;
/** IAM accepts at most 100 client ids per OIDC provider; more audiences could never all be trusted. */
const MAX_AUDIENCES = 100;

/**
 * Options of `startIssuer()`. Each maps one-to-one to a `serve` flag (named in parentheses).
 * Only `keysDir` and one of `adminSecret` / `adminSecretFile` are required.
 */
export interface IssuerOptions {
  /**
   * (--issuer-url) Public URL of the issuer, used as `iss` and as the base of the discovery URLs. http(s), may
   * have a path, no trailing slash, query or fragment. Omitted: the URL the server listens on (handy for loopback
   * tests; AWS itself needs https).
   */
  readonly issuerUrl?: string;
  /** (--token-url) URL builds call for ID tokens, when it differs from `<issuerUrl>/token` (e.g. discovery on S3). */
  readonly tokenUrl?: string;
  /** (--host) Address to bind. Default 127.0.0.1. */
  readonly host?: string;
  /** (--port) TCP port; 0 picks a free one. Default 0 programmatically, 8080 on the command line. */
  readonly port?: number;
  /** (--keys-dir) Directory holding the signing keys and the request-token secret; created (0700) if missing. */
  readonly keysDir: string;
  /** (--audience, repeatable) Audiences tokens may be issued for. Default ["sts.amazonaws.com"]. */
  readonly audiences?: readonly string[];
  /**
   * (--allow-claim, repeatable) Claim names a registration may carry besides the Jenkins identity claims (job,
   * build_number, build_url, branch, commit, node, triggered_by). `sub` lets the controller set sub itself.
   * Reserved JWT/OIDC names (iss, aud, exp, …) cannot be allowed. Default: none.
   */
  readonly allowedClaims?: readonly string[];
  /** The admin secret itself (programmatic use only; the CLI takes a file so the secret never sits in argv). */
  readonly adminSecret?: string;
  /** (--admin-secret-file) File whose content is the admin secret (see normalizeAdminSecret for the rule). */
  readonly adminSecretFile?: string;
  /** (--token-ttl) ID-token lifetime in seconds, 60..3600. Default 300. */
  readonly tokenTtlSeconds?: number;
  /** (--request-token-ttl) Default and maximum request-token lifetime in seconds, 60..604800. Default 21600. */
  readonly requestTokenTtlSeconds?: number;
  /** (--rate-limit) /token requests per second per request token (burst: twice that); 0 = off. Default 10. */
  readonly rateLimitPerSecond?: number;
  /** (--tls-cert) PEM certificate chain; with `tlsKeyFile` the server speaks HTTPS. */
  readonly tlsCertFile?: string;
  /** (--tls-key) PEM private key for `tlsCertFile`. */
  readonly tlsKeyFile?: string;
  /**
   * Milliseconds between re-reads of the key directory; 0 = only on `reload()`/SIGHUP. Default 60000. Not a CLI
   * flag: key retirement assumes rotations reach every instance within about a minute.
   */
  readonly keyReloadIntervalMs?: number;
  /** Failed admin authentications allowed per second per client address (burst: 10 times that). Default 1. */
  readonly adminFailureRateLimitPerSecond?: number;
  /**
   * (--trust-proxy, repeatable or comma-separated) Addresses or CIDR ranges of reverse proxies in front of the
   * service. Only requests whose socket peer is one of them have their client taken from X-Forwarded-For (the
   * right-most address that is not a trusted proxy). Default none: the socket peer is the client.
   */
  readonly trustProxy?: readonly string[];
  /** Where logs go. Default: JSON lines on stderr. */
  readonly logger?: Logger;
  /** Unix-seconds clock for signing and key activation; tests inject one to play hours of rotations at once. */
  readonly now?: () => number;
}

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Validated, immutable settings. Nothing downstream re-validates or reads the environment. */
export interface IssuerSettings {
  readonly issuerUrl: string | undefined;
  readonly tokenUrl: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly keysDir: string;
  readonly audiences: readonly string[];
  readonly allowedClaims: readonly string[];
  readonly adminSecret: string;
  readonly tokenTtlSeconds: number;
  readonly requestTokenTtlSeconds: number;
  readonly rateLimitPerSecond: number;
  readonly adminFailureRateLimitPerSecond: number;
  /** Proxies whose X-Forwarded-For is believed (see client-address.ts); undefined = none. */
  readonly trustedProxies: BlockList | undefined;
  readonly tls: TlsFiles | undefined;
  readonly keyReloadIntervalMs: number;
  /** Non-fatal findings (plain-http public issuer, world-readable secret file) to log at startup. */
  readonly warnings: readonly string[];
}

export function resolveIssuerOptions(options: IssuerOptions): IssuerSettings {
  const warnings: string[] = [];
  const issuerUrl = options.issuerUrl === undefined ? undefined : validatePublicUrl('issuer-url', options.issuerUrl);
  if (issuerUrl?.startsWith('http:') && !isLoopbackUrl(issuerUrl)) {
    warnings.push(`--issuer-url ${issuerUrl} is plain http: AWS only trusts https issuers (use TLS or a TLS proxy).`);
  }
  const tokenUrl = options.tokenUrl === undefined ? undefined : validatePublicUrl('token-url', options.tokenUrl);

  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.trim() === '') {
    throw new ConfigError('host', 'must be an address to bind, e.g. 127.0.0.1 or 0.0.0.0.');
  }
  const port = integerInRange('port', options.port ?? 0, 0, 65_535, 'e.g. --port 8080 (0 = any free port)');

  if (typeof options.keysDir !== 'string' || options.keysDir.trim() === '') {
    throw new ConfigError('keys-dir', 'is required: the directory for signing keys, e.g. --keys-dir /var/lib/issuer.');
  }

  const audiences = validateAudiences(options.audiences ?? [DEFAULT_AUDIENCE]);
  const allowedClaims = validateAllowedClaims(options.allowedClaims ?? []);
  const adminSecret = loadAdminSecret(options, warnings);

  const tokenTtlSeconds = integerInRange(
    'token-ttl',
    options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
    MIN_TOKEN_TTL_SECONDS,
    MAX_TOKEN_TTL_SECONDS,
    'e.g. --token-ttl 300',
  );
  const requestTokenTtlSeconds = integerInRange(
    'request-token-ttl',
    options.requestTokenTtlSeconds ?? DEFAULT_REQUEST_TOKEN_TTL_SECONDS,
    60,
    MAX_REQUEST_TOKEN_TTL_SECONDS,
    'e.g. --request-token-ttl 21600 (6 h)',
  );
  const rateLimitPerSecond = nonNegative('rate-limit', options.rateLimitPerSecond ?? DEFAULT_RATE_LIMIT_PER_SECOND);
  const adminFailureRateLimitPerSecond = nonNegative(
    'admin-failure-rate-limit',
    options.adminFailureRateLimitPerSecond ?? 1,
  );
  // Key activation waits for every instance to have re-read the directory (keys.ts), assuming at most this interval.
  const keyReloadIntervalMs = integerInRange(
    'key-reload-interval',
    options.keyReloadIntervalMs ?? DEFAULT_KEY_RELOAD_INTERVAL_MS,
    0,
    DEFAULT_KEY_RELOAD_INTERVAL_MS,
    'a rotation must reach every instance within a minute (0 = only on reload(), for embedders who call it)',
  );

  return Object.freeze({
    issuerUrl,
    tokenUrl,
    host,
    port,
    keysDir: resolve(options.keysDir),
    audiences: Object.freeze([...audiences]),
    allowedClaims: Object.freeze(allowedClaims),
    adminSecret,
    tokenTtlSeconds,
    requestTokenTtlSeconds,
    rateLimitPerSecond,
    adminFailureRateLimitPerSecond,
    trustedProxies: parseTrustedProxies(options.trustProxy),
    tls: validateTls(options.tlsCertFile, options.tlsKeyFile),
    keyReloadIntervalMs,
    warnings: Object.freeze(warnings),
  });
}

/**
 * An issuer URL is compared byte for byte by AWS (`iss` against the IAM provider URL), so it must already be in
 * canonical form: we refuse rather than silently normalise and then sign tokens with an unexpected `iss`.
 */
export function validatePublicUrl(flag: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(flag, 'must be a URL such as https://jenkins-oidc.example.com.');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(flag, `"${value}" is not a URL; write it like https://jenkins-oidc.example.com/oidc.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(flag, `"${value}" must start with https:// (or http:// for local testing).`);
  }
  if (url.username || url.password || url.search || url.hash || value.includes('?') || value.includes('#')) {
    throw new ConfigError(flag, `"${value}" must not contain credentials, a query or a fragment.`);
  }
  if (value.endsWith('/')) {
    throw new ConfigError(flag, `"${value}" must not end with "/"; use ${value.replace(/\/+$/, '')}.`);
  }
  const canonical = url.pathname === '/' ? url.origin : `${url.origin}${url.pathname}`;
  if (canonical !== value) {
    throw new ConfigError(flag, `"${value}" is not in canonical form; use ${canonical}.`);
  }
  return value;
}

function isLoopbackUrl(value: string): boolean {
  return isLoopbackHost(new URL(value).hostname);
}

function integerInRange(flag: string, value: unknown, min: number, max: number, example: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(flag, `must be a whole number from ${min} to ${max} (got ${String(value)}); ${example}.`);
  }
  return value;
}

function nonNegative(flag: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(flag, `must be a number >= 0 (got ${String(value)}); 0 turns it off.`);
  }
  return value;
}

function validateAudiences(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError('audience', 'needs at least one audience, e.g. --audience sts.amazonaws.com.');
  }
  if (value.length > MAX_AUDIENCES) {
    throw new ConfigError('audience', `at most ${MAX_AUDIENCES} audiences (the IAM limit per OIDC provider).`);
  }
  const seen = new Set<string>();
  for (const audience of value) {
    if (
      typeof audience !== 'string' ||
      audience.trim() === '' ||
      audience !== audience.trim() ||
      audience.length > 255
    ) {
      throw new ConfigError('audience', `"${String(audience)}" is not a valid audience (1-255 characters, no spaces).`);
    }
    if (seen.has(audience)) throw new ConfigError('audience', `"${audience}" is listed twice.`);
    seen.add(audience);
  }
  return [...seen];
}

function validateAllowedClaims(value: unknown): string[] {
  if (!Array.isArray(value)) throw new ConfigError('allow-claim', 'must be a list of claim names.');
  const names = new Set<string>();
  for (const name of value) {
    const problem = typeof name === 'string' ? claimNameProblem(name) : 'A claim name must be a string.';
    if (problem) throw new ConfigError('allow-claim', `${problem} Allow only names of your own, e.g. environment.`);
    if (JENKINS_CLAIM_NAMES.has(name) || names.has(name)) {
      throw new ConfigError('allow-claim', `"${name}" is listed twice or is a Jenkins claim, which is always allowed.`);
    }
    names.add(name);
  }
  return [...names];
}

function loadAdminSecret(options: IssuerOptions, warnings: string[]): string {
  if (options.adminSecret !== undefined) {
    if (typeof options.adminSecret !== 'string') {
      throw new ConfigError(undefined, 'The adminSecret option must be a string.');
    }
    return normalizeAdminSecret(options.adminSecret, undefined, 'The adminSecret option');
  }
  const file = options.adminSecretFile;
  if (typeof file !== 'string' || file === '') {
    throw new ConfigError(
      'admin-secret-file',
      'is required: a file holding the secret Jenkins sends to POST /request-tokens; create one with ' +
        '`openssl rand -base64 32 > admin.secret && chmod 600 admin.secret`.',
    );
  }
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('admin-secret-file', `cannot read ${file} (${(error as NodeJS.ErrnoException).code}).`);
  }
  const secret = normalizeAdminSecret(content, 'admin-secret-file', file);
  if (secret.length < 32) {
    warnings.push('The admin secret is shorter than 32 characters; use e.g. `openssl rand -base64 32`.');
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    warnings.push(`${file} is readable by group/others; chmod 600 it.`);
  }
  return secret;
}

/**
 * The one rule for the admin secret, whatever its source: surrounding whitespace (a file's trailing newline, a CRLF,
 * a byte-order mark, stray spaces) is removed, as HTTP itself removes it around the header the controller sends;
 * what remains must be a single bearer token, visible ASCII without whitespace, because nothing else can ever
 * arrive intact in `Authorization: Bearer …`. Anything else is refused here, naming the source but never showing
 * the value, instead of failing every request later.
 */
function normalizeAdminSecret(raw: string, flag: string | undefined, source: string): string {
  const secret = raw.trim();
  if (secret === '') throw new ConfigError(flag, `${source} is empty; put a long random secret in it.`);
  if (!/^[\x21-\x7e]+$/.test(secret)) {
    throw new ConfigError(
      flag,
      `${source} holds whitespace or a non-ASCII character inside the secret; it is sent as one HTTP bearer ` +
        'token, so use visible ASCII only, e.g. `openssl rand -base64 32`.',
    );
  }
  return secret;
}

function validateTls(certFile: string | undefined, keyFile: string | undefined): TlsFiles | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined) throw new ConfigError('tls-cert', 'is required together with --tls-key.');
  if (keyFile === undefined) throw new ConfigError('tls-key', 'is required together with --tls-cert.');
  for (const [flag, file] of [
    ['tls-cert', certFile],
    ['tls-key', keyFile],
  ] as const) {
    try {
      readFileSync(file);
    } catch (error) {
      throw new ConfigError(flag, `cannot read ${file} (${(error as NodeJS.ErrnoException).code}).`);
    }
  }
  return { certFile: resolve(certFile), keyFile: resolve(keyFile) };
}
