// Who may call the emulated IAM API. The emulator's rule (documented in the README): the account root's keys may
// call everything in their own account; a role session may call an action when the identity policies of its role
// (inline, customer-managed policies loaded from a template, and the AWS-managed policies of
// aws-managed-policies.ts, each granting what it grants in AWS) allow it and none denies it, judged by the one policy
// engine. As in IAM, the role's permissions boundary and the session policies passed to AssumeRole* cap that: each
// must allow the action too. IAM users' keys have no policies in the emulator and are refused.
import { ConditionContext, evaluateTrustPolicy } from '../../policy';
import { StsError } from '../errors';
import type { IamModel } from '../iam-model';
import { type Caller, callerArn, type RoleSession } from '../sessions';
import { awsManagedStatements } from './aws-managed-policies';

type Verdict = 'allow' | 'implicit' | 'explicit';

/** How IAM's AccessDenied messages name each kind of policy. */
type LayerName = 'identity-based policy' | 'permissions boundary' | 'session policy';

interface Layer {
  name: LayerName;
  statements: object[];
}

/** A verdict and, when it is a denial, the kind of policy that denied. */
export interface IdentityVerdict {
  verdict: Verdict;
  by?: LayerName;
}

/** An identity policy's statements name no principal: judged as if they named everyone, which attaching means. */
function statementsOf(document: unknown): object[] {
  const statement = (document as { Statement?: unknown }).Statement;
  const list = Array.isArray(statement) ? statement : [statement];
  return list.map((s) => ({ Principal: '*', ...(s as object) }));
}

/** The statements of managed policies by ARN: customer-managed from the model, AWS-managed from the table. */
function managedStatements(arns: readonly string[], model: IamModel): object[] {
  return arns.flatMap((arn) => {
    const customer = model.findManagedPolicy(arn)?.document;
    if (customer !== undefined) return statementsOf(customer);
    return awsManagedStatements(arn).map((s) => ({ Principal: '*', ...s }));
  });
}

/**
 * The policy sets that must each allow a session's action: the role's identity policies (inline and managed), its
 * permissions boundary when it has one, and the session policies when the AssumeRole* call passed some.
 */
function policyLayers(session: RoleSession, model: IamModel): Layer[] {
  const role = session.role;
  const identity = [
    ...Object.values(role.inlinePolicies).flatMap(statementsOf),
    ...managedStatements(role.managedPolicyArns, model),
  ];
  const layers: Layer[] = [{ name: 'identity-based policy', statements: identity }];
  if (role.permissionsBoundary) {
    layers.push({ name: 'permissions boundary', statements: managedStatements([role.permissionsBoundary], model) });
  }
  const passed = session.sessionPolicies;
  if (passed) {
    const inline = passed.policy === undefined ? [] : statementsOf(JSON.parse(passed.policy));
    layers.push({ name: 'session policy', statements: [...inline, ...managedStatements(passed.policyArns, model)] });
  }
  return layers;
}

function judgeLayer(statements: object[], session: RoleSession, action: string, resource: string): Verdict {
  if (statements.length === 0) return 'implicit';
  const decision = evaluateTrustPolicy(
    { Version: '2012-10-17', Statement: statements },
    {
      principal: { kind: 'AWS', arns: [session.arn, session.role.arn], accountId: session.role.accountId },
      actions: [{ action }],
      context: new ConditionContext(),
      resource,
    },
  );
  return decision.allowed ? 'allow' : decision.deny;
}

/**
 * How a caller's own policies judge an action on a resource. Each layer's policies are judged together, as IAM
 * does (an explicit Deny in one wins over an Allow in another); an explicit Deny in any layer decides, and the
 * action is allowed only when every layer allows it.
 */
export function identityVerdict(caller: Caller, model: IamModel, action: string, resource: string): IdentityVerdict {
  if (caller.kind !== 'session') return { verdict: 'implicit', by: 'identity-based policy' };
  const judged = policyLayers(caller.session, model).map((layer) => ({
    by: layer.name,
    verdict: judgeLayer(layer.statements, caller.session, action, resource),
  }));
  return (
    judged.find((j) => j.verdict === 'explicit') ?? judged.find((j) => j.verdict === 'implicit') ?? { verdict: 'allow' }
  );
}

/**
 * Throws IAM's AccessDenied unless the caller may act, naming the principal, the missing permission and, as IAM's
 * messages do, whether no policy of a kind allowed it or one denied it explicitly.
 */
export function checkIamAccess(caller: Caller, model: IamModel, action: string, resource: string): void {
  if (caller.kind === 'static' && caller.key.arn.endsWith(':root')) return;
  const { verdict, by } = identityVerdict(caller, model, action, resource);
  if (verdict === 'allow') return;
  const why =
    verdict === 'explicit'
      ? `with an explicit deny in ${by === 'identity-based policy' ? 'an' : 'a'} ${by}`
      : `because no ${by} allows the ${action} action`;
  throw new StsError(
    'AccessDenied',
    `User: ${callerArn(caller)} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
    403,
  );
}
