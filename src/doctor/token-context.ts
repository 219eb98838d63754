// The claims the doctor judges roles against: a JWT or claims JSON file, `--claim key=value` pairs, a described
// GitHub or Jenkins context, or the CI token the other commands would use. Claims no issuer we know of sends are
// flagged (STS would not expose them as condition keys), never silently dropped.
import { readFileSync } from 'node:fs';
import { jsonSyntaxErrorPosition } from '../emulator/json-syntax';
import { SOURCE_IDENTITY_CLAIM, TAGS_CLAIM } from '../emulator/session-tags';
import { InputError } from '../errors';
import { JENKINS_CLAIM_NAMES, RESERVED_CLAIM_NAMES } from '../issuer/build-claims';
import { type GitHubContext, githubClaims, type JenkinsContext, jenkinsClaims } from './described-context';

/** Claims GitHub Actions documents in its OIDC token reference. */
const GITHUB_CLAIMS = [
  'actor',
  'actor_id',
  'base_ref',
  'check_run_id',
  'enterprise',
  'enterprise_id',
  'environment',
  'event_name',
  'head_ref',
  'job_workflow_ref',
  'job_workflow_sha',
  'ref',
  'ref_protected',
  'ref_type',
  'repository',
  'repository_id',
  'repository_owner',
  'repository_owner_id',
  'repository_visibility',
  'run_attempt',
  'run_id',
  'run_number',
  'runner_environment',
  'sha',
  'workflow',
  'workflow_ref',
  'workflow_sha',
];
const OIDC_CLAIMS = ['sub', 'email', 'email_verified', 'oaud', 'kid', TAGS_CLAIM, SOURCE_IDENTITY_CLAIM];
const KNOWN_CLAIMS = new Set([...GITHUB_CLAIMS, ...OIDC_CLAIMS, ...JENKINS_CLAIM_NAMES, ...RESERVED_CLAIM_NAMES]);

export interface TokenContext {
  claims: Record<string, unknown>;
  /** Where the claims came from, for the report. */
  origin: string;
  /** One line per claim key no known issuer sends. */
  unknownKeys: string[];
}

export interface ClaimSources {
  claimsFile?: string;
  claimPairs: string[];
  github?: GitHubContext;
  jenkins?: JenkinsContext;
  audience: string;
  now: number;
}

function decodeJwtPayload(text: string, file: string): Record<string, unknown> {
  const payload = text.split('.')[1] ?? '';
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claims === 'object' && claims !== null && !Array.isArray(claims)) return claims;
  } catch {
    // reported below
  }
  throw new InputError(`--claims-file ${file}: line 1: the JWT payload is not a base64url JSON object.`);
}

/** A JWT (three dot-separated parts) or a JSON object of claims; the signature is never checked or shown. */
export function readClaimsFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new InputError(`--claims-file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
  }
  if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(text)) return decodeJwtPayload(text, file);
  const position = jsonSyntaxErrorPosition(text);
  if (position) {
    throw new InputError(
      `--claims-file ${file}: line ${position.line}, column ${position.column}: expected a JSON object of claims or a JWT.`,
    );
  }
  const claims = JSON.parse(text);
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new InputError(`--claims-file ${file}: line 1: expected a JSON object of claims, got ${typeof claims}.`);
  }
  return claims;
}

/** `key=value`; a value starting with `[` or `{` is JSON (a list for multi-valued claims such as amr). */
export function parseClaimPair(pair: string): [string, unknown] {
  const equals = pair.indexOf('=');
  if (equals <= 0)
    throw new InputError(`--claim ${pair} must be key=value, e.g. --claim sub=repo:o/r:ref:refs/heads/main.`);
  const key = pair.slice(0, equals);
  const raw = pair.slice(equals + 1);
  if (!/^[[{]/.test(raw)) return [key, raw];
  try {
    return [key, JSON.parse(raw)];
  } catch {
    throw new InputError(`--claim ${key}: the value starts with ${raw[0]} but is not valid JSON.`);
  }
}

export function unknownClaimKeys(claims: Record<string, unknown>): string[] {
  return Object.keys(claims)
    .filter((k) => !KNOWN_CLAIMS.has(k))
    .map(
      (k) =>
        `claim "${k}" is not one GitHub, the keyless-aws Jenkins service or OIDC issues: STS does not expose it as a condition key`,
    );
}

/** Merges the offline sources in order: file, described context, then `--claim` pairs (which win). */
export function offlineTokenContext(sources: ClaimSources): TokenContext | undefined {
  const origins: string[] = [];
  let claims: Record<string, unknown> = {};
  if (sources.claimsFile) {
    claims = { ...readClaimsFile(sources.claimsFile) };
    origins.push(`file ${sources.claimsFile}`);
  }
  if (sources.github) {
    claims = { ...claims, ...githubClaims(sources.github, sources.audience, sources.now) };
    origins.push(`described GitHub context ${sources.github.repository}`);
  }
  if (sources.jenkins) {
    claims = { ...claims, ...jenkinsClaims(sources.jenkins, sources.audience, sources.now) };
    origins.push(`described Jenkins context ${sources.jenkins.job}#${sources.jenkins.build}`);
  }
  for (const pair of sources.claimPairs) {
    const [key, value] = parseClaimPair(pair);
    claims[key] = value;
  }
  if (sources.claimPairs.length > 0) origins.push('--claim');
  if (origins.length === 0) return undefined;
  if (typeof claims.iss !== 'string') {
    throw new InputError(
      'The token context has no iss claim.',
      'Add --claim iss=<issuer URL>, or describe a GitHub/Jenkins context.',
    );
  }
  return { claims, origin: origins.join(' + '), unknownKeys: unknownClaimKeys(claims) };
}
