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

/** An identity policy names no principal: judged as if it named everyone, which is what attaching it means. */
function asAttached(document: unknown): unknown {
  const doc = document as { Statement?: unknown };
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return { ...doc, Statement: list.map((s) => ({ Principal: '*', ...(s as object) })) };
}

function sessionAllows(
  caller: Extract<Caller, { kind: 'session' }>,
  model: IamModel,
  action: string,
  resource: string,
): boolean {
  const role = caller.session.role;
  if (role.managedPolicyArns.some((arn) => AWS_MANAGED_READ.has(arn))) return true;
  const documents = [
    ...Object.values(role.inlinePolicies),
    ...role.managedPolicyArns.map((arn) => model.findManagedPolicy(arn)?.document).filter((d) => d !== undefined),
  ];
  return documents.some(
    (document) =>
      evaluateTrustPolicy(asAttached(document), {
        principal: { kind: 'AWS', arns: [caller.session.arn, role.arn], accountId: role.accountId },
        actions: [{ action }],
        context: new ConditionContext(),
        resource,
      }).allowed,
  );
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
