// The IAM and Cognito objects the emulated STS/Cognito endpoints consult. Templates and JSON config both feed this
// model; request handlers only read it (apart from Cognito identities, which are created on first sight).
import { type Partition, partitionOfRegion } from '../partitions/partition';
import { PolicyDocumentError, parsePolicy } from '../policy';
import { isLoopbackHost } from '../shared/loopback';
import { EmulatorConfigError } from './errors';
import { roleTagProblem } from './iam/tags';
import { deterministicUniqueId, deterministicUuid } from './identifiers';
import { TRUST_POLICY_QUOTA, trustPolicySize, validateTrustPolicy } from './trust-policy-validation';

export const COGNITO_PROVIDER = 'cognito-identity.amazonaws.com';

export interface OidcProvider {
  arn: string;
  accountId: string;
  /** As registered, with scheme, e.g. `https://token.actions.githubusercontent.com`; equals the tokens' `iss`. */
  url: string;
  /** URL without the scheme: the condition-key prefix and the Cognito `Logins` key. */
  name: string;
  clientIds: string[];
}

export interface Role {
  arn: string;
  accountId: string;
  name: string;
  path: string;
  /** `AROA…` unique id, the first half of `AssumedRoleId`. */
  roleId: string;
  trustPolicy: unknown;
  /** The trust policy as submitted, when it came as JSON text (IAM returns a document as it was written). */
  trustPolicyText?: string;
  maxSessionDuration: number;
  /** Attached managed policies (customer ARNs must name a loaded `ManagedPolicy`; AWS-managed ones are taken as is). */
  managedPolicyArns: string[];
  /** Inline policies by name (`Policies`, `AWS::IAM::Policy`, `AWS::IAM::RolePolicy`). STS does not consult them. */
  inlinePolicies: Record<string, unknown>;
  permissionsBoundary?: string;
  /** IAM tags in declaration order (`Tags` of `AWS::IAM::Role`, `tags` in the JSON config). */
  tags: RoleTag[];
}

/** An IAM tag, spelt as IAM's API spells it. */
export interface RoleTag {
  Key: string;
  Value: string;
}

/** `AWS::IAM::ManagedPolicy`: loaded so templates resolve and attach as in IAM; STS itself does not consult it. */
export interface ManagedPolicy {
  arn: string;
  name: string;
  path: string;
  document: unknown;
}

export interface IdentityPool {
  id: string;
  name: string;
  region: string;
  accountId: string;
  arn: string;
  /** `undefined` means the property was never set (see `EmulatorOptions.unsetAllowsClassicFlow`). */
  allowClassicFlow?: boolean;
  allowUnauthenticatedIdentities: boolean;
  openIdConnectProviderArns: string[];
}

/** `AWS::Cognito::IdentityPoolPrincipalTag`: tag key ← claim name, per (pool, provider). */
export interface PrincipalTagMap {
  identityPoolId: string;
  providerName: string;
  useDefaults: boolean;
  principalTags: Record<string, string>;
}

/** Long-lived keys a caller may sign AssumeRole/GetCallerIdentity with (an IAM user or the account root). */
export interface StaticAccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** `arn:aws:iam::<acct>:user/<name>` or `arn:aws:iam::<acct>:root`. */
  arn: string;
  /** Principal tags (`aws:PrincipalTag/*` in trust policies). */
  tags?: Record<string, string>;
}

/** Default principal-tag mapping for a standard OIDC provider (`UseDefaults: true`). */
export const DEFAULT_PRINCIPAL_TAGS: Readonly<Record<string, string>> = { client: 'aud', username: 'sub' };

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_PATH = /^\/([\x21-\x7e]*\/)?$/;
const ACCOUNT_ID = /^\d{12}$/;

/**
 * Validates an issuer URL and returns its provider name (URL without scheme). Real IAM demands https; plain http is
 * accepted only on loopback so tests can run an issuer without certificates, and nothing else can be spoofed.
 */
