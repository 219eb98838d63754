/**
 * Validation of what Jenkins registers for a build (the body of POST /request-tokens).
 *
 * The body is flat: every member is a claim for the build's ID tokens, except two controls, `lifetime` and
 * `audiences`. Claims that JWT, OIDC or this service give a meaning to (iss, aud, exp, …) are refused rather than
 * silently overwritten, so a misconfigured controller finds out at once instead of minting surprising tokens.
 *
 * The `sub` format, which trust policies match on:
 *   - if the body has `sub`, that string, unchanged;
 *   - otherwise `job:<job>:build:<build_number>`, with `%` and `:` inside the job name written as `%25` / `%3A` so
 *     the colons stay unambiguous separators (a Jenkins folder path keeps its `/`: `job:team/app/main:build:42`).
 */
import { HttpError } from './errors';

export type ClaimValue = string | number | boolean;

export interface BuildRegistration {
  readonly sub: string;
  /** Every registered claim except `sub`. */
  readonly claims: Readonly<Record<string, ClaimValue>>;
  /** Audiences the build may request, in order; the first is the default. */
  readonly audiences: readonly string[];
  readonly lifetimeSeconds: number;
}

export interface RegistrationPolicy {
  readonly allowedAudiences: readonly string[];
  readonly maxLifetimeSeconds: number;
}

/** Claim names with a protocol meaning; a build may not set them. Compared case-insensitively. */
export const RESERVED_CLAIM_NAMES: ReadonlySet<string> = new Set([
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'azp',
  'nonce',
  'auth_time',
  'acr',
  'amr',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'cnf',
  'act',
  'may_act',
  'scope',
  'client_id',
  'typ',
  'token_use',
]);

const CONTROL_MEMBERS = new Set(['lifetime', 'audiences']);
const CLAIM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,127}$/;
const MAX_CLAIMS = 50;
const MAX_STRING_LENGTH = 2048;
const MAX_SUB_LENGTH = 255;
const MIN_LIFETIME_SECONDS = 60;

export function parseRegistration(body: unknown, policy: RegistrationPolicy): BuildRegistration {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The body must be a JSON object of claims, e.g. {"job":"app","build_number":42}.');
  }
  const members = Object.entries(body as Record<string, unknown>);
  const claims: Record<string, ClaimValue> = {};
  let count = 0;
  for (const [name, value] of members) {
    if (CONTROL_MEMBERS.has(name)) continue;
    if (++count > MAX_CLAIMS) throw invalid(`At most ${MAX_CLAIMS} claims may be registered.`);
    if (RESERVED_CLAIM_NAMES.has(name.toLowerCase())) {
      throw invalid(`Claim "${name}" is reserved and set by the issuer; remove it from the registration.`);
    }
    if (!CLAIM_NAME.test(name)) {
      throw invalid(`Claim name "${name.slice(0, 64)}" is invalid: use letters, digits, _ . : / - (max 128).`);
    }
    claims[name] = claimValue(name, value);
  }

  const sub = subjectOf(claims);
  delete claims.sub;
  const record = body as Record<string, unknown>;
  return {
    sub,
    claims,
    audiences: audiencesOf(record.audiences, policy.allowedAudiences),
    lifetimeSeconds: lifetimeOf(record.lifetime, policy.maxLifetimeSeconds),
  };
}

/** Encodes one `sub` segment so that `:` remains a separator (same convention as GitHub's `%3A`). */
export function encodeSubjectSegment(value: string): string {
  return value.replaceAll('%', '%25').replaceAll(':', '%3A');
}

function subjectOf(claims: Record<string, ClaimValue>): string {
  const explicit = claims.sub;
  if (explicit !== undefined) {
    if (typeof explicit !== 'string' || explicit === '' || explicit.length > MAX_SUB_LENGTH) {
      throw invalid(`"sub" must be a non-empty string of at most ${MAX_SUB_LENGTH} characters.`);
    }
    return explicit;
  }
  const job = claims.job;
  if (job === undefined) {
    throw invalid('Give "sub", or "job" and "build_number" to derive sub = job:<job>:build:<build_number>.');
  }
  if (typeof job !== 'string' || job === '') throw invalid('"job" must be a non-empty string.');
  const build = claims.build_number;
  const buildText = typeof build === 'number' ? String(build) : build;
  if (typeof buildText !== 'string' || !/^\d{1,18}$/.test(buildText)) {
    throw invalid('"build_number" (a whole number) is required to derive sub = job:<job>:build:<build_number>.');
  }
  const sub = `job:${encodeSubjectSegment(job)}:build:${buildText}`;
  if (sub.length > MAX_SUB_LENGTH) throw invalid(`The derived sub is longer than ${MAX_SUB_LENGTH} characters.`);
  return sub;
}

function claimValue(name: string, value: unknown): ClaimValue {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`Claim "${name}" must be a finite number.`);
    return value;
  }
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_LENGTH) {
      throw invalid(`Claim "${name}" is longer than ${MAX_STRING_LENGTH} characters.`);
    }
    return value;
  }
  throw invalid(`Claim "${name}" must be a string, number or boolean (objects, arrays and null are refused).`);
}

function audiencesOf(value: unknown, allowed: readonly string[]): readonly string[] {
  if (value === undefined) return allowed;
  if (!Array.isArray(value) || value.length === 0 || value.some((a) => typeof a !== 'string')) {
    throw invalid('"audiences" must be a non-empty array of strings.');
  }
  const unknown = value.filter((audience) => !allowed.includes(audience as string));
  if (unknown.length > 0) {
    throw invalid(`"audiences" may only contain audiences this issuer allows: ${allowed.join(', ')}.`);
  }
  return [...new Set(value as string[])];
}

function lifetimeOf(value: unknown, max: number): number {
  if (value === undefined) return max;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_LIFETIME_SECONDS || value > max) {
    throw invalid(`"lifetime" must be a whole number of seconds from ${MIN_LIFETIME_SECONDS} to ${max}.`);
  }
  return value;
}

function invalid(message: string): HttpError {
  return new HttpError(400, 'invalid_request', message);
}
