import type { AwsErrorInfo } from '../exchange/aws-errors';
import { partitionOfArn, partitionOfRegion } from '../partitions/partition';
import { webIdentityConditionKeys } from '../policy/condition-keys';
import { oneLine } from '../printable';
import { issuerHost, type Token } from '../token/token';
import { explainRequestError, REQUEST_ERROR_CODES, type RequestFacts } from './request-errors';

/** Claims that tell a trust-policy author what was presented; never the signature or the raw token. */
const SHOWN_CLAIMS = [
  'iss',
  'aud',
  'sub',
  'azp',
  'exp',
  'iat',
  'nbf',
  'repository',
  'ref',
  'environment',
  'job_workflow_ref',
  'job',
  'build_number',
  'amr',
];

export interface DenialContext {
  readonly roleArn?: string;
  readonly token?: Token;
  readonly durationSeconds?: number;
  readonly roleSessionName?: string;
  /** Present in the Cognito flow. */
  readonly cognito?: {
    readonly identityPoolId: string;
    readonly providerName?: string;
    readonly principalTags?: Readonly<Record<string, string>>;
  };
  /** What else the request carried (region, session policies, tags), for refusals about those. */
  readonly request?: RequestFacts;
  readonly now?: Date;
}

/**
 * Refusals the role's trust policy (or the IAM OIDC provider) can cause: only these show the token's claims and what
 * the trust policy compares. A fetch of the issuer's keys failing is about reachability, not about the policy.
 */
function trustPolicyCanCause(info: AwsErrorInfo): boolean {
  if (info.code === 'InvalidIdentityToken') return !/verification key/i.test(info.message);
  return info.code === 'AccessDenied' || info.code === 'IDPRejectedClaim';
}

const TIME_CLAIMS = ['exp', 'iat', 'nbf'];

/** An epoch-seconds claim as ISO time and how far from now: `2026-01-01T00:00:00.000Z (in 240 s)`. */
export function formatTime(value: unknown, now: Date): string {
  if (typeof value !== 'number') return JSON.stringify(value);
  const when = new Date(value * 1000);
  const delta = Math.round((when.getTime() - now.getTime()) / 1000);
  const relative = delta >= 0 ? `in ${delta} s` : `${-delta} s ago`;
  return `${when.toISOString()} (${relative})`;
}

export function describeClaims(token: Token, now = new Date()): string[] {
  const lines: string[] = [];
  for (const name of SHOWN_CLAIMS) {
    const value = token.claims[name];
    if (value === undefined) continue;
    // Claims are whatever the token's issuer wrote: one line each, so none can pose as a line (or command) of ours.
    const shown = name === 'exp' || name === 'iat' || name === 'nbf' ? formatTime(value, now) : oneLine(value);
    lines.push(`  ${name}: ${shown}`);
  }
  return lines;
}

/**
 * The condition keys an IAM trust policy compares for AssumeRoleWithWebIdentity with this token, and their values:
 * `aud` and `sub`, plus `azp` when the token has one. Taken from the policy engine's key table, so the explanation
 * shows what the emulator and the doctor judge (Google alone puts `azp` into its `aud` key).
 */
export function trustPolicyValues(token: Token): Record<string, string> {
  const host = issuerHost(token.claims.iss);
  if (host === undefined) return {};
  const keys = new Map(webIdentityConditionKeys(host, token.claims));
  const shown: Record<string, string> = {};
  for (const claim of ['aud', 'sub', 'azp']) {
    const values = keys.get(`${host}:${claim}`);
    if (values !== undefined) shown[`${host}:${claim}`] = values.join(', ');
    else if (claim !== 'azp') shown[`${host}:${claim}`] = '(none)';
  }
  return shown;
}

/** STS checks `azp` when the token has one, else each `aud` value, against the provider's client ids: name the one. */
function audienceCause(token: Token | undefined, host: string | undefined): string {
  const provider = `the IAM OIDC provider for ${host ?? 'the issuer'}`;
  const azp = token?.claims.azp;
  if (typeof azp === 'string') {
    return `The token's azp "${oneLine(azp)}" (STS checks azp, not aud, when a token has one) is not among the client ids of ${provider}: add that client id to the provider.`;
  }
  return `The token's audience is not among the client ids of ${provider}: add it, or request the token with an audience the provider lists (the audience setting).`;
}

/** The same, as the lines of an explanation: `<issuer host>:aud = …`, `<issuer host>:sub = …`. */
export function trustPolicyKeys(token: Token): string[] {
  return Object.entries(trustPolicyValues(token)).map(([key, value]) => `  ${oneLine(key)} = ${oneLine(value)}`);
}

