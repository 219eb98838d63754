/**
 * The name of a cache entry: `<build>-<key>.json`. `key` hashes everything that decides the credentials, so two
 * roles, two policies, two durations or two endpoints never share an entry; `build` hashes the identity of the CI
 * token alone (the request token and its URL, the token file's content, the token itself), so the entries of one
 * build can be found and removed when it ends, and another build on the same agent never reads them.
 */
import { readFileSync } from 'node:fs';
import type { Settings, TokenSourceSpec } from '../settings/types';
import { sha256Hex } from '../shared/sha256';

export interface CacheName {
  readonly build: string;
  readonly key: string;
}

/** Settings that change how the credentials are fetched or delivered, never which credentials they are. */
const NOT_DECIDING: ReadonlySet<string> = new Set([
  'debug',
  'maxAttempts',
  'timeoutMs',
  'requestTimeoutMs',
  'proxy',
  'credentialsFile',
  'configFile',
  'awsProfile',
  'overwriteAwsProfile',
  'outputCredentials',
  'outputEnvCredentials',
  'refreshableCredentials',
  'maskAwsAccountId',
  // How the settings were given and how long to wait for a network: the same credentials either way.
  'inputLabels',
  'provenance',
  'networkTimeoutMs',
  // Per-step names (GITHUB_ACTION) would defeat the cache; what of the CI context matters is in the token identity.
  'ci',
  'source',
  // How each setting was given (flag, input, variable) and the labels for messages: --debug's and errors' concern.
  'provenance',
  'inputLabels',
]);

// Plain JavaScript rather than node:crypto, whose loading would be most of a cached call's cost (shared/sha256.ts).
const sha256 = sha256Hex;

/** JSON with object keys sorted, so the same settings always hash the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What identifies the build a token source speaks for, or undefined when nothing does (then nothing is cached). The
 * request token (GitHub, the Jenkins token service) is per job; a token file or variable holds the token itself.
 */
export function tokenIdentity(spec: TokenSourceSpec, vars: Readonly<Record<string, string>>): string | undefined {
  switch (spec.kind) {
    case 'github':
    case 'jenkins':
      return `${spec.kind}\n${spec.url}\n${spec.requestToken}`;
    case 'env':
      return `env\n${spec.variable}\n${spec.value}`;
    case 'file':
      return fileIdentity(spec.path);
    case 'buildkite':
      return vars.BUILDKITE_JOB_ID ? `buildkite\n${vars.BUILDKITE_JOB_ID}` : undefined;
  }
}

/** A token file is identified by its content: a new token (a new build, a rotated projected token) is a new entry. */
function fileIdentity(path: string): string | undefined {
  try {
    return `file\n${path}\n${sha256(readFileSync(path, 'utf8').trim())}`;
  } catch {
    return undefined; // the exchange will say why the file cannot be read
  }
}

export function buildIdOf(identity: string): string {
  return sha256(identity).slice(0, 16);
}

/** The entry name for these settings, or undefined when they cannot be cached safely (no OIDC token source). */
export function cacheNameOf(settings: Settings): CacheName | undefined {
  if (settings.source.kind !== 'web-identity') return undefined;
  const identity = tokenIdentity(settings.source.token, settings.ci.vars);
  if (identity === undefined) return undefined;
  const deciding = Object.fromEntries(Object.entries(settings).filter(([name]) => !NOT_DECIDING.has(name)));
  return { build: buildIdOf(identity), key: sha256(canonical({ ...deciding, token: sha256(identity) })) };
}

export const ENTRY_NAME = /^([0-9a-f]{16})-[0-9a-f]{64}\.json$/;

export function entryFileName(name: CacheName): string {
  return `${name.build}-${name.key}.json`;
}