export function issuerProviderName(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EmulatorConfigError(`OIDC provider URL '${url}' is not a valid URL`);
  }
  if (url.length > 255) throw new EmulatorConfigError(`OIDC provider URL '${url}' must have length 1-255`);
  if (parsed.search || parsed.hash || /[?#]/.test(url))
    throw new EmulatorConfigError(`OIDC provider URL '${url}' must not have a query or fragment`);
  if (parsed.username || parsed.password)
    throw new EmulatorConfigError(`OIDC provider URL '${url}' must not contain user information`);
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
    throw new EmulatorConfigError(`OIDC provider URL '${url}' must use https (http is allowed only on loopback)`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new EmulatorConfigError(`OIDC provider URL '${url}' must use https`);
  }
  return url.replace(/^https?:\/\//i, '');
}

/** The emulator never fetches the internet: key sources are loopback only (production issuers are mapped there). */
export function isAllowedFetchUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && isLoopbackHost(parsed.hostname);
  } catch {
    return false;
  }
}

/** IAM's limits on a provider's lists (CreateOpenIDConnectProvider, quotas ClientIdsPerOpenIdConnectProvider etc.). */
function checkProviderLists(input: OidcProviderInput): void {
  if (input.clientIds.length > 100) {
    throw new EmulatorConfigError(
      `LimitExceeded: Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100 (provider ${input.url})`,
    );
  }
  const longId = input.clientIds.find((id) => id.length < 1 || id.length > 255);
  if (longId !== undefined) {
    throw new EmulatorConfigError(
      `ValidationError: client id '${longId.slice(0, 40)}' of provider ${input.url} must have length 1-255`,
    );
  }
  const thumbprints = input.thumbprints ?? [];
  if (thumbprints.length > 5) {
    throw new EmulatorConfigError(
      `LimitExceeded: Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: 5 (provider ${input.url})`,
    );
  }
  const bad = thumbprints.find((t) => !/^[0-9A-Fa-f]{40}$/.test(t));
  if (bad !== undefined) {
    throw new EmulatorConfigError(
      `ValidationError: thumbprint '${bad}' of provider ${input.url} must be 40 hex digits (the SHA-1 of the certificate)`,
    );
  }
}

export interface OidcProviderInput {
  url: string;
  clientIds: string[];
  thumbprints?: string[];
  accountId?: string;
}

export interface RoleInput {
  name: string;
  path?: string;
  accountId?: string;
  /** The trust policy, as an object or JSON text. */
  assumeRolePolicyDocument: unknown;
  maxSessionDuration?: number;
  /** Where the role was declared (e.g. `template.yaml: DeployRole`), for load errors. */
  location?: string;
  managedPolicyArns?: string[];
  inlinePolicies?: Record<string, unknown>;
  permissionsBoundary?: string;
  tags?: RoleTag[];
}

export interface ManagedPolicyInput {
  name: string;
  path?: string;
  document: unknown;
}

export interface IdentityPoolInput {
  /** Explicit `<region>:<uuid>`; when absent it is derived from `seed` (or the name) so reruns give the same id. */
  id?: string;
  seed?: string;
  name: string;
  allowClassicFlow?: boolean;
  allowUnauthenticatedIdentities?: boolean;
  openIdConnectProviderArns?: string[];
  accountId?: string;
}

/** The objects of every account, shared by all account views of one model (see `IamModel.inAccount`). */
class ModelStore {
  readonly providers = new Map<string, OidcProvider>();
  readonly roles = new Map<string, Role>();
  readonly pools = new Map<string, IdentityPool>();
  readonly principalTagMaps = new Map<string, PrincipalTagMap>();
  readonly managedPolicies = new Map<string, ManagedPolicy>();
  readonly accessKeys = new Map<string, StaticAccessKey>();
  onTrustPolicyProblem?: (roleName: string, error: EmulatorConfigError) => void;
}

/**
 * The emulated IAM and Cognito objects of one or more accounts. `accountId` is the account this view creates
 * objects in and resolves role names against (as IAM's API acts on the caller's account); `inAccount` gives a view
 * of another account over the same objects, so several accounts live side by side in one emulator.
 */
export class IamModel {
  readonly accountId: string;
  readonly region: string;
  /** The region's partition: every ARN the model makes or accepts is of it, as in one AWS partition. */
  readonly partition: Partition;
  /** Replaced only by `inAccount`, which shares it between views. */
  private store: ModelStore;

