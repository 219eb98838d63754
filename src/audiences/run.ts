// One run of the automation, whoever starts it (a person, a pipeline, the Lambda function): read the account, plan,
// and only with `apply` make the planned IAM calls, in an order that never leaves a trust expecting an audience
// its provider lacks (client id first, then the trust).
import { InputError } from '../errors';
import { declarationOf, providerIn, providerRef } from './declaration';
import type { IamAccount } from './iam-account';
import { type Plan, planCreate, planDelete } from './plan';
import { RefusedError } from './refusal';

export interface AudienceRequest {
  event: 'CreateRole' | 'DeleteRole';
  roleName: string;
  /** CreateRole: what a person states instead of the role's tags. */
  audience?: string;
  provider?: string;
  /** DeleteRole: the providers whose unused audiences are removed (ARNs or issuer names). */
  providers: readonly string[];
  /** DeleteRole: audiences never removed. */
  keep: readonly string[];
  /**
   * CreateRole from an event (the Lambda function): the only providers a role's tag may name. Whoever may create
   * and tag a role would otherwise choose which provider of the account gains a client id, one a Cognito identity
   * pool trusts included, where the client id list is the whole admission check.
   */
  managedProviders?: readonly string[];
  apply: boolean;
}

/** A skip: the event's role is gone again, or declares nothing (the Lambda function logs it; the CLI refuses it). */
export type Outcome = { plan: Plan; applied: boolean } | { skipped: string };

async function createPlan(request: AudienceRequest, account: IamAccount): Promise<Plan | string> {
  const role = await account.role(request.roleName);
  if (!role) return `role ${request.roleName} does not exist in account ${account.accountId}`;
  const providerArn = request.provider
    ? providerIn(request.provider, account.accountId, account.partition, '--provider').arn
    : undefined;
  const declaration = declarationOf(role.tags, {
    ...(request.audience !== undefined ? { audience: request.audience } : {}),
    ...(providerArn ? { providerArn } : {}),
  });
  if (!declaration) {
    return `role ${request.roleName} declares no audience (tags keyless-aws:audience and keyless-aws:oidc-provider), so the automation does not manage it`;
  }
  if (request.managedProviders) {
    const managed = request.managedProviders.map(
      (p) => providerIn(p, account.accountId, account.partition, 'KEYLESS_AWS_OIDC_PROVIDERS').arn,
    );
    if (!managed.includes(declaration.providerArn)) {
      throw new RefusedError(
        'ProviderNotManaged',
        `role ${request.roleName}: ${declaration.from.provider} names ${declaration.providerArn}, which is not among the providers the function manages (KEYLESS_AWS_OIDC_PROVIDERS: ${managed.length > 0 ? managed.join(', ') : 'none'}). Nothing was changed.`,
        'Add the provider to KEYLESS_AWS_OIDC_PROVIDERS if the automation should give it client ids, or correct the role tag.',
      );
    }
  }
  const provider = await account.provider(providerRef(declaration.providerArn, declaration.from.provider));
  return planCreate(role, declaration, provider);
}

async function deletePlan(request: AudienceRequest, account: IamAccount): Promise<Plan> {
  if (request.providers.length === 0) {
    throw new InputError(
      `DeleteRole ${request.roleName}: no provider to check. A deleted role's tags are gone with it, so the providers whose unused audiences may go must be named.`,
      'Pass --provider ARN|ISSUER (repeatable); the Lambda function reads KEYLESS_AWS_OIDC_PROVIDERS.',
    );
  }
  const refs = request.providers.map((p) => providerIn(p, account.accountId, account.partition, '--provider'));
  const providers = [];
  const absent: string[] = [];
  for (const ref of refs) {
    // A person names providers of the account acted on: one that is not there is a mistake. The Lambda function's
    // list serves every account of an organization, and not every account has every provider.
    if (!request.managedProviders) {
      providers.push(await account.provider(ref));
      continue;
    }
    const found = await account.providerIfExists(ref);
    if (found) providers.push(found);
    else absent.push(`${ref.arn}: not in account ${account.accountId}, nothing to prune there`);
  }
  const plan = planDelete({
    roleName: request.roleName,
    accountId: account.accountId,
    providers,
    roles: await account.roles(),
    keep: request.keep,
  });
  plan.reasons.unshift(...absent);
  return plan;
}

async function apply(plan: Plan, account: IamAccount): Promise<void> {
  const order = { 'add-client-id': 0, 'update-trust': 1, 'remove-client-id': 2 } as const;
  for (const change of [...plan.changes].sort((a, b) => order[a.kind] - order[b.kind])) {
    if (change.kind === 'add-client-id') await account.addClientId(change.provider, change.clientId);
    else if (change.kind === 'remove-client-id') await account.removeClientId(change.provider, change.clientId);
    else await account.updateTrust(change.roleName, change.after);
  }
}

export async function runAudiences(request: AudienceRequest, account: IamAccount): Promise<Outcome> {
  const plan = request.event === 'CreateRole' ? await createPlan(request, account) : await deletePlan(request, account);
  if (typeof plan === 'string') return { skipped: plan };
  if (!request.apply || plan.changes.length === 0) return { plan, applied: false };
  await apply(plan, account);
  return { plan, applied: true };
}
