// The IAM read API the doctor, the audience automation and the AWS CLI use against the emulator: ListRoles
// (Marker/MaxItems/PathPrefix), GetRole (with Tags), ListRoleTags, ListOpenIDConnectProviders,
// GetOpenIDConnectProvider. Each acts on the account the caller's model view is for (iam/api.ts picks the caller's
// account, as IAM does); trust policies are returned URL-encoded, as IAM returns them.
import { StsError } from '../errors';
import type { IamModel, OidcProvider, Role, RoleTag } from '../iam-model';
import { el, type XmlNode } from '../xml';
import { ARN, maxItems, type Params, ROLE_NAME, requiredString } from './params';

/** Every object was "created" at the emulator's epoch: stable output for reruns. */
const CREATE_DATE = '2024-01-01T00:00:00Z';

function tagsXml(tags: readonly RoleTag[]): XmlNode {
  return el(
    'Tags',
    tags.map((t) => el('member', [el('Key', t.Key), el('Value', t.Value)])),
  );
}

/** A role as ListRoles lists it; GetRole adds its tags (ListRoles does not return them, as in IAM). */
function roleXml(role: Role, withTags = false): XmlNode[] {
  return [
    el('Path', role.path),
    el('RoleName', role.name),
    el('RoleId', role.roleId),
    el('Arn', role.arn),
    el('CreateDate', CREATE_DATE),
    el('AssumeRolePolicyDocument', encodeURIComponent(role.trustPolicyText ?? JSON.stringify(role.trustPolicy))),
    el('MaxSessionDuration', role.maxSessionDuration),
    ...(withTags && role.tags.length > 0 ? [tagsXml(role.tags)] : []),
  ];
}

/** One page of `items` from the opaque `Marker` (the base64url key of the page's first item), and its XML. */
function page<T>(items: T[], key: (item: T) => string, params: Params): { items: T[]; nodes: XmlNode[] } {
  const marker = params.get('Marker');
  let start = 0;
  if (marker !== undefined) {
    const next = Buffer.from(marker, 'base64url').toString('utf8');
    start = items.findIndex((item) => key(item) === next);
    if (start < 0) throw new StsError('ValidationError', 'Invalid Marker.');
  }
  const slice = items.slice(start, start + maxItems(params));
  const following = items[start + slice.length];
  const nodes = [el('IsTruncated', following === undefined ? 'false' : 'true')];
  if (following !== undefined) nodes.push(el('Marker', Buffer.from(key(following)).toString('base64url')));
  return { items: slice, nodes };
}

function listRoles(account: IamModel, params: Params): XmlNode[] {
  const prefix = params.get('PathPrefix') ?? '/';
  const roles = account
    .listRoles()
    .filter((r) => r.accountId === account.accountId && r.path.startsWith(prefix))
    .sort((a, b) => a.arn.localeCompare(b.arn));
  const { items, nodes } = page(roles, (r) => r.arn, params);
  return [
    ...nodes,
    el(
      'Roles',
      items.map((r) => el('member', roleXml(r))),
    ),
  ];
}

/** The role named by `RoleName` in the caller's account, or IAM's NoSuchEntity. */
export function namedRole(account: IamModel, params: Params): Role {
  const name = requiredString(params, 'RoleName', 'roleName', ROLE_NAME);
  const role = account.findRoleNamed(name);
  if (!role) throw new StsError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
  return role;
}

/** ListRoleTags: the role's tags in declaration order, paginated like IAM's other lists. */
function listRoleTags(account: IamModel, params: Params): XmlNode[] {
  const role = namedRole(account, params);
  const { items, nodes } = page(role.tags, (t) => t.Key, params);
  return [tagsXml(items), ...nodes];
}

/**
 * The provider named by `OpenIDConnectProviderArn` in the caller's account. A well-formed ARN of a provider the
 * account does not hold (another account's included: IAM has no cross-account provider access) is NoSuchEntity.
 */
export function namedProvider(account: IamModel, params: Params): OidcProvider {
  const arn = requiredString(params, 'OpenIDConnectProviderArn', 'openIDConnectProviderArn', ARN);
  if (!/^arn:[\w-]+:iam::\d{12}:oidc-provider\/./.test(arn)) {
    throw new StsError('InvalidInput', `ARN ${arn} is not valid.`);
  }
  const provider = account.findProviderByArn(arn);
  if (!provider || provider.accountId !== account.accountId) {
    throw new StsError('NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`, 404);
  }
  return provider;
}

function getProvider(account: IamModel, params: Params): XmlNode[] {
  const p = namedProvider(account, params);
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

export const READ_ACTIONS: Readonly<Record<string, (account: IamModel, params: Params) => XmlNode[]>> = {
  ListRoles: listRoles,
  GetRole: (account, params) => [el('Role', roleXml(namedRole(account, params), true))],
  ListRoleTags: listRoleTags,
  ListOpenIDConnectProviders: (account) => [
    el(
      'OpenIDConnectProviderList',
      account
        .listProviders()
        .filter((p) => p.accountId === account.accountId)
        .map((p) => el('member', [el('Arn', p.arn)])),
    ),
  ],
  GetOpenIDConnectProvider: getProvider,
};