  constructor(accountId: string, region: string) {
    if (!ACCOUNT_ID.test(accountId)) throw new EmulatorConfigError(`account id '${accountId}' must be 12 digits`);
    this.accountId = accountId;
    this.region = region;
    this.partition = partitionOfRegion(region);
    this.store = new ModelStore();
  }

  /** A view of the same objects acting in another account (same region and partition). */
  inAccount(accountId: string): IamModel {
    if (accountId === this.accountId) return this;
    const view = new IamModel(accountId, this.region);
    view.store = this.store;
    return view;
  }

  /**
   * When set, a trust policy IAM would refuse is reported here and the role is still loaded (the doctor lints such
   * roles instead of stopping at the first); the emulator leaves it unset and refuses the role as IAM does.
   */
  get onTrustPolicyProblem(): ((roleName: string, error: EmulatorConfigError) => void) | undefined {
    return this.store.onTrustPolicyProblem;
  }

  set onTrustPolicyProblem(hook: ((roleName: string, error: EmulatorConfigError) => void) | undefined) {
    this.store.onTrustPolicyProblem = hook;
  }

  private get providers(): Map<string, OidcProvider> {
    return this.store.providers;
  }

  private get roles(): Map<string, Role> {
    return this.store.roles;
  }

  private get pools(): Map<string, IdentityPool> {
    return this.store.pools;
  }

  private get principalTagMaps(): Map<string, PrincipalTagMap> {
    return this.store.principalTagMaps;
  }

  private get managedPolicies(): Map<string, ManagedPolicy> {
    return this.store.managedPolicies;
  }

  private get accessKeys(): Map<string, StaticAccessKey> {
    return this.store.accessKeys;
  }

  /** `providerName` is the URL without its scheme, as `issuerProviderName` returns it. */
  static oidcProviderArn(accountId: string, providerName: string, partition: string): string {
    return `arn:${partition}:iam::${accountId}:oidc-provider/${providerName}`;
  }

  static roleArn(accountId: string, path: string, name: string, partition: string): string {
    return `arn:${partition}:iam::${accountId}:role${path}${name}`;
  }

  static policyArn(accountId: string, path: string, name: string, partition: string): string {
    return `arn:${partition}:iam::${accountId}:policy${path}${name}`;
  }

  /** The role's `AROA…` unique id (`RoleId`), stable for a given ARN. */
  static roleId(roleArn: string): string {
    return deterministicUniqueId('AROA', roleArn);
  }

  /**
   * Registers a provider as IAM's CreateOpenIDConnectProvider does: one provider per URL per account
   * (`EntityAlreadyExists`), at most 100 client ids of 1-255 characters and 5 thumbprints of 40 hex digits.
   */
  addOidcProvider(input: OidcProviderInput): OidcProvider {
    const accountId = input.accountId ?? this.accountId;
    const name = issuerProviderName(input.url);
    checkProviderLists(input);
    const arn = IamModel.oidcProviderArn(accountId, name, this.partition.name);
    if (this.providers.has(arn)) {
      throw new EmulatorConfigError(
        `EntityAlreadyExists: Provider with url ${input.url} already exists. (an account holds one provider per URL: declare it once and pass its ARN to the other templates)`,
      );
    }
    const provider: OidcProvider = { arn, accountId, url: input.url, name, clientIds: [...input.clientIds] };
    this.providers.set(arn, provider);
    return provider;
  }

