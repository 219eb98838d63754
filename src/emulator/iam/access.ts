// Who may call the emulated IAM API. The emulator's rule (documented in the README): the account root's keys may
// call everything in their own account; a role session may call an action when the identity policies of its role
// (inline, customer-managed policies loaded from a template, and the AWS-managed policies of
// aws-managed-policies.ts, each granting what it grants in AWS) allow it and none denies it, judged by the one policy
// engine; IAM users' keys have no policies in the emulator and are refused.
import { ConditionContext, evaluateTrustPolicy } from '../../policy';
import { StsError } from '../errors';
import type { IamModel } from '../iam-model';
import { type Caller, callerArn } from '../sessions';
import { awsManagedStatements } from './aws-managed-policies';

/** An identity policy's statements name no principal: judged as if they named everyone, which attaching means. */
function statementsOf(document: unknown): object[] {
  const statement = (document as { Statement?: unknown }).Statement;
  const list = Array.isArray(statement) ? statement : [statement];
  return list.map((s) => ({ Principal: '*', ...(s as object) }));
}

/** Every statement of the role's identity policies: inline, customer-managed and AWS-managed. */
function identityStatements(caller: Extract<Caller, { kind: 'session' }>, model: IamModel): object[] {
  const role = caller.session.role;
  const customer = role.managedPolicyArns
    .map((arn) => model.findManagedPolicy(arn)?.document)
    .filter((d) => d !== undefined);
  return [
    ...[...Object.values(role.inlinePolicies), ...customer].flatMap(statementsOf),
    ...role.managedPolicyArns.flatMap(awsManagedStatements).map((s) => ({ Principal: '*', ...s })),
  ];
}

/**
 * All the role's identity policies judged together, as IAM does: an explicit Deny in any of them wins over an Allow
 * in another (judging them one by one, any Allow would have let the call through).
 */
export function identityVerdict(
  caller: Caller,
  model: IamModel,
  action: string,
  resource: string,
): 'allow' | 'implicit' | 'explicit' {
  if (caller.kind !== 'session') return 'implicit';
  const role = caller.session.role;
  const combined = { Version: '2012-10-17', Statement: identityStatements(caller, model) };
  if (combined.Statement.length === 0) return 'implicit';
  const decision = evaluateTrustPolicy(combined, {
    principal: { kind: 'AWS', arns: [caller.session.arn, role.arn], accountId: role.accountId },
    actions: [{ action }],
    context: new ConditionContext(),
    resource,
  });
  return decision.allowed ? 'allow' : decision.deny;
}

/**
 * Throws IAM's AccessDenied unless the caller may act, naming the principal, the missing permission and, as IAM's
 * messages do, whether no policy allowed it or one denied it explicitly.
 */
export function checkIamAccess(caller: Caller, model: IamModel, action: string, resource: string): void {
  if (caller.kind === 'static' && caller.key.arn.endsWith(':root')) return;
  const verdict = identityVerdict(caller, model, action, resource);
  if (verdict === 'allow') return;
  const why =
    verdict === 'explicit'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${action} action`;
  throw new StsError(
    'AccessDenied',
    `User: ${callerArn(caller)} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
    403,
  );
}
