import type { AwsErrorInfo } from '../exchange/aws-errors';
import { partitionOfRegion } from '../partitions/partition';
import { oneLine } from '../printable';
import type { Settings } from '../settings/types';

/**
 * What the request carried besides the token, with the name the user gave each part (input, flag or environment
 * variable): refusals about the region or the session policies and tags are about these, not about the trust policy.
 */
export interface RequestFacts {
  readonly region: string;
  readonly endpoint?: string;
  readonly inlinePolicy?: { readonly label: string; readonly length: number };
  readonly managedPolicies?: { readonly label: string; readonly arns: readonly string[] };
  /** Session tags sent with the request (AssumeRole), or carried in the token (web identity). */
  readonly sessionTags?: {
    readonly label: string;
    readonly count?: number;
    readonly characters: number;
    /** How to send fewer tags where that is not obvious (Cognito: the pool's claim mappings). */
    readonly advice?: string;
  };
}

/** Facts of the request built from settings; `sessionTags` is added by the caller who knows which were sent. */
export function requestFacts(settings: Settings): RequestFacts {
  const labels = settings.inputLabels;
  return {
    region: settings.region,
    ...(settings.stsEndpoint ? { endpoint: settings.stsEndpoint } : {}),
    ...(settings.inlineSessionPolicy
      ? { inlinePolicy: { label: labels.inlineSessionPolicy, length: settings.inlineSessionPolicy.length } }
      : {}),
    ...(settings.managedSessionPolicies.length > 0
      ? { managedPolicies: { label: labels.managedSessionPolicies, arns: settings.managedSessionPolicies } }
      : {}),
  };
}

function tagFacts(
  label: string,
  tags: readonly (readonly [string, string])[],
  advice?: string,
): RequestFacts['sessionTags'] {
  const characters = tags.reduce((sum, [key, value]) => sum + key.length + value.length, 0);
  return { label, count: tags.length, characters, ...(advice ? { advice } : {}) };
}

/** AssumeRole: the session tags the request sends (GitHub context and custom-tags). */
export function assumeRoleFacts(settings: Settings, tags: readonly { Key: string; Value: string }[]): RequestFacts {
  const facts = requestFacts(settings);
  if (tags.length === 0) return facts;
  const label = `session tags (${settings.ci.kind === 'github' ? 'GitHub context and ' : ''}${settings.inputLabels.customTags})`;
  return {
    ...facts,
    sessionTags: tagFacts(
      label,
      tags.map((t) => [t.Key, t.Value] as const),
    ),
  };
}

const TOKEN_TAGS_CLAIM = 'https://aws.amazon.com/tags';

/** AssumeRoleWithWebIdentity: session tags come from the token (Cognito's principal tags, or the issuer's tags claim). */
export function webIdentityFacts(
  settings: Settings,
  claims: Readonly<Record<string, unknown>>,
  cognitoPrincipalTags: Readonly<Record<string, string>> | undefined,
): RequestFacts {
  const facts = requestFacts(settings);
  if (cognitoPrincipalTags) {
    const label = `principal tags mapped by identity pool ${settings.cognito?.identityPoolId ?? ''} (IdentityPoolPrincipalTag)`;
    const advice =
      'map fewer or shorter claims in the identity pool (IdentityPoolPrincipalTag); Cognito also packs the CI subject it puts into amr';
    return { ...facts, sessionTags: tagFacts(label, Object.entries(cognitoPrincipalTags), advice) };
  }
  const claim = claims[TOKEN_TAGS_CLAIM];
  if (claim === undefined) return facts;
  const label = `the token's ${TOKEN_TAGS_CLAIM} claim (set by the token issuer)`;
  return { ...facts, sessionTags: { label, characters: JSON.stringify(claim).length } };
}

export const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  'RegionDisabledException',
  'MalformedPolicyDocument',
  'PackedPolicyTooLarge',
]);

