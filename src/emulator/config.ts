// The JSON `--config` file / programmatic `config` option: the same IAM and Cognito objects a template declares,
// written directly, plus static access keys for signing AssumeRole and GetCallerIdentity.
import { EmulatorConfigError } from './errors';
import type { IamModel, IdentityPoolInput, OidcProviderInput, RoleInput, StaticAccessKey } from './iam-model';

/**
 * Shape of `--config <file>` (all fields optional):
 * ```json
 * {
 *   "accountId": "123456789012", "region": "us-east-1",
 *   "issuers": { "https://token.actions.githubusercontent.com": "http://127.0.0.1:8080" },
 *   "unsetAllowsClassicFlow": false,
 *   "oidcProviders": [{ "url": "https://token.actions.githubusercontent.com", "clientIds": ["sts.amazonaws.com"] }],
 *   "roles": [{ "name": "deploy", "path": "/ci/", "maxSessionDuration": 3600, "accountId": "210987654321",
 *               "tags": [{ "Key": "audience", "Value": "sts.amazonaws.com" }],
 *               "assumeRolePolicyDocument": { "Version": "2012-10-17", "Statement": [ … ] } }],
 *   "identityPools": [{ "name": "ci", "allowClassicFlow": true,
 *                       "openIdConnectProviderArns": ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"],
 *                       "principalTags": [{ "providerName": "token.actions.githubusercontent.com",
 *                                           "principalTags": { "repository": "repository" } }] }],
 *   "accessKeys": [{ "accessKeyId": "AKIAEXAMPLEKEY000001", "secretAccessKey": "…",
 *                    "arn": "arn:aws:iam::123456789012:user/ci", "tags": { "team": "build" } }]
 * }
 * ```
 */
export interface EmulatorConfig {
  accountId?: string;
  region?: string;
  /** Emulates pools created without any AllowClassicFlow value allowing GetOpenIdToken (observed in aws-cli#7652). */
  unsetAllowsClassicFlow?: boolean;
  /** Production issuer URL → loopback URL serving its discovery document and JWKS (same as `--issuer`). */
  issuers?: Record<string, string>;
  oidcProviders?: OidcProviderInput[];
  roles?: RoleInput[];
  identityPools?: IdentityPoolConfig[];
  accessKeys?: StaticAccessKey[];
}

export interface IdentityPoolConfig extends IdentityPoolInput {
  principalTags?: Array<{ providerName: string; useDefaults?: boolean; principalTags?: Record<string, string> }>;
}

