// Who may call the emulated IAM read API. The emulator's rule (documented in the README): the account root's keys
// may call everything; a role session may call an action when an identity policy of its role (inline, a managed
// policy loaded from a template, or the AWS-managed ReadOnlyAccess / IAMReadOnlyAccess / AdministratorAccess)
// allows it, judged by the one policy engine; IAM users' keys have no policies in the emulator and are refused.
import { ConditionContext, evaluateTrustPolicy } from '../../policy';
import { StsError } from '../errors';
import type { IamModel } from '../iam-model';
import { type Caller, callerArn } from '../sessions';

const AWS_MANAGED_READ = new Set(
  ['ReadOnlyAccess', 'IAMReadOnlyAccess', 'AdministratorAccess', 'IAMFullAccess'].map(
    (n) => `arn:aws:iam::aws:policy/${n}`,
  ),
);

/** What the AWS-managed read policies grant, as far as this API goes (AdministratorAccess grants more, unused here). */
const AWS_MANAGED_READ_STATEMENT = { Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' };

/** An identity policy's statements name no principal: judged as if they named everyone, which attaching means. */
function statementsOf(document: unknown): object[] {
  const statement = (document as { Statement?: unknown }).Statement;
  const list = Array.isArray(statement) ? statement : [statement];
  return list.map((s) => ({ Principal: '*', ...(s as object) }));
}

/**
 * All the role's identity policies judged together, as IAM does: an explicit Deny in any of them wins over an Allow
 * in another (judging them one by one, any Allow would have let the call through).
 */
function sessionAllows(
  caller: Extract<Caller, { kind: 'session' }>,
  model: IamModel,
  action: string,
  resource: string,
): boolean {
  const role = caller.session.role;
  const documents = [
    ...Object.values(role.inlinePolicies),
    ...role.managedPolicyArns.map((arn) => model.findManagedPolicy(arn)?.document).filter((d) => d !== undefined),
  ];
  const awsManaged = role.managedPolicyArns.some((arn) => AWS_MANAGED_READ.has(arn));
  const combined = {
    Version: '2012-10-17',
    Statement: [...documents.flatMap(statementsOf), ...(awsManaged ? [AWS_MANAGED_READ_STATEMENT] : [])],
  };
  return evaluateTrustPolicy(combined, {
    principal: { kind: 'AWS', arns: [caller.session.arn, role.arn], accountId: role.accountId },
    actions: [{ action }],
    context: new ConditionContext(),
    resource,
  }).allowed;
}

/** Throws IAM's AccessDenied, naming the principal and the missing permission, unless the caller may act. */
export function checkIamAccess(caller: Caller, model: IamModel, action: string, resource: string): void {
  const root = caller.kind === 'static' && caller.key.arn.endsWith(':root');
  if (root || (caller.kind === 'session' && sessionAllows(caller, model, action, resource))) return;
  throw new StsError(
    'AccessDenied',
    `User: ${callerArn(caller)} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
    403,
  );
}
