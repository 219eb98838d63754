// The three STS operations the emulator serves. Each returns the `<…Result>` children in real STS element order;
// the server wraps them with the response envelope and request id.
import { deflateRawSync } from 'node:zlib';
import {
  evaluateTrustPolicy,
  type RequiredAction,
  type StatementVerdict,
  type TrustDecision,
  type TrustPrincipal,
  type TrustRequest,
} from '../policy';
import { type Clock, isoSeconds } from './clock';
import type { CognitoIssuer } from './cognito-issuer';
import { StsError } from './errors';
import { identityVerdict } from './iam/access';
import type { IamModel, Role } from './iam-model';
import { deterministicUniqueId } from './identifiers';
import type { JwksCache } from './oidc-verify';
import { type SessionTag, validateRequestTags } from './session-tags';
import { type Caller, callerAccount, callerArn, type RoleSession, type SessionStore } from './sessions';
import type { IncomingSignedRequest } from './sigv4';
import { authenticate } from './sts-auth';
import {
  checkSourceIdentity,
  durationParam,
  externalIdParam,
  type QueryParams,
  required,
  roleArnParam,
  type SessionPolicies,
  sessionNameParam,
  sessionPoliciesParam,
  tagsParam,
  transitiveTagKeysParam,
} from './sts-params';
import { verifyWebIdentityToken } from './web-identity';
import { addTagKeys, stsRequestContext, webIdentityRequest } from './web-identity-request';
import { el, type XmlNode } from './xml';

export interface StsDeps {
  model: IamModel;
  sessions: SessionStore;
  jwks: JwksCache;
  cognito: CognitoIssuer;
  clock: Clock;
}

/** Deflated size budget the PackedPolicySize percentage is computed against (an approximation of STS's packing). */
const PACKED_BUDGET_BYTES = 2048;

export async function handleStsAction(
  action: string,
  params: QueryParams,
  request: IncomingSignedRequest,
  deps: StsDeps,
): Promise<XmlNode[]> {
  switch (action) {
    case 'AssumeRoleWithWebIdentity':
      return assumeRoleWithWebIdentity(params, deps);
    case 'AssumeRole':
      return assumeRole(params, authenticate(request, deps.model, deps.sessions, deps.clock), deps);
    case 'GetCallerIdentity':
      return getCallerIdentity(authenticate(request, deps.model, deps.sessions, deps.clock));
    default:
      throw new StsError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
  }
}

function packedPolicySize(tags: SessionTag[], policies: SessionPolicies): number | undefined {
  if (tags.length === 0 && policies.policy === undefined && policies.policyArns.length === 0) return undefined;
  const packed = deflateRawSync(
    JSON.stringify([tags.map((t) => [t.key, t.value]), policies.policy ?? '', policies.policyArns]),
  );
  const percent = Math.max(1, Math.ceil((packed.length * 100) / PACKED_BUDGET_BYTES));
  if (percent > 100) {
    throw new StsError(
      'PackedPolicyTooLarge',
      `Packed size of session tags and policies consumes ${percent}% of allotted space.`,
    );
  }
  return percent;
}

/** The session policies of a call, or undefined when it passed none (then only the role's policies apply). */
function passedPolicies(policies: SessionPolicies): SessionPolicies | undefined {
  return policies.policy === undefined && policies.policyArns.length === 0 ? undefined : policies;
}

function credentialsXml(session: RoleSession): XmlNode {
  return el('Credentials', [
    el('AccessKeyId', session.accessKeyId),
    el('SecretAccessKey', session.secretAccessKey),
    el('SessionToken', session.sessionToken),
    el('Expiration', isoSeconds(session.expiresAt)),
  ]);
}

function assumedRoleUserXml(session: RoleSession, arnFirst: boolean): XmlNode {
  const id = el('AssumedRoleId', session.userId);
  const arn = el('Arn', session.arn);
  return el('AssumedRoleUser', arnFirst ? [arn, id] : [id, arn]);
}

/** AWS's refusal text, followed by the emulator's account of which rule failed (AWS never says). */
function deny(reason: string, prefix: string): StsError {
  return new StsError('AccessDenied', `${prefix} (emulator: ${reason})`, 403);
}

function judge(role: Role, request: Omit<TrustRequest, 'resource'>): TrustDecision {
  return evaluateTrustPolicy(role.trustPolicy, { ...request, resource: role.arn });
}