/**
 * STS refusing a Cognito token is about the role's trust policy (Cognito is a built-in provider, there is no IAM
 * OIDC provider to blame) or about the size of what the token carries.
 */
function cognitoStsCauses(info: AwsErrorInfo, cognito: NonNullable<DenialContext['cognito']>): string[] | undefined {
  const tagged = cognito.principalTags !== undefined && Object.keys(cognito.principalTags).length > 0;
  if (info.code === 'PackedPolicyTooLarge') {
    return [
      'The principal tags mapped by the identity pool (plus the CI subject Cognito puts into amr) exceed what STS can pack into a session: map fewer or shorter claims in the pool (IdentityPoolPrincipalTag), or drop session policies.',
    ];
  }
  if (info.code !== 'AccessDenied' && info.code !== 'InvalidIdentityToken' && info.code !== 'IDPRejectedClaim') {
    return undefined;
  }
  const causes = [
    'The role\'s trust policy must allow sts:AssumeRoleWithWebIdentity for Principal {"Federated": "cognito-identity.amazonaws.com"} (not an IAM OIDC provider ARN).',
    `It must have the condition "StringEquals": {"cognito-identity.amazonaws.com:aud": "${cognito.identityPoolId}"} — the identity pool id, not the CI token's audience.`,
  ];
  if (tagged) {
    causes.push(
      'The Cognito token carries principal tags, so the same statement must also allow sts:TagSession; without it STS refuses even when every condition matches.',
      'Conditions on aws:RequestTag/<key> must match the principal tags above, and a condition on sts:RoleSessionName the session name above.',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, shown as the user writes it.
      'A policy that pins sts:RoleSessionName to ${aws:RequestTag/run_id}@${aws:RequestTag/sha} (as examples/cognito-tags.yml does) needs role-session-name left unset: the Cognito flow defaults it to <run_id>@<sha>.',
    );
  } else {
    causes.push(
      'The token carries no principal tags: if the trust policy tests aws:RequestTag/<key>, map those claims in the identity pool (IdentityPoolPrincipalTag for this provider).',
    );
  }
  causes.push(
    'A condition on cognito-identity.amazonaws.com:amr (ForAnyValue:StringLike) must match "authenticated" or the provider name shown in amr.',
  );
  return causes;
}

/** The values a trust policy for a Cognito token is evaluated against. */
function cognitoPolicyKeys(
  token: Token,
  cognito: NonNullable<DenialContext['cognito']>,
  roleSessionName?: string,
): string[] {
  const amr = token.claims.amr;
  const lines = [
    `  cognito-identity.amazonaws.com:aud = ${oneLine(String(token.claims.aud ?? cognito.identityPoolId))}`,
    `  cognito-identity.amazonaws.com:sub = ${oneLine(String(token.claims.sub ?? '(none)'))}`,
    `  cognito-identity.amazonaws.com:amr = ${oneLine(Array.isArray(amr) ? amr.join(', ') : String(amr ?? '(none)'))}`,
  ];
  for (const [key, value] of Object.entries(cognito.principalTags ?? {}))
    lines.push(`  aws:RequestTag/${oneLine(key)} = ${oneLine(value)}`);
  if (roleSessionName !== undefined) lines.push(`  sts:RoleSessionName = ${roleSessionName}`);
  return lines;
}

export interface CognitoDenialContext {
  readonly identityPoolId: string;
  readonly region: string;
  /** The Logins key the CI token was sent under. */
  readonly providerName: string;
  /** The CI token (claims only are shown). */
  readonly token: Token;
  readonly accountId?: string;
  readonly endpoint?: string;
  readonly now?: Date;
}