  addRole(input: RoleInput): Role {
    const accountId = input.accountId ?? this.accountId;
    const path = input.path ?? '/';
    if (!ROLE_NAME.test(input.name))
      throw new EmulatorConfigError(`role name '${input.name}' must match [\\w+=,.@-]{1,64}`);
    if (!ROLE_PATH.test(path)) throw new EmulatorConfigError(`role path '${path}' must start and end with '/'`);
    const maxSessionDuration = input.maxSessionDuration ?? 3600;
    if (!Number.isInteger(maxSessionDuration) || maxSessionDuration < 3600 || maxSessionDuration > 43200) {
      throw new EmulatorConfigError(`role ${input.name}: MaxSessionDuration must be an integer in 3600-43200`);
    }
    // Where IAM's own refusals of trust policies are checked when a role is created or loaded.
    const trustPolicy = parsePolicyDocument(input.assumeRolePolicyDocument, `role ${input.name}`);
    try {
      validateTrustPolicy(trustPolicy, input.location ?? `role ${input.name}`);
      checkTrustPolicySize(input.assumeRolePolicyDocument, input.location ?? `role ${input.name}`);
    } catch (error) {
      if (!(error instanceof EmulatorConfigError) || !this.onTrustPolicyProblem) throw error;
      this.onTrustPolicyProblem(input.name, error);
    }
    const tags = input.tags ?? [];
    const tagProblem = roleTagProblem(tags);
    if (tagProblem) throw new EmulatorConfigError(`role ${input.name}: Tags: ${tagProblem}`);
    const arn = IamModel.roleArn(accountId, path, input.name, this.partition.name);
    if (this.roles.has(arn)) throw new EmulatorConfigError(`role ${arn} is declared twice`);
    // IAM names are unique in an account whatever their case or path (CreateRole: EntityAlreadyExists).
    const clash = [...this.roles.values()].find(
      (r) => r.accountId === accountId && r.name.toLowerCase() === input.name.toLowerCase(),
    );
    if (clash) {
      throw new EmulatorConfigError(
        `EntityAlreadyExists: Role with name ${input.name} already exists. (${clash.arn}: role names are unique in an account, ignoring case and path)`,
      );
    }
    const role: Role = {
      arn,
      accountId,
      name: input.name,
      path,
      roleId: IamModel.roleId(arn),
      trustPolicy,
      trustPolicyText: typeof input.assumeRolePolicyDocument === 'string' ? input.assumeRolePolicyDocument : undefined,
      maxSessionDuration,
      managedPolicyArns: [],
      inlinePolicies: {},
      permissionsBoundary: input.permissionsBoundary,
      tags: tags.map((t) => ({ Key: t.Key, Value: t.Value })),
    };
    this.roles.set(arn, role);
    const home = this.inAccount(accountId);
    for (const policyArn of input.managedPolicyArns ?? []) home.attachRolePolicy(input.name, policyArn);
    for (const [policyName, document] of Object.entries(input.inlinePolicies ?? {})) {
      home.putRolePolicy(input.name, policyName, document);
    }
    return role;
  }

  addManagedPolicy(input: ManagedPolicyInput): ManagedPolicy {
    const path = input.path ?? '/';
    if (!/^[\w+=,.@-]{1,128}$/.test(input.name)) {
      throw new EmulatorConfigError(`managed policy name '${input.name}' must match [\\w+=,.@-]{1,128}`);
    }
    if (!ROLE_PATH.test(path)) throw new EmulatorConfigError(`policy path '${path}' must start and end with '/'`);
    const arn = IamModel.policyArn(this.accountId, path, input.name, this.partition.name);
    if (this.managedPolicies.has(arn)) {
      throw new EmulatorConfigError(
        `EntityAlreadyExists: A policy called ${input.name} already exists. Duplicate names are not allowed.`,
      );
    }
    const policy = {
      arn,
      name: input.name,
      path,
      document: parsePermissionsPolicy(input.document, `policy ${input.name}`),
    };
    this.managedPolicies.set(arn, policy);
    return policy;
  }

  /** AttachRolePolicy: the role must exist, and a customer-managed policy of this account too. */
  attachRolePolicy(roleName: string, policyArn: string): void {
    const role = this.roleNamed(roleName);
    const partition = this.partition.name;
    const local = policyArn.startsWith(`arn:${partition}:iam::${role.accountId}:policy/`);
    const wellFormed =
      policyArn.startsWith(`arn:${partition}:iam::`) && /^arn:[\w-]+:iam::(aws|\d{12}):policy\/./.test(policyArn);
    if (!wellFormed || (local && !this.managedPolicies.has(policyArn))) {
      throw new EmulatorConfigError(`NoSuchEntity: Policy ${policyArn} does not exist or is not attachable.`);
    }
    if (!role.managedPolicyArns.includes(policyArn)) role.managedPolicyArns.push(policyArn);
  }