function checkDuration(requested: number | undefined, role: Role, chained: boolean): number {
  const duration = requested ?? 3600;
  if (chained && duration > 3600) {
    throw new StsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (duration > role.maxSessionDuration) {
    throw new StsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  }
  return duration;
}

async function assumeRoleWithWebIdentity(params: QueryParams, deps: StsDeps): Promise<XmlNode[]> {
  const { arn: roleArn, accountId } = roleArnParam(params);
  const sessionName = sessionNameParam(params);
  const token = required(params, 'WebIdentityToken');
  if (token.length < 4 || token.length > 20000) {
    throw new StsError(
      'ValidationError',
      `1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length ${token.length < 4 ? 'greater than or equal to 4' : 'less than or equal to 20000'}`,
    );
  }
  const requestedDuration = durationParam(params);
  const policies = sessionPoliciesParam(params);

  const identity = await verifyWebIdentityToken(token, accountId, deps);
  const built = webIdentityRequest({
    claims: identity.claims,
    federatedPrincipal: identity.federatedPrincipal,
    keyPrefix: identity.keyPrefix,
    sessionName,
    now: deps.clock(),
  });
  const { tokenTags, sourceIdentity, federatedContext } = built;

  const prefix = 'Not authorized to perform sts:AssumeRoleWithWebIdentity';
  const role = deps.model.findRole(roleArn);
  if (!role) throw deny(`role ${roleArn} does not exist`, prefix);
  const duration = checkDuration(requestedDuration, role, false);
  const decision = judge(role, built.request);
  if (!decision.allowed) throw deny(decision.reason, prefix);

  const packed = packedPolicySize(tokenTags.tags, policies);
  const session = deps.sessions.issue({
    role,
    sessionName,
    durationSeconds: duration,
    tags: tokenTags.tags,
    transitiveTagKeys: tokenTags.transitiveKeys,
    sourceIdentity,
    federatedContext: federatedContext.entries(),
    sessionPolicies: passedPolicies(policies),
  });
  const result: XmlNode[] = [
    el('Audience', identity.audience),
    assumedRoleUserXml(session, false),
    el('Provider', identity.federatedPrincipal),
    credentialsXml(session),
    el('SubjectFromWebIdentityToken', identity.subject),
  ];
  if (packed !== undefined) result.push(el('PackedPolicySize', packed));
  if (session.sourceIdentity) result.push(el('SourceIdentity', session.sourceIdentity));
  return result;
}

function callerPrincipalTags(caller: Caller): SessionTag[] {
  if (caller.kind === 'session') return caller.session.tags;
  return Object.entries(caller.key.tags ?? {}).map(([key, value]) => ({ key, value }));
}

function assumeRole(params: QueryParams, caller: Caller, deps: StsDeps): XmlNode[] {
  const { arn: roleArn } = roleArnParam(params);
  const sessionName = sessionNameParam(params);
  const requestedDuration = durationParam(params);
  const policies = sessionPoliciesParam(params);
  const tags = tagsParam(params);
  validateRequestTags(tags);
  const transitiveKeys = transitiveTagKeysParam(params);
  for (const key of transitiveKeys) {
    if (!tags.some((t) => t.key.toLowerCase() === key.toLowerCase())) {
      throw new StsError(
        'InvalidParameterValue',
        `The transitive tag key '${key}' is not one of the tags passed in Tags.`,
      );
    }
  }
  const externalId = externalIdParam(params);
  const requestedSourceIdentity = params.get('SourceIdentity');
  if (requestedSourceIdentity !== undefined) checkSourceIdentity(requestedSourceIdentity, 'SourceIdentity');

  const chained = caller.kind === 'session';
  const inheritedTransitive = chained
    ? caller.session.tags.filter((t) =>
        caller.session.transitiveTagKeys.some((k) => k.toLowerCase() === t.key.toLowerCase()),
      )
    : [];
  const conflicts = tags.filter((t) => inheritedTransitive.some((i) => i.key.toLowerCase() === t.key.toLowerCase()));
  if (conflicts.length > 0) {
    throw new StsError(
      'InvalidParameterValue',
      `One or more session tags conflict with transitive tags inherited from the calling session: ${conflicts.map((t) => t.key).join(', ')}`,
    );
  }
  const inheritedSourceIdentity = chained ? caller.session.sourceIdentity : undefined;
  if (inheritedSourceIdentity && requestedSourceIdentity && requestedSourceIdentity !== inheritedSourceIdentity) {
    throw new StsError('InvalidParameterValue', 'SourceIdentity cannot be changed once it is set on a role session.');
  }

  const arn = callerArn(caller);
  const prefix = `User: ${arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
  const role = deps.model.findRole(roleArn);
  if (!role) throw deny(`role ${roleArn} does not exist`, prefix);
  const duration = checkDuration(requestedDuration, role, chained);

  const context = stsRequestContext(deps.clock());
  if (chained) for (const [k, v] of caller.session.federatedContext) context.set(k, v);
  for (const tag of callerPrincipalTags(caller)) context.set(`aws:PrincipalTag/${tag.key}`, tag.value);
  context.set('aws:PrincipalArn', chained ? caller.session.role.arn : arn);
  context.set('aws:PrincipalAccount', callerAccount(caller));
  context.set('sts:RoleSessionName', sessionName);
  context.set('sts:ExternalId', externalId);
  context.set('sts:SourceIdentity', requestedSourceIdentity ?? inheritedSourceIdentity);
  addTagKeys(context, { tags, transitiveKeys });

  const actions: RequiredAction[] = [{ action: 'sts:AssumeRole' }];
  if (tags.length > 0) actions.push({ action: 'sts:TagSession', because: 'the request passes session tags' });
  if (requestedSourceIdentity !== undefined) {
    actions.push({ action: 'sts:SetSourceIdentity', because: 'the request sets a source identity' });
  }
  const principal: TrustPrincipal = {
    kind: 'AWS',
    arns: chained ? [arn, caller.session.role.arn] : [arn],
    accountId: callerAccount(caller),
  };
  const decision = judge(role, { principal, actions, context });
  if (!decision.allowed) {
    throw deny(
      decision.reason,
      `User: ${arn} is not authorized to perform: ${decision.action} on resource: ${roleArn}`,
    );
  }
  checkIdentityPolicies(caller, role, actions, decision.statements, deps.model);

  const sessionTags = [...tags, ...inheritedTransitive];
  const packed = packedPolicySize(sessionTags, policies);
  const session = deps.sessions.issue({
    role,
    sessionName,
    durationSeconds: duration,
    tags: sessionTags,
    transitiveTagKeys: [...transitiveKeys, ...inheritedTransitive.map((t) => t.key)],
    sourceIdentity: requestedSourceIdentity ?? inheritedSourceIdentity,
    federatedContext: chained ? caller.session.federatedContext : [],
    sessionPolicies: passedPolicies(policies),
  });
  const result: XmlNode[] = [];
  if (session.sourceIdentity) result.push(el('SourceIdentity', session.sourceIdentity));
  result.push(assumedRoleUserXml(session, true), credentialsXml(session));
  if (packed !== undefined) result.push(el('PackedPolicySize', packed));
  return result;
}

/**
 * Whether the caller's own identity policies must allow the call too (IAM's evaluation for role trust policies):
 * across accounts always; within one account when the trust policy named the caller only through its account (root
 * ARN or account id) and not by its own ARN or its role's. An explicit deny in them refuses in every case. An
 * account root holds every permission of its account; a role session is judged by its role's policies; an IAM user's
 * keys have no policies in the emulator.
 */
function checkIdentityPolicies(
  caller: Caller,
  role: Role,
  actions: RequiredAction[],
  allowing: readonly StatementVerdict[],
  model: IamModel,
): void {
  const arn = callerArn(caller);
  if (caller.kind === 'static' && arn.endsWith(':root')) return;
  const crossAccount = callerAccount(caller) !== role.accountId;
  actions.forEach(({ action }, i) => {
    const { verdict, by } = identityVerdict(caller, model, action, role.arn);
    if (verdict === 'allow') return;
    const named = allowing[i]?.principalMatch === 'direct';
    if (verdict === 'implicit' && named && !crossAccount) return;
    const needs = crossAccount
      ? `cross-account ${action} needs the caller's identity policies to allow it on the role as well as the role's trust policy`
      : verdict === 'explicit'
        ? `the caller's identity policies deny ${action} on the role`
        : `the trust policy names the caller only through its account (${allowing[i]?.label ?? 'its statement'}), so the caller's identity policies must allow ${action} on the role too`;
    const policies =
      caller.kind === 'session'
        ? `${verdict === 'explicit' ? 'a' : 'no'} ${by} of ${caller.session.role.arn} ${verdict === 'explicit' ? 'denies' : 'allows'} it`
        : 'IAM users have no identity policies in the emulator';
    throw deny(
      `${needs}; ${policies}`,
      `User: ${arn} is not authorized to perform: ${action} on resource: ${role.arn}`,
    );
  });
}

function getCallerIdentity(caller: Caller): XmlNode[] {
  const arn = callerArn(caller);
  const account = callerAccount(caller);
  let userId: string;
  if (caller.kind === 'session') userId = caller.session.userId;
  else if (arn.endsWith(':root')) userId = account;
  else userId = deterministicUniqueId('AIDA', arn);
  return [el('Arn', arn), el('UserId', userId), el('Account', account)];
}