function regionDisabled(facts: RequestFacts, roleArn: string | undefined): { hint: string; details: string } {
  const account = /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn ?? '')?.[1];
  const partition = partitionOfRegion(facts.region);
  const endpoint = facts.endpoint ?? `https://sts.${facts.region}.${partition.dnsSuffix}`;
  // Only the aws partition has a global endpoint outside any region.
  const global = partition.name === 'aws' ? ', or the global endpoint (sts-endpoint: https://sts.amazonaws.com)' : '';
  return {
    hint:
      `STS is not activated in region ${facts.region} for ${account ? `account ${account}` : "the role's account"}. ` +
      `An administrator can activate it in the IAM console: Account settings → Security Token Service (STS) → Endpoints → ${facts.region} → Activate. ` +
      `Or call another STS endpoint: an aws-region where STS is active${global}.`,
    details: [...(roleArn ? [`Role: ${roleArn}`] : []), `Region: ${facts.region}`, `STS endpoint: ${endpoint}`].join(
      '\n',
    ),
  };
}

function policyLines(facts: RequestFacts): string[] {
  const lines: string[] = [];
  if (facts.inlinePolicy) {
    lines.push(`  ${facts.inlinePolicy.label}: ${facts.inlinePolicy.length} characters (compacted JSON)`);
  }
  if (facts.managedPolicies) {
    const { label, arns } = facts.managedPolicies;
    const characters = arns.reduce((sum, arn) => sum + arn.length, 0);
    lines.push(`  ${label}: ${arns.length} ARN(s), ${characters} characters: ${arns.join(', ')}`);
  }
  return lines;
}

function malformedPolicy(info: AwsErrorInfo, facts: RequestFacts): { hint: string; details?: string } {
  const named = [facts.inlinePolicy?.label, facts.managedPolicies?.label].filter((l): l is string => !!l);
  const lines = policyLines(facts);
  const aboutArn = /arn:|does not exist|not attachable/i.test(info.message) && facts.managedPolicies;
  const hint =
    named.length === 0
      ? 'STS refused a session policy, but none was given here: the request may have been changed on its way (proxy), or the error comes from a chained step.'
      : aboutArn
        ? `Check ${facts.managedPolicies!.label}: every ARN must name an existing managed policy (arn:aws:iam::<account|aws>:policy/<name>) in the role's partition.`
        : `Check ${named.join(' and ')}: STS refused the session policy (${oneLine(info.message)}). The inline policy must be a valid IAM policy document (Version, Statement with Effect, Action, Resource).`;
  return { hint, ...(lines.length > 0 ? { details: ['Session policies sent:', ...lines].join('\n') } : {}) };
}

function packedTooLarge(facts: RequestFacts): { hint: string; details: string } {
  const lines = policyLines(facts);
  const tags = facts.sessionTags;
  if (tags) {
    const count = tags.count === undefined ? '' : `${tags.count} tag(s), `;
    lines.push(`  ${tags.label}: ${count}${tags.characters} characters`);
  }
  const changes = [
    facts.inlinePolicy ? `shorten ${facts.inlinePolicy.label}` : undefined,
    facts.managedPolicies ? `list fewer ${facts.managedPolicies.label}` : undefined,
    tags ? (tags.advice ?? `send fewer or shorter session tags (${tags.label})`) : undefined,
  ].filter((p): p is string => !!p);
  return {
    hint: 'STS packs the session policies and session tags into a limited space and this request is over it (the message says which part and by how much).',
    details: [
      'What was packed:',
      ...(lines.length > 0 ? lines : ['  (no session policies or tags given here)']),
      'What to change:',
      ...(changes.length > 0 ? changes : ['send fewer session tags or policies']).map((c) => `  - ${c}`),
    ].join('\n'),
  };
}

/** Refusals about the request itself (region, session policies, packed size): what was sent, and what to change. */
export function explainRequestError(
  info: AwsErrorInfo,
  facts: RequestFacts,
  roleArn: string | undefined,
): { hint?: string; details?: string } {
  switch (info.code) {
    case 'RegionDisabledException':
      return regionDisabled(facts, roleArn);
    case 'MalformedPolicyDocument':
      return malformedPolicy(info, facts);
    default:
      return packedTooLarge(facts);
  }
}