/** What to change when Cognito Identity (GetId / GetOpenIdToken) refuses the CI token. */
export function explainCognitoDenial(
  info: AwsErrorInfo,
  context: CognitoDenialContext,
): { hint?: string; details?: string } {
  const { token, providerName, identityPoolId, region } = context;
  const iss = oneLine(String(token.claims.iss ?? '(none)'));
  const audClaim = token.claims.azp ?? token.claims.aud;
  const aud = oneLine(Array.isArray(audClaim) ? audClaim.join(', ') : String(audClaim ?? '(none)'));
  const host = oneLine(issuerHost(token.claims.iss) ?? providerName);
  const partition = partitionOfRegion(region).name;
  const providerArn = `arn:${partition}:iam::${context.accountId ?? '<account>'}:oidc-provider/${host}`;
  const lines = [
    `Identity pool: ${identityPoolId} (region ${region}${context.endpoint ? `, endpoint ${context.endpoint}` : ''})`,
    `Logins key (provider name): ${providerName}`,
  ];
  // The token's claims matter only when the pool refused the token itself, not for a missing pool or a flow setting.
  if (info.code === 'NotAuthorizedException') {
    lines.push(
      `Token claims (from ${token.origin}, decoded, not verified):`,
      ...describeClaims(token, context.now ?? new Date()),
    );
  }
  let hint: string | undefined;
  const msg = info.message;
  if (info.code === 'InvalidParameterException' && /RoleMappings/i.test(msg)) {
    hint = `The basic (classic) flow cannot be used on a pool with role mappings: remove RoleMappings from identity pool ${identityPoolId} (role-to-assume picks the role) or use a separate pool.`;
  } else if (info.code === 'InvalidParameterException' && /classic|basic/i.test(msg)) {
    hint = `Activate the basic (classic) flow on identity pool ${identityPoolId}: AllowClassicFlow: true in CloudFormation (AWS::Cognito::IdentityPool), "Activate basic flow" in the console, or aws cognito-identity update-identity-pool --allow-classic-flow.`;
  } else if (info.code === 'NotAuthorizedException') {
    const causes = [
      `The pool must list the IAM OIDC provider of this issuer in OpenIdConnectProviderARNs: ${providerArn}.`,
      `That IAM OIDC provider must have the token's audience "${aud}" among its client ids (a sign-in's audience is its client id; in CI the audience setting picks it, and the Cognito flow defaults to cognito-identity.amazonaws.com).`,
      `The Logins key must be the issuer without https:// ("${host}"); it was "${providerName}"${
        providerName === host ? '' : ' — fix or remove cognito-provider-name'
      }.`,
    ];
    if (/expired|too old/i.test(msg))
      causes.unshift("The token expired before Cognito saw it: check this machine's clock.");
    if (/verify/i.test(msg)) {
      causes.unshift(
        `Cognito could not verify the signature: ${iss}/.well-known/openid-configuration and its jwks_uri must be reachable from AWS with a trusted certificate.`,
      );
    }
    lines.push('Likely causes:', ...causes.map((c) => `  - ${c}`));
    hint = `Identity pool ${identityPoolId} does not accept tokens from ${iss} with audience ${aud}: add ${providerArn} to its OpenIdConnectProviderARNs and "${aud}" to that provider's client ids.`;
  } else if (info.code === 'ResourceNotFoundException') {
    hint = `Identity pool ${identityPoolId} was not found in region ${region}: check cognito-identity-pool-id, and cognito-region (a pool lives in the region its id starts with)${
      context.accountId ? `, and that aws-account-id ${context.accountId} owns it` : ''
    }.`;
  } else if (info.code === 'ResourceConflictException') {
    hint =
      "The login is linked to another Cognito identity; Cognito refuses to merge them. Check the pool's identities for this provider.";
  } else if (info.code === 'InvalidParameterException') {
    hint = "Check cognito-identity-pool-id, aws-account-id (12 digits, the pool's account) and cognito-provider-name.";
  }
  return { ...(hint ? { hint } : {}), details: lines.join('\n') };
}

/**
 * Entra issues v1 or v2 tokens as the resource app's manifest says, each with its own iss: a provider made for one
 * version never matches the other's tokens.
 */
function entraVersionCause(iss: unknown): string | undefined {
  const v1 = typeof iss === 'string' ? /^https:\/\/sts\.windows\.net\/([^/]+)\/$/.exec(iss) : null;
  if (v1) {
    return `This is an Entra ID v1 token. If the provider is https://login.microsoftonline.com/${v1[1]}/v2.0, set requestedAccessTokenVersion to 2 in the manifest of the app registration named by --entra-resource, or create the provider for ${iss} (with its trailing slash).`;
  }
  const v2 = typeof iss === 'string' ? /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0$/.exec(iss) : null;
  if (v2) {
    return `This is an Entra ID v2 token. If the provider is https://sts.windows.net/${v2[1]}/ (v1), create the provider for ${iss}, or set requestedAccessTokenVersion to null in the AWS app registration's manifest.`;
  }
  return undefined;
}

