// The emulated IAM Query API (version 2010-05-08, SigV4 scoped to `iam`): which actions it serves, the account each
// call acts on (the caller's, as in IAM), the resource ARN each is authorised against, and the dispatch.
import { StsError } from '../errors';
import type { IamModel } from '../iam-model';
import { type Caller, callerAccount } from '../sessions';
import type { XmlNode } from '../xml';
import { checkIamAccess } from './access';
import {
  ARN,
  CLIENT_ID,
  maxItems,
  type Params,
  POLICY_DOCUMENT,
  ROLE_NAME,
  requiredString,
  type StringConstraint,
} from './params';
import { READ_ACTIONS } from './read-api';
import { WRITE_ACTIONS } from './write-api';

export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const IAM_VERSION = '2010-05-08';
export const IAM_ACTIONS = new Set([...Object.keys(READ_ACTIONS), ...Object.keys(WRITE_ACTIONS)]);

/** The constrained parameters of the served actions: wire name → member name in errors and constraint. */
const CONSTRAINTS: Readonly<Record<string, [string, StringConstraint]>> = {
  RoleName: ['roleName', ROLE_NAME],
  OpenIDConnectProviderArn: ['openIDConnectProviderArn', ARN],
  ClientID: ['clientID', CLIENT_ID],
  PolicyDocument: ['policyDocument', POLICY_DOCUMENT],
};

/** Which of them each action requires. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  GetRole: ['RoleName'],
  ListRoleTags: ['RoleName'],
  GetOpenIDConnectProvider: ['OpenIDConnectProviderArn'],
  AddClientIDToOpenIDConnectProvider: ['OpenIDConnectProviderArn', 'ClientID'],
  RemoveClientIDFromOpenIDConnectProvider: ['OpenIDConnectProviderArn', 'ClientID'],
  UpdateAssumeRolePolicy: ['RoleName', 'PolicyDocument'],
};

/** IAM validates a request against its model before authorising it: ValidationError comes before AccessDenied. */
function checkParams(action: string, params: Params): void {
  for (const name of REQUIRED[action] ?? []) {
    const [member, constraint] = CONSTRAINTS[name] as [string, StringConstraint];
    requiredString(params, name, member, constraint);
  }
  if (params.has('MaxItems')) maxItems(params);
}

/**
 * The resource IAM authorises an action against: the role's ARN (with its path) for role calls, the provider ARN as
 * given for provider calls, and the account's role/provider ARN prefix for the list calls.
 */
function resourceOf(action: string, account: IamModel, params: Params): string {
  const prefix = `arn:${account.partition.name}:iam::${account.accountId}:`;
  const roleName = params.get('RoleName');
  if (roleName !== undefined) return account.findRoleNamed(roleName)?.arn ?? `${prefix}role/${roleName}`;
  const providerArn = params.get('OpenIDConnectProviderArn');
  if (providerArn !== undefined) return providerArn;
  if (action === 'ListRoles') return `${prefix}role/`;
  if (action === 'ListOpenIDConnectProviders') return `${prefix}oidc-provider/`;
  return '*';
}

/** Runs an IAM action for an authenticated caller; `undefined` means a response without a `<…Result>` element. */
export function handleIamAction(
  action: string,
  params: Params,
  caller: Caller,
  model: IamModel,
): XmlNode[] | undefined {
  const account = model.inAccount(callerAccount(caller));
  const handler = READ_ACTIONS[action] ?? WRITE_ACTIONS[action];
  if (!handler) throw new StsError('InvalidAction', `Could not find operation ${action} for version ${IAM_VERSION}`);
  checkParams(action, params);
  checkIamAccess(caller, account, `iam:${action}`, resourceOf(action, account, params));
  return handler(account, params);
}
