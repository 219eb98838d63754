// Whether a token (its claims) can assume one role, judged in the order STS judges AssumeRoleWithWebIdentity: the
// provider for `iss` in the role's account, the audience among its client ids, `sub`, the token's session tags and
// source identity, DurationSeconds against MaxSessionDuration, then the trust policy through the one engine with the
// request the emulated STS builds. Signature and expiry are not judged: the doctor works on described claims too.
import { StsError } from '../emulator/errors';
import { COGNITO_PROVIDER, type IamModel, type Role } from '../emulator/iam-model';
import { matchingAudience } from '../emulator/web-identity';
import { webIdentityRequest } from '../emulator/web-identity-request';
import { type ConditionVerdict, evaluateTrustPolicy, smallestChange } from '../policy';

export type VerdictStage = 'provider' | 'audience' | 'token' | 'cognito' | 'duration' | 'trust-policy';

export interface RoleVerdict {
  roleArn: string;
  allowed: boolean;
  /** The check that refused (absent when allowed). */
  stage?: VerdictStage;
  reason: string;
  /** The statement that decided (allowing, or the one that refused or came closest). */
  statement?: string;
  /** The condition that failed, with the claim value against the expected values. */
  condition?: ConditionVerdict;
  fix?: string;
}

export interface JudgeOptions {
  sessionName: string;
  durationSeconds?: number;
  now: number;
  /** `iss` of Cognito tokens (the real service, or the emulator's issuer). */
  cognitoIssuer: string;
}

interface Identity {
  federatedPrincipal: string;
  keyPrefix: string;
}

function refuse(roleArn: string, stage: VerdictStage, reason: string, fix: string): RoleVerdict {
  return { roleArn, allowed: false, stage, reason, fix };
}

function identityFor(
  model: IamModel,
  role: Role,
  claims: Record<string, unknown>,
  options: JudgeOptions,
): Identity | RoleVerdict {
  const iss = typeof claims.iss === 'string' ? claims.iss : '';
  if (iss === options.cognitoIssuer) return { federatedPrincipal: COGNITO_PROVIDER, keyPrefix: COGNITO_PROVIDER };
  const provider = model.findProviderByIssuer(role.accountId, iss);
  if (!provider) {
    const near = model
      .listProviders()
      .find((p) => p.name.replace(/\/$/, '') === iss.replace(/^https?:\/\//, '').replace(/\/$/, ''));
    const hint = near
      ? ` (provider ${near.url} differs from iss only by scheme or trailing slash: STS compares exactly)`
      : '';
    return refuse(
      role.arn,
      'provider',
      `No OpenIDConnect provider found in account ${role.accountId} for ${iss}${hint}`,
      `create an IAM OIDC provider with URL ${iss} in account ${role.accountId}`,
    );
  }
  if (matchingAudience(provider, claims) === undefined) {
    const shown = typeof claims.azp === 'string' ? `azp ${claims.azp}` : `aud ${JSON.stringify(claims.aud ?? null)}`;
    return refuse(
      role.arn,
      'audience',
      `Incorrect token audience: ${shown} is not in the ClientIdList of ${provider.arn} (${JSON.stringify(provider.clientIds)})`,
      `add the token's audience to the provider's ClientIdList, or request a token for one of ${provider.clientIds.join(', ')}`,
    );
  }
  return { federatedPrincipal: provider.arn, keyPrefix: provider.name };
}

/** Cognito's own refusals before a token for this pool exists: unknown pool, classic flow disabled. */
function cognitoProblem(model: IamModel, role: Role, claims: Record<string, unknown>): RoleVerdict | undefined {
  const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
  const pool = typeof aud === 'string' ? model.findIdentityPool(aud) : undefined;
  if (!pool || pool.allowClassicFlow === true) return undefined;
  return refuse(
    role.arn,
    'cognito',
    `identity pool ${pool.id} does not allow the basic (classic) flow, so GetOpenIdToken + AssumeRoleWithWebIdentity is refused`,
    'set AllowClassicFlow: true on the identity pool',
  );
}

export function judgeRole(
  model: IamModel,
  role: Role,
  claims: Record<string, unknown>,
  options: JudgeOptions,
): RoleVerdict {
  const identity = identityFor(model, role, claims, options);
  if ('roleArn' in identity) return identity;
  if (identity.federatedPrincipal === COGNITO_PROVIDER) {
    const problem = cognitoProblem(model, role, claims);
    if (problem) return problem;
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    return refuse(
      role.arn,
      'token',
      'The ID Token provided is missing a required claim: sub',
      'the token needs a sub claim',
    );
  }
  let built: ReturnType<typeof webIdentityRequest>;
  try {
    built = webIdentityRequest({ claims, ...identity, sessionName: options.sessionName, now: options.now });
  } catch (error) {
    if (error instanceof StsError)
      return refuse(role.arn, 'token', error.message, 'fix the session-tag or source-identity claims of the token');
    throw error;
  }
  const requested = options.durationSeconds ?? 3600;
  if (requested > role.maxSessionDuration) {
    return refuse(
      role.arn,
      'duration',
      `The requested DurationSeconds (${requested}) exceeds the MaxSessionDuration (${role.maxSessionDuration}) set for this role.`,
      `ask for at most ${role.maxSessionDuration} seconds, or raise the role's MaxSessionDuration to ${requested}`,
    );
  }
  const decision = evaluateTrustPolicy(role.trustPolicy, { ...built.request, resource: role.arn });
  if (decision.allowed) {
    const labels = decision.statements.map((s) => s.label).join(', ');
    return {
      roleArn: role.arn,
      allowed: true,
      reason: `allowed by ${labels}`,
      statement: decision.statements[0]?.label,
    };
  }
  const condition =
    decision.statement?.failedAt === 'condition' || decision.deny === 'explicit'
      ? decision.statement?.conditions.at(-1)
      : undefined;
  return {
    roleArn: role.arn,
    allowed: false,
    stage: 'trust-policy',
    reason: decision.reason,
    ...(decision.statement ? { statement: decision.statement.label } : {}),
    ...(condition ? { condition } : {}),
    fix: smallestChange(decision),
  };
}

/** The role finder: every role of the set, allowed first. */
export function judgeAll(model: IamModel, claims: Record<string, unknown>, options: JudgeOptions): RoleVerdict[] {
  return model.listRoles().map((role) => judgeRole(model, role, claims, options));
}