function likelyCauses(info: AwsErrorInfo, context: DenialContext): string[] {
  const token = context.token;
  const rawHost = token ? issuerHost(token.claims.iss) : undefined;
  const host = rawHost === undefined ? undefined : oneLine(rawHost);
  const iss = token?.claims.iss === undefined ? undefined : oneLine(token.claims.iss);
  const causes: string[] = [];
  const msg = info.message;
  if (context.cognito) {
    const cognitoCauses = cognitoStsCauses(info, context.cognito);
    if (cognitoCauses) return cognitoCauses;
  }
  if (/No OpenIDConnect provider found/i.test(msg)) {
    causes.push(
      `There is no IAM OIDC identity provider for ${iss ?? 'this issuer'} in the role's account: create one with that exact URL.`,
    );
    const entra = entraVersionCause(token?.claims.iss);
    if (entra) causes.push(entra);
  } else if (/audience/i.test(msg)) {
    causes.push(audienceCause(token, host));
  } else if (/verification key/i.test(msg)) {
    causes.push(
      `STS could not fetch the issuer's keys: ${iss ?? 'the issuer'}/.well-known/openid-configuration and its jwks_uri must be reachable from AWS over HTTPS with a publicly trusted certificate.`,
    );
  } else if (info.code === 'ExpiredTokenException') {
    causes.push(
      'The ID token expired before STS saw it: check the clock of this machine and how long the token waited.',
    );
  } else if (/DurationSeconds exceeds/i.test(msg)) {
    causes.push(
      `role-duration-seconds (${context.durationSeconds ?? '?'}) is above the role's maximum session duration: lower it, or raise MaxSessionDuration on the role.`,
    );
  } else if (info.code === 'AccessDenied' || info.code === 'IDPRejectedClaim' || info.code === 'InvalidIdentityToken') {
    if (host) {
      causes.push(
        `The trust policy's Principal must be {"Federated": "arn:${partitionOfArn(context.roleArn ?? '') ?? 'aws'}:iam::<account>:oidc-provider/${host}"} with Action sts:AssumeRoleWithWebIdentity.`,
      );
      causes.push(
        `Its conditions on ${host}:aud and ${host}:sub must match the values above (StringLike for wildcards).`,
      );
    }
    // AWS reports a missing provider or a foreign audience as InvalidIdentityToken, never as AccessDenied.
    if (info.code !== 'AccessDenied') {
      causes.push('No IAM OIDC provider for the issuer, or the audience is not among its client ids.');
    }
    if (context.durationSeconds !== undefined && context.durationSeconds > 3600) {
      causes.push(
        `role-duration-seconds (${context.durationSeconds}) may be above the role's maximum session duration.`,
      );
    }
  }
  return causes;
}

/**
 * Turns a denial into the text a platform engineer needs to fix the trust policy (the error message already carries
 * AWS's code and words): the role, the token's claims, the values the policy sees, and the usual causes. Never
 * includes the token itself.
 */
export function explainDenial(info: AwsErrorInfo, context: DenialContext): { hint?: string; details?: string } {
  if (context.request && REQUEST_ERROR_CODES.has(info.code)) {
    return explainRequestError(info, context.request, context.roleArn);
  }
  const now = context.now ?? new Date();
  const trust = trustPolicyCanCause(info);
  const lines: string[] = [];
  if (context.roleArn) lines.push(`Role: ${context.roleArn}`);
  if (context.cognito && trust) {
    lines.push(`Cognito identity pool: ${context.cognito.identityPoolId}`);
    if (context.cognito.principalTags) {
      const tags = Object.entries(context.cognito.principalTags).map(([k, v]) => `${oneLine(k)}=${oneLine(v)}`);
      lines.push(`Principal tags in the Cognito token: ${tags.length > 0 ? tags.join(', ') : '(none)'}`);
    }
  }
  if (context.token && trust) {
    lines.push(
      `Token claims (from ${context.token.origin}, decoded, not verified):`,
      ...describeClaims(context.token, now),
    );
    const keys = context.cognito
      ? cognitoPolicyKeys(context.token, context.cognito, context.roleSessionName)
      : trustPolicyKeys(context.token);
    if (keys.length > 0) lines.push('What the trust policy sees:', ...keys);
  } else if (context.token && info.code === 'ExpiredTokenException') {
    const times = describeClaims(context.token, now).filter((line) => TIME_CLAIMS.includes(line.trim().split(':')[0]!));
    lines.push(`Token lifetime (from ${context.token.origin}):`, ...times);
  }
  const causes = likelyCauses(info, context);
  if (causes.length > 0) lines.push('Likely causes:', ...causes.map((c) => `  - ${c}`));
  const hint =
    context.cognito && info.code === 'AccessDenied' ? cognitoTrustHint(context.cognito, context.roleArn) : undefined;
  return { ...(hint ? { hint } : {}), details: lines.join('\n') };
}

function cognitoTrustHint(cognito: NonNullable<DenialContext['cognito']>, roleArn?: string): string {
  return `The trust policy of ${roleArn ?? 'the role'} did not accept the Cognito token of pool ${cognito.identityPoolId}: compare its Principal, actions and conditions with the values the policy sees, below.`;
}
