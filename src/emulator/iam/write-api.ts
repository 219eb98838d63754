// The IAM writes the audience automation makes: AddClientIDToOpenIDConnectProvider,
// RemoveClientIDFromOpenIDConnectProvider and UpdateAssumeRolePolicy, with IAM's validation, quotas and errors.
// Each write changes the one model STS and Cognito consult, so the next AssumeRoleWithWebIdentity is judged against
// it. A write runs synchronously from check to change (no await in between), so concurrent requests cannot
// interleave inside one and never lose each other's changes.
import { StsError } from '../errors';
import type { IamModel } from '../iam-model';
import { TRUST_POLICY_QUOTA, trustPolicyProblem, trustPolicySize } from '../trust-policy-validation';
import { CLIENT_ID, type Params, POLICY_DOCUMENT, requiredString } from './params';
import { namedProvider, namedRole } from './read-api';

/** IAM's quota ClientIdsPerOpenIdConnectProvider. */
export const MAX_CLIENT_IDS = 100;

function limitExceeded(message: string): StsError {
  return new StsError('LimitExceeded', message, 409);
}

function clientIdParam(params: Params): string {
  return requiredString(params, 'ClientID', 'clientID', CLIENT_ID);
}

/** Adding an id the provider already lists changes nothing and succeeds (IAM documents the call as idempotent). */
function addClientId(account: IamModel, params: Params): undefined {
  const clientId = clientIdParam(params);
  const provider = namedProvider(account, params);
  if (provider.clientIds.includes(clientId)) return undefined;
  if (provider.clientIds.length >= MAX_CLIENT_IDS) {
    throw limitExceeded(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`);
  }
  provider.clientIds.push(clientId);
  return undefined;
}

/** Removing an id the provider does not list succeeds too (idempotent, as IAM documents). */
function removeClientId(account: IamModel, params: Params): undefined {
  const clientId = clientIdParam(params);
  const provider = namedProvider(account, params);
  const at = provider.clientIds.indexOf(clientId);
  if (at >= 0) provider.clientIds.splice(at, 1);
  return undefined;
}

/**
 * Replaces the role's trust policy after the checks CreateRole makes at load (trust-policy-validation.ts): the
 * grammar, IAM's trust-policy rules and what the engine cannot evaluate → MalformedPolicyDocument; then the size
 * quota ACLSizePerRole (white space not counted) → LimitExceeded.
 */
function updateAssumeRolePolicy(account: IamModel, params: Params): undefined {
  const text = requiredString(params, 'PolicyDocument', 'policyDocument', POLICY_DOCUMENT);
  const role = namedRole(account, params);
  // Service-linked roles and IAM Identity Center's reserved roles belong to their AWS service: IAM refuses every
  // change to them, whatever the caller's permissions.
  if (/^\/aws-(service-role|reserved)\//.test(role.path)) {
    throw new StsError(
      'UnmodifiableEntity',
      `Cannot perform the operation on the protected role '${role.name}' - this role is only modifiable by AWS`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new StsError('MalformedPolicyDocument', 'Syntax errors in policy.');
  }
  const problem = trustPolicyProblem(document);
  if (problem) {
    const where = problem.statementIndex === undefined ? '' : ` (statement #${problem.statementIndex + 1})`;
    throw new StsError('MalformedPolicyDocument', `${problem.message}${where}`);
  }
  if (trustPolicySize(text) > TRUST_POLICY_QUOTA) {
    throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA}`);
  }
  role.trustPolicy = document;
  role.trustPolicyText = text;
  return undefined;
}

// Parameters are checked before the entity is looked up: IAM answers ValidationError before NoSuchEntity.
export const WRITE_ACTIONS: Readonly<Record<string, (account: IamModel, params: Params) => undefined>> = {
  AddClientIDToOpenIDConnectProvider: addClientId,
  RemoveClientIDFromOpenIDConnectProvider: removeClientId,
  UpdateAssumeRolePolicy: updateAssumeRolePolicy,
};
