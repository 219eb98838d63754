// The IAM read API the doctor (and the AWS CLI) use against the emulator: ListRoles (Marker/MaxItems/PathPrefix),
// GetRole, ListOpenIDConnectProviders, GetOpenIDConnectProvider. Query protocol, SigV4 scoped to `iam`, IAM's XML
// element names; trust policies are returned URL-encoded, as IAM returns them.
import { StsError } from '../errors';
import type { IamModel, OidcProvider, Role } from '../iam-model';
import type { Caller } from '../sessions';
import { el, type XmlNode } from '../xml';
import { checkIamAccess } from './access';

export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const IAM_VERSION = '2010-05-08';
export const IAM_ACTIONS = new Set(['ListRoles', 'GetRole', 'ListOpenIDConnectProviders', 'GetOpenIDConnectProvider']);

/** Every object was "created" at the emulator's epoch: stable output for reruns. */
const CREATE_DATE = '2024-01-01T00:00:00Z';

type Params = ReadonlyMap<string, string>;

function roleXml(role: Role): XmlNode[] {
  return [
    el('Path', role.path),
    el('RoleName', role.name),
    el('RoleId', role.roleId),
    el('Arn', role.arn),
    el('CreateDate', CREATE_DATE),
    el('AssumeRolePolicyDocument', encodeURIComponent(JSON.stringify(role.trustPolicy))),
    el('MaxSessionDuration', role.maxSessionDuration),
  ];
}

function validation(message: string): StsError {
  return new StsError('ValidationError', message, 400);
}

function maxItems(params: Params): number {
  const raw = params.get('MaxItems');
  if (raw === undefined) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw validation(
      `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`,
    );
  }
  return n;
}

/** Markers are opaque to callers: here the ARN of the next role, base64url-encoded. */
function listRoles(model: IamModel, params: Params): XmlNode[] {
  const prefix = params.get('PathPrefix') ?? '/';
  const roles = model
    .listRoles()
    .filter((r) => r.path.startsWith(prefix))
    .sort((a, b) => a.arn.localeCompare(b.arn));
  const marker = params.get('Marker');
  let start = 0;
  if (marker !== undefined) {
    const next = Buffer.from(marker, 'base64url').toString('utf8');
    start = roles.findIndex((r) => r.arn === next);
    if (start < 0) throw validation('Invalid Marker.');
  }
  const page = roles.slice(start, start + maxItems(params));
  const following = roles[start + page.length];
  return [
    el('IsTruncated', following ? 'true' : 'false'),
    ...(following ? [el('Marker', Buffer.from(following.arn).toString('base64url'))] : []),
    el(
      'Roles',
      page.map((r) => el('member', roleXml(r))),
    ),
  ];
}

function getRole(model: IamModel, params: Params): XmlNode[] {
  const name = params.get('RoleName');
  if (!name)
    throw validation(
      "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null",
    );
  const role = model.listRoles().find((r) => r.name === name && r.accountId === model.accountId);
  if (!role) throw new StsError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
  return [el('Role', roleXml(role))];
}

function providerNamed(model: IamModel, params: Params): OidcProvider {
  const arn = params.get('OpenIDConnectProviderArn');
  if (!arn)
    throw validation(
      "1 validation error detected: Value null at 'openIDConnectProviderArn' failed to satisfy constraint: Member must not be null",
    );
  const provider = model.findProviderByArn(arn);
  if (!provider) throw new StsError('NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`, 404);
  return provider;
}

/** The resource an action is authorised against, as IAM names it. */
function resourceOf(action: string, model: IamModel, params: Params): string {
  if (action === 'GetRole') return `arn:aws:iam::${model.accountId}:role/${params.get('RoleName') ?? ''}`;
  if (action === 'GetOpenIDConnectProvider') return params.get('OpenIDConnectProviderArn') ?? '*';
  return `arn:aws:iam::${model.accountId}:${action === 'ListRoles' ? 'role/' : 'oidc-provider/'}`;
}

export function handleIamAction(action: string, params: Params, caller: Caller, model: IamModel): XmlNode[] {
  checkIamAccess(caller, model, `iam:${action}`, resourceOf(action, model, params));
  switch (action) {
    case 'ListRoles':
      return listRoles(model, params);
    case 'GetRole':
      return getRole(model, params);
    case 'ListOpenIDConnectProviders':
      return [
        el(
          'OpenIDConnectProviderList',
          model.listProviders().map((p) => el('member', [el('Arn', p.arn)])),
        ),
      ];
    default: {
      const p = providerNamed(model, params);
      return [
        el('Url', p.name),
        el(
          'ClientIDList',
          p.clientIds.map((id) => el('member', id)),
        ),
        el('ThumbprintList', []),
        el('CreateDate', CREATE_DATE),
      ];
    }
  }
}