  /** PutRolePolicy: an inline policy; a second one of the same name replaces the first, as in IAM. */
  putRolePolicy(roleName: string, policyName: string, document: unknown): void {
    if (!/^[\w+=,.@-]{1,128}$/.test(policyName)) {
      throw new EmulatorConfigError(`policy name '${policyName}' must match [\\w+=,.@-]{1,128}`);
    }
    this.roleNamed(roleName).inlinePolicies[policyName] = parsePermissionsPolicy(document, `policy ${policyName}`);
  }

  private roleNamed(roleName: string): Role {
    const role = this.findRoleNamed(roleName);
    if (!role) throw new EmulatorConfigError(`NoSuchEntity: The role with name ${roleName} cannot be found.`);
    return role;
  }

  findManagedPolicy(arn: string): ManagedPolicy | undefined {
    return this.managedPolicies.get(arn);
  }

  addIdentityPool(input: IdentityPoolInput): IdentityPool {
    const accountId = input.accountId ?? this.accountId;
    const id =
      input.id ?? `${this.region}:${deterministicUuid(`identity-pool/${accountId}/${input.seed ?? input.name}`)}`;
    if (!/^[\w-]+:[0-9a-f-]+$/.test(id) || id.length > 55) {
      throw new EmulatorConfigError(`identity pool id '${id}' must look like <region>:<uuid>`);
    }
    if (this.pools.has(id)) throw new EmulatorConfigError(`identity pool ${id} is declared twice`);
    const region = id.slice(0, id.indexOf(':'));
    const pool: IdentityPool = {
      id,
      name: input.name,
      region,
      accountId,
      arn: `arn:${this.partition.name}:cognito-identity:${region}:${accountId}:identitypool/${id}`,
      allowClassicFlow: input.allowClassicFlow,
      allowUnauthenticatedIdentities: input.allowUnauthenticatedIdentities ?? false,
      openIdConnectProviderArns: [...(input.openIdConnectProviderArns ?? [])],
    };
    this.pools.set(id, pool);
    return pool;
  }

  /**
   * Stores a pool's tag map. Cognito takes the provider by name (`token.actions.githubusercontent.com`) or, as
   * CloudFormation and Terraform deployments write it, by the IAM provider ARN; both are stored under the name, and
   * a name that is not one of the pool's OIDC providers is refused rather than silently mapping nothing.
   */
  setPrincipalTagMap(map: PrincipalTagMap): void {
    const pool = this.pools.get(map.identityPoolId);
    if (!pool) {
      throw new EmulatorConfigError(`principal tag map refers to unknown identity pool ${map.identityPoolId}`);
    }
    const provider = pool.openIdConnectProviderArns
      .map((arn) => this.providers.get(arn))
      .find((p) => p !== undefined && (p.arn === map.providerName || p.name === map.providerName));
    if (!provider) {
      const names = pool.openIdConnectProviderArns.join(', ') || 'none';
      throw new EmulatorConfigError(
        `principal tag map names provider '${map.providerName}', which is not an OIDC provider of identity pool ${pool.id} (its providers: ${names}); use the provider ARN or its URL without https://`,
      );
    }
    if (map.providerName.length > 128) {
      throw new EmulatorConfigError('IdentityProviderName must have length less than or equal to 128');
    }
    const entries = Object.entries(map.principalTags);
    if (entries.length > 50) throw new EmulatorConfigError('a principal tag map holds at most 50 tags');
    for (const [tag, claim] of entries) {
      if (tag.length < 1 || tag.length > 128 || typeof claim !== 'string' || claim.length < 1 || claim.length > 256) {
        throw new EmulatorConfigError(
          `principal tag '${tag}' must map a 1-128 char tag key to a 1-256 char claim name`,
        );
      }
    }
    this.principalTagMaps.set(`${map.identityPoolId}|${provider.name}`, { ...map, providerName: provider.name });
  }

