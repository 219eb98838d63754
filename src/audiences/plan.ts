// What the automation would change, computed from IAM's state alone (no calls here): on CreateRole the role's
// audience added to its provider and expected by its trust, on DeleteRole the audiences no remaining role uses
// removed. Every decision carries its reason, one line each, for the dry run and the Lambda's log.
import { defaultStsAudience } from '../partitions/partition';
import { PARTITIONS } from '../partitions/partition-data';
import { type Declaration, type ProviderRef, providerRef } from './declaration';
import { lintErrors } from './lint-gate';
import { RefusedError } from './refusal';
import { setAudience } from './trust-edit';
import { type RoleTrust, roleUses } from './usage';

/** IAM's quota: ClientIdsPerOpenIdConnectProvider. */
export const MAX_CLIENT_IDS = 100;

export interface RoleState extends RoleTrust {
  arn: string;
  path: string;
  tags: Record<string, string>;
}

export interface ProviderState {
  ref: ProviderRef;
  clientIds: string[];
}

export type Change =
  | { kind: 'add-client-id'; provider: ProviderRef; clientId: string }
  | { kind: 'remove-client-id'; provider: ProviderRef; clientId: string }
  | { kind: 'update-trust'; roleName: string; before: string; after: string };

export interface ClientIdList {
  provider: ProviderRef;
  before: string[];
  after: string[];
}

export interface Plan {
  event: 'CreateRole' | 'DeleteRole';
  roleName: string;
  accountId: string;
  changes: Change[];
  /** Provider client id lists touched (or examined) by the plan, before and after. */
  lists: ClientIdList[];
  /** One line per decision: what is changed, kept or left alone, and why. */
  reasons: string[];
}

/** Stable text of a policy for display and comparison: two-space JSON, keys in the owner's order. */
export function policyText(document: unknown): string {
  return JSON.stringify(typeof document === 'string' ? JSON.parse(document) : document, null, 2);
}

/** CreateRole: the role's declared audience in its provider's list and in its trust policy. */
export function planCreate(role: RoleState, declaration: Declaration, provider: ProviderState): Plan {
  const ref = providerRef(declaration.providerArn, declaration.from.provider);
  const accountId = /^arn:[\w-]+:iam::(\d{12}):/.exec(role.arn)?.[1] ?? ref.accountId;
  if (ref.accountId !== accountId) {
    throw new RefusedError(
      'ProviderInOtherAccount',
      `${declaration.from.provider} names ${ref.arn}, a provider of account ${ref.accountId}, but role ${role.name} is in account ${accountId}.`,
      'A trust policy can only name a provider of its own account: tag the role with the ARN of the provider in its account.',
    );
  }
  const { audience } = declaration;
  const plan: Plan = { event: 'CreateRole', roleName: role.name, accountId, changes: [], lists: [], reasons: [] };
  const after = provider.clientIds.includes(audience) ? provider.clientIds : [...provider.clientIds, audience];
  plan.lists.push({ provider: ref, before: provider.clientIds, after });
  if (after === provider.clientIds) {
    plan.reasons.push(`${audience}: already a client id of ${ref.arn}`);
  } else {
    if (provider.clientIds.length >= MAX_CLIENT_IDS) {
      throw new RefusedError(
        'ClientIdLimit',
        `${ref.arn} already has ${provider.clientIds.length} client ids, IAM's limit (ClientIdsPerOpenIdConnectProvider ${MAX_CLIENT_IDS}): ${audience} cannot be added.`,
        'Remove the client ids no role uses first (`keyless-aws audiences prune --provider <ARN>` shows which): IAM allows at most 100 per provider.',
      );
    }
    plan.changes.push({ kind: 'add-client-id', provider: ref, clientId: audience });
    plan.reasons.push(`${audience}: added to ${ref.arn} (${declaration.from.audience} of role ${role.name})`);
  }
  const edit = setAudience(role.name, role.trustPolicy, ref, audience);
  const before = policyText(role.trustPolicy);
  const afterText = policyText(edit.document);
  refuseLintErrors(role, edit.document, ref, after);
  if (afterText === before) {
    plan.reasons.push(
      `role ${role.name}: ${edit.statements.join(', ')} already expect${edit.statements.length === 1 ? 's' : ''} ${ref.name}:aud = ${audience}`,
    );
  } else {
    plan.changes.push({ kind: 'update-trust', roleName: role.name, before, after: afterText });
    const replaced = edit.replaced.length > 0 ? `, replacing ${edit.replaced.join('; ')}` : '';
    plan.reasons.push(
      `role ${role.name}: ${edit.statements.join(', ')} set to expect ${ref.name}:aud = ${audience}${replaced}`,
    );
  }
  return plan;
}