function fail(path: string, expected: string): never {
  throw new EmulatorConfigError(`config: ${path} must be ${expected}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkArray(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(path, 'an array');
  return value;
}

function checkString(value: unknown, path: string, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || value === '') fail(path, 'a non-empty string');
}

function checkStringMap(value: unknown, path: string): void {
  if (value === undefined) return;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) fail(path, 'an object of strings');
}

/** Structural validation of parsed JSON; semantic checks (URL rules, name patterns) happen in the model. */
export function parseEmulatorConfig(value: unknown): EmulatorConfig {
  if (!isObject(value)) fail('the top level', 'a JSON object');
  checkString(value.accountId, 'accountId', true);
  checkString(value.region, 'region', true);
  if (value.unsetAllowsClassicFlow !== undefined && typeof value.unsetAllowsClassicFlow !== 'boolean') {
    fail('unsetAllowsClassicFlow', 'a boolean');
  }
  checkStringMap(value.issuers, 'issuers');
  checkArray(value.oidcProviders, 'oidcProviders').forEach((p, i) => {
    if (!isObject(p)) fail(`oidcProviders[${i}]`, 'an object');
    checkString(p.url, `oidcProviders[${i}].url`);
    checkArray(p.thumbprints, `oidcProviders[${i}].thumbprints`).forEach((t, j) => {
      checkString(t, `oidcProviders[${i}].thumbprints[${j}]`);
    });
    const ids = checkArray(p.clientIds, `oidcProviders[${i}].clientIds`);
    if (ids.length === 0 || ids.some((id) => typeof id !== 'string'))
      fail(`oidcProviders[${i}].clientIds`, 'a non-empty array of strings');
  });
  checkArray(value.roles, 'roles').forEach((r, i) => {
    if (!isObject(r)) fail(`roles[${i}]`, 'an object');
    checkString(r.name, `roles[${i}].name`);
    checkString(r.path, `roles[${i}].path`, true);
    if (r.assumeRolePolicyDocument === undefined) fail(`roles[${i}].assumeRolePolicyDocument`, 'present');
    if (r.maxSessionDuration !== undefined && typeof r.maxSessionDuration !== 'number')
      fail(`roles[${i}].maxSessionDuration`, 'a number');
    checkString(r.accountId, `roles[${i}].accountId`, true);
    checkArray(r.tags, `roles[${i}].tags`).forEach((t, j) => {
      if (!isObject(t) || typeof t.Key !== 'string' || typeof t.Value !== 'string')
        fail(`roles[${i}].tags[${j}]`, 'an object {"Key": "…", "Value": "…"}');
    });
  });
  checkArray(value.identityPools, 'identityPools').forEach((p, i) => {
    if (!isObject(p)) fail(`identityPools[${i}]`, 'an object');
    checkString(p.name, `identityPools[${i}].name`);
    checkString(p.id, `identityPools[${i}].id`, true);
    for (const flag of ['allowClassicFlow', 'allowUnauthenticatedIdentities']) {
      if (p[flag] !== undefined && typeof p[flag] !== 'boolean') fail(`identityPools[${i}].${flag}`, 'a boolean');
    }
    checkArray(p.openIdConnectProviderArns, `identityPools[${i}].openIdConnectProviderArns`).forEach((a, j) => {
      checkString(a, `identityPools[${i}].openIdConnectProviderArns[${j}]`);
    });
    checkArray(p.principalTags, `identityPools[${i}].principalTags`).forEach((m, j) => {
      if (!isObject(m)) fail(`identityPools[${i}].principalTags[${j}]`, 'an object');
      // The provider's name (`token.actions.githubusercontent.com`) or its IAM ARN, as Cognito accepts either.
      checkString(m.providerName, `identityPools[${i}].principalTags[${j}].providerName`);
      checkStringMap(m.principalTags, `identityPools[${i}].principalTags[${j}].principalTags`);
    });
  });
  checkArray(value.accessKeys, 'accessKeys').forEach((k, i) => {
    if (!isObject(k)) fail(`accessKeys[${i}]`, 'an object');
    for (const field of ['accessKeyId', 'secretAccessKey', 'arn']) checkString(k[field], `accessKeys[${i}].${field}`);
    checkStringMap(k.tags, `accessKeys[${i}].tags`);
  });
  return value as EmulatorConfig;
}

/** Adds the config's objects to the model; returns name → physical id for the start-up ids line. */
export function applyConfig(model: IamModel, config: EmulatorConfig): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const [i, provider] of (config.oidcProviders ?? []).entries()) {
    const added = withOwner(`config: oidcProviders[${i}]`, () => model.addOidcProvider(provider));
    ids[added.name] = added.arn;
  }
  for (const role of config.roles ?? []) ids[role.name] = model.addRole(role).arn;
  for (const pool of config.identityPools ?? []) {
    const added = model.addIdentityPool(pool);
    ids[pool.name] = added.id;
    for (const [j, map] of (pool.principalTags ?? []).entries()) {
      withOwner(`config: identityPools[${pool.name}].principalTags[${j}]`, () =>
        model.setPrincipalTagMap({
          identityPoolId: added.id,
          providerName: map.providerName,
          useDefaults: map.useDefaults ?? false,
          principalTags: map.principalTags ?? {},
        }),
      );
    }
  }
  for (const key of config.accessKeys ?? []) model.addAccessKey(key);
  return ids;
}

/** Prefixes a model refusal with the config entry it came from. */
function withOwner<T>(owner: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof EmulatorConfigError) throw new EmulatorConfigError(`${owner}: ${error.message}`);
    throw error;
  }
}