  addAccessKey(key: StaticAccessKey): void {
    if (!/^[\w]{16,128}$/.test(key.accessKeyId))
      throw new EmulatorConfigError(`access key id '${key.accessKeyId}' is malformed`);
    if (
      !key.arn.startsWith(`arn:${this.partition.name}:`) ||
      !/^arn:[\w-]+:iam::\d{12}:(root|user\/.+)$/.test(key.arn)
    ) {
      throw new EmulatorConfigError(
        `access key ${key.accessKeyId}: arn must be an IAM user ARN or account root of partition ${this.partition.name}`,
      );
    }
    this.accessKeys.set(key.accessKeyId, { ...key });
  }

  /** The provider whose URL equals `iss` in the given account (exact, case-sensitive, as STS compares). */
  findProviderByIssuer(accountId: string, issuer: string): OidcProvider | undefined {
    for (const provider of this.providers.values()) {
      if (provider.accountId === accountId && provider.url === issuer) return provider;
    }
    return undefined;
  }

  findProviderByArn(arn: string): OidcProvider | undefined {
    return this.providers.get(arn);
  }

  findRole(arn: string): Role | undefined {
    return this.roles.get(arn);
  }

  /** The role of this view's account with this name (a role name is unique in its account, whatever the path). */
  findRoleNamed(name: string): Role | undefined {
    return [...this.roles.values()].find((r) => r.name === name && r.accountId === this.accountId);
  }

  findIdentityPool(id: string): IdentityPool | undefined {
    return this.pools.get(id);
  }

  findPrincipalTagMap(poolId: string, providerName: string): PrincipalTagMap | undefined {
    return this.principalTagMaps.get(`${poolId}|${providerName}`);
  }

  findAccessKey(accessKeyId: string): StaticAccessKey | undefined {
    return this.accessKeys.get(accessKeyId);
  }

  listProviders(): OidcProvider[] {
    return [...this.providers.values()];
  }

  listManagedPolicies(): ManagedPolicy[] {
    return [...this.managedPolicies.values()];
  }

  listRoles(): Role[] {
    return [...this.roles.values()];
  }

  listIdentityPools(): IdentityPool[] {
    return [...this.pools.values()];
  }
}

/**
 * CreateRole's quota ACLSizePerRole: the document's characters without white space (a template's object is counted
 * as the JSON CloudFormation sends).
 */
function checkTrustPolicySize(document: unknown, location: string): void {
  const size = trustPolicySize(typeof document === 'string' ? document : JSON.stringify(document));
  if (size > TRUST_POLICY_QUOTA) {
    throw new EmulatorConfigError(
      `${location}: LimitExceeded: Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA} (the trust policy has ${size} characters without white space)`,
    );
  }
}

/**
 * Trust policies arrive as objects (YAML/JSON templates) or JSON text (config, IAM API style). What IAM refuses in
 * a trust policy (NotPrincipal, wildcard principals, shared providers without `sub`, …) is checked by
 * validateTrustPolicy from the one policy engine; this only reads the text.
 */
export function parsePolicyDocument(document: unknown, owner: string): unknown {
  let parsed = document;
  if (typeof document === 'string') {
    try {
      parsed = JSON.parse(document);
    } catch {
      throw new EmulatorConfigError(`${owner}: the policy document is not valid JSON`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed)) {
    throw new EmulatorConfigError(`${owner}: the policy document needs a Statement`);
  }
  return parsed;
}

/** An identity-based (permissions) policy: JSON text or an object with a Statement, as IAM's MalformedPolicyDocument. */
export function parsePermissionsPolicy(document: unknown, owner: string): unknown {
  let parsed = document;
  if (typeof document === 'string') {
    try {
      parsed = JSON.parse(document);
    } catch {
      throw new EmulatorConfigError(`${owner}: MalformedPolicyDocument: the policy document is not valid JSON`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('Statement' in parsed)) {
    throw new EmulatorConfigError(`${owner}: MalformedPolicyDocument: the policy document needs a Statement`);
  }
  // IAM checks the grammar when the policy is created; the emulator's IAM access rule judges it later.
  try {
    parsePolicy(parsed);
  } catch (error) {
    if (!(error instanceof PolicyDocumentError)) throw error;
    throw new EmulatorConfigError(`${owner}: MalformedPolicyDocument: ${error.message}`);
  }
  return parsed;
}
