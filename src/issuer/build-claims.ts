/**
 * Validation of what Jenkins registers for a build (the body of POST /request-tokens).
 *
 * The body is flat: every member is a claim for the build's ID tokens, except two controls, `lifetime` and
 * `audiences`. Which names a registration may use is a closed list, so that a claim means what its name says:
 *   - the Jenkins identity claims (JENKINS_CLAIM_NAMES: job, build_number, build_url, branch, commit, node,
 *     triggered_by), which the trusted library reads from Jenkins itself;
 *   - names the operator allows explicitly (`--allow-claim`), e.g. a claim the Jenkins library lets builds add;
 *   - never a name JWT, OIDC or this service gives a meaning to (iss, aud, exp, …), not even when allowed.
 * Anything else is refused with 400 rather than dropped, so a misconfigured controller finds out at once.
 *
 * The `sub` format, which trust policies match on: `job:<job>:build:<build_number>`, with `%` and `:` inside the
 * job name written as `%25` / `%3A` so the colons stay unambiguous separators (a Jenkins folder path keeps its `/`:
 * `job:team/app/main:build:42`). The token's `sub` therefore always agrees with its `job` and `build_number`
 * claims. A registration may set `sub` itself only when the operator lists `sub` in `--allow-claim` (for a
 * controller that mints subjects of its own format); the admin secret can mint any job's sub either way.
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
  /** Claim names the operator allows besides JENKINS_CLAIM_NAMES (`--allow-claim`); `sub` lets sub be set. */
  readonly allowedClaimNames: readonly string[];
}

/** What the trusted Jenkins library registers for every build; `sub` is derived from the first two. */
export const JENKINS_CLAIM_NAMES: ReadonlySet<string> = new Set([
  'job',
  'build_number',
  'build_url',
  'branch',
  'commit',
  'node',
  'triggered_by',
]);

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
  const members = Object.entries(body as Record<string, unknown>).filter(([name]) => !CONTROL_MEMBERS.has(name));
  if (members.length > MAX_CLAIMS) throw invalid(`At most ${MAX_CLAIMS} claims may be registered.`);
  const claims: Record<string, ClaimValue> = {};
  for (const [name, value] of members) {
    const problem = claimNameProblem(name);
    if (problem) throw invalid(`${problem} Remove it from the registration.`);
    if (!JENKINS_CLAIM_NAMES.has(name) && !policy.allowedClaimNames.includes(name)) throw invalid(notAllowed(name));
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

/**
 * Why a name can never be a registered claim (reserved by JWT/OIDC/this service, or malformed), or undefined.
 * The operator's `--allow-claim` list is checked with it too, so no configuration can allow `aud` or `exp`.
 */
export function claimNameProblem(name: string): string | undefined {
  if (RESERVED_CLAIM_NAMES.has(name.toLowerCase())) return `Claim "${name}" is reserved and set by the issuer.`;
  if (!CLAIM_NAME.test(name)) {
    return `Claim name "${name.slice(0, 64)}" is invalid: use letters, digits, _ . : / - (max 128).`;
  }
  return undefined;
}

function notAllowed(name: string): string {
  if (name === 'sub') {
    return (
      '"sub" is derived from "job" and "build_number" (job:<job>:build:<build_number>); remove it, or start the ' +
      'service with --allow-claim sub to let the controller choose subjects.'
    );
  }
  return (
    `Claim "${name}" is not allowed: registrations carry ${[...JENKINS_CLAIM_NAMES].join(', ')} and the names ` +
    'the operator allows with --allow-claim (start the service with --allow-claim ' +
    `${name} to accept it).`
  );
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
    throw invalid('Give "job" and "build_number" to derive sub = job:<job>:build:<build_number>.');
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
  if (JENKINS_CLAIM_NAMES.has(name) && name !== 'build_number' && typeof value !== 'string') {
    throw invalid(`Claim "${name}" must be a string.`);
  }
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