function refuseLintErrors(role: RoleState, document: unknown, provider: ProviderRef, clientIds: string[]): void {
  const errors = lintErrors(role.name, role.path, document, provider, clientIds);
  if (errors.length === 0) return;
  const first = errors[0] as (typeof errors)[number];
  throw new RefusedError(
    'LintRefused',
    `role ${role.name}: the doctor's lint rule ${first.rule} flags the trust policy the change would leave: ${first.message}${
      errors.length > 1
        ? ` (and ${errors
            .slice(1)
            .map((e) => e.rule)
            .join(', ')})`
        : ''
    }. Nothing was changed.`,
    `Fix the role's trust policy first: ${first.fix}. \`keyless-aws doctor --live --role-arn ${role.arn}\` shows every finding.`,
  );
}

/** Audiences tools other than this automation rely on by default: never removed. */
export function defaultAudiences(): string[] {
  const sts = PARTITIONS.map((p) => defaultStsAudience({ name: p.name, dnsSuffix: p.dnsSuffix }));
  return [...new Set([...sts, 'api://AzureADTokenExchange'])];
}

export interface DeleteInput {
  roleName: string;
  accountId: string;
  providers: ProviderState[];
  /** Every role of the account as it is now (all ListRoles pages). */
  roles: RoleState[];
  /** Audiences the user protects (--keep, KEYLESS_AWS_KEEP_AUDIENCES). */
  keep: readonly string[];
}

/** DeleteRole: each client id of the providers is removed only when no remaining role uses it and nothing protects it. */
export function planDelete(input: DeleteInput): Plan {
  const plan: Plan = {
    event: 'DeleteRole',
    roleName: input.roleName,
    accountId: input.accountId,
    changes: [],
    lists: [],
    reasons: [],
  };
  if (input.roles.some((r) => r.name === input.roleName)) {
    plan.reasons.push(`role ${input.roleName} still exists: its audiences count as used like any other role's`);
  }
  const defaults = defaultAudiences();
  for (const provider of input.providers) {
    const after: string[] = [];
    for (const clientId of provider.clientIds) {
      const reason = keepReason(clientId, provider.ref, input, defaults);
      if (reason) {
        after.push(clientId);
        plan.reasons.push(`${clientId}: kept, ${reason}`);
        continue;
      }
      plan.changes.push({ kind: 'remove-client-id', provider: provider.ref, clientId });
      plan.reasons.push(
        `${clientId}: removed from ${provider.ref.arn}, no role of account ${input.accountId} accepts it`,
      );
    }
    plan.lists.push({ provider: provider.ref, before: provider.clientIds, after });
  }
  plan.reasons.push(
    'not visible here: Cognito identity pools and other services that check tokens against these client ids; protect their audiences with --keep (KEYLESS_AWS_KEEP_AUDIENCES for the Lambda function)',
  );
  return plan;
}

function keepReason(
  clientId: string,
  provider: ProviderRef,
  input: DeleteInput,
  defaults: string[],
): string | undefined {
  if (input.keep.includes(clientId)) return 'protected by --keep';
  if (defaults.includes(clientId)) return 'a default audience that AWS and Azure tools request (never removed)';
  for (const role of input.roles) {
    const use = roleUses(role, provider, clientId);
    if (use.uses) return `role ${role.name} uses it: ${use.why}`;
  }
  return undefined;
}
