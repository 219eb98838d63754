import type { AwsErrorInfo } from '../exchange/aws-errors';
import { issuerHost, type Token } from '../token/token';

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
  /** Present in the Cognito flow. */
  readonly cognito?: {
    readonly identityPoolId: string;
    readonly providerName?: string;
    readonly principalTags?: Readonly<Record<string, string>>;
  };
  readonly now?: Date;
}

function formatTime(value: unknown, now: Date): string {
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
    const shown =
      name === 'exp' || name === 'iat' || name === 'nbf'
        ? formatTime(value, now)
        : typeof value === 'string'
          ? value
          : JSON.stringify(value);
    lines.push(`  ${name}: ${shown}`);
  }
  return lines;
}

/** The keys an IAM trust policy evaluates for this token: `<issuer host>:aud` and `<issuer host>:sub`. */
export function trustPolicyKeys(token: Token): string[] {
  const host = issuerHost(token.claims.iss);
  if (host === undefined) return [];
  const aud = token.claims.azp ?? token.claims.aud;
  const audValues = Array.isArray(aud) ? aud.join(', ') : String(aud ?? '(none)');
  return [`  ${host}:aud = ${audValues}`, `  ${host}:sub = ${String(token.claims.sub ?? '(none)')}`];
}

function likelyCauses(info: AwsErrorInfo, context: DenialContext): string[] {
  const token = context.token;
  const host = token ? issuerHost(token.claims.iss) : undefined;
  const causes: string[] = [];
  const msg = info.message;
  if (context.cognito && info.code === 'AccessDenied') {
    causes.push(
      `The role's trust policy must allow sts:AssumeRoleWithWebIdentity for Principal {"Federated": "cognito-identity.amazonaws.com"}.`,
      `It must have the condition "cognito-identity.amazonaws.com:aud": "${context.cognito.identityPoolId}".`,
    );
    const tags = context.cognito.principalTags;
    if (tags && Object.keys(tags).length > 0) {
      causes.push('The Cognito token carries principal tags, so the trust policy must also allow sts:TagSession.');
      causes.push(
        `Conditions on aws:RequestTag/<key> or sts:RoleSessionName must match the tags and session name shown above.`,
      );
    }
    return causes;
  }
  if (/No OpenIDConnect provider found/i.test(msg)) {
    causes.push(
      `There is no IAM OIDC identity provider for ${token?.claims.iss ?? 'this issuer'} in the role's account: create one with that exact URL.`,
    );
  } else if (/audience/i.test(msg)) {
    causes.push(
      `The token's audience is not among the client ids of the IAM OIDC provider for ${host ?? 'the issuer'}: add it, or request the token with an audience the provider lists (the audience setting).`,
    );
  } else if (/verification key/i.test(msg)) {
    causes.push(
      `STS could not fetch the issuer's keys: ${token?.claims.iss ?? 'the issuer'}/.well-known/openid-configuration and its jwks_uri must be reachable from AWS over HTTPS with a publicly trusted certificate.`,
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
        `The trust policy's Principal must be {"Federated": "arn:aws:iam::<account>:oidc-provider/${host}"} with Action sts:AssumeRoleWithWebIdentity.`,
      );
      causes.push(
        `Its conditions on ${host}:aud and ${host}:sub must match the values above (StringLike for wildcards).`,
      );
    }
    causes.push('No IAM OIDC provider for the issuer, or the audience is not among its client ids.');
    if (context.durationSeconds !== undefined && context.durationSeconds > 3600) {
      causes.push(
        `role-duration-seconds (${context.durationSeconds}) may be above the role's maximum session duration.`,
      );
    }
  }
  return causes;
}

/**
 * Turns a denial into the text a platform engineer needs to fix the trust policy: the role, what AWS said, the
 * token's claims and the values the policy sees, and the usual causes. Never includes the token itself.
 */
export function explainDenial(info: AwsErrorInfo, context: DenialContext): { hint?: string; details?: string } {
  const now = context.now ?? new Date();
  const lines: string[] = [];
  if (context.roleArn) lines.push(`Role: ${context.roleArn}`);
  lines.push(`AWS said: ${info.code}: ${info.message}`);
  if (context.cognito) {
    lines.push(`Cognito identity pool: ${context.cognito.identityPoolId}`);
    if (context.cognito.principalTags) {
      const tags = Object.entries(context.cognito.principalTags).map(([k, v]) => `${k}=${v}`);
      lines.push(`Principal tags in the Cognito token: ${tags.length > 0 ? tags.join(', ') : '(none)'}`);
    }
  }
  if (context.token) {
    lines.push(
      `Token claims (from ${context.token.origin}, decoded, not verified):`,
      ...describeClaims(context.token, now),
    );
    const keys = trustPolicyKeys(context.token);
    if (keys.length > 0 && !context.cognito) lines.push('What the trust policy sees:', ...keys);
  }
  const causes = likelyCauses(info, context);
  if (causes.length > 0) lines.push('Likely causes:', ...causes.map((c) => `  - ${c}`));
  return { details: lines.join('\n') };
}
