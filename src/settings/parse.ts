import { homedir as osHomedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError, KeylessError } from '../errors';
import { GITHUB_TAG_KEYS, githubSessionTags, parseCustomTags } from '../exchange/session-tags';
import { checkProxyUrl } from '../net/proxy-url';
import { defaultStsAudience, partitionOfRegion } from '../partitions/partition';
import { maskAccountIds, registerSecret, shownValue } from '../secrets';
import { defaultSessionName, detectCi } from './ci-context';
import { endpointUrl } from './endpoint-url';
import { type ExchangeRoute, readExchangeRoute } from './exchange-route';
import { checkPartition } from './partition';
import { parseProfiles } from './profiles';
import { diagnoseRoleArn } from './role-arn-hint';
import { resolveTokenSource } from './token-source';
import type {
  CiContext,
  CognitoSettings,
  CredentialSource,
  ProfileRole,
  Settings,
  StaticKeys,
  TokenSourceSpec,
} from './types';
import { SettingsReader, type SettingsSource } from './values';

/** In the aws partition; `defaultAudience` gives every partition's. */
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';
export const COGNITO_AUDIENCE = 'cognito-identity.amazonaws.com';
export const DEFAULT_TIMEOUT_SECONDS = 300;
export const REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_NETWORK_TIMEOUT_SECONDS = 30;

const REGION = /^[a-z0-9-]+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const ROLE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ACCOUNT_ID = /^\d{12}$/;
const POLICY_ARN = /^arn:aws[a-z-]*:iam::(?:\d{12}|aws):policy\/.+$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const PROFILE_NAME = /^[\w.+@:-]+$/;

/**
 * The CI token's audience: the setting, else the Cognito convention (the pool's provider lists it as client id), else
 * the STS audience of the region's partition (sts.amazonaws.com.cn in China).
 */
function defaultAudience(read: SettingsReader, cognito: boolean, region: string | undefined): string {
  const given = read.string('audience');
  if (given !== undefined) return given;
  if (cognito) return COGNITO_AUDIENCE;
  return region === undefined ? DEFAULT_AUDIENCE : defaultStsAudience(partitionOfRegion(region));
}

function environmentKeys(env: SettingsSource['env']): StaticKeys | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env.AWS_SESSION_TOKEN?.trim() || undefined;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

function parseProxy(read: SettingsReader): { url: string; noProxy: string[] } | undefined {
  const env = read.source.env;
  const given = read.string('http-proxy');
  const variable = given === undefined ? PROXY_VARIABLES.find((n) => env[n]?.trim()) : undefined;
  const url = given ?? (variable ? env[variable]?.trim() : undefined);
  if (url === undefined) return undefined;
  const parsed = checkProxyUrl(url, variable ?? read.label('http-proxy'));
  if (read.source.mode === 'cli' && (parsed.username || parsed.password) && read.source.explicit('http-proxy')) {
    throw new InputError(
      `--http-proxy must not carry credentials: argv is visible to other processes and in sh -x traces.`,
      'Put the proxy URL with its credentials in HTTPS_PROXY instead.',
    );
  }
  const noProxy = (read.string('no-proxy') ?? env.NO_PROXY ?? env.no_proxy ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return { url, noProxy };
}

/** Settings keep the route as its identity pool: present exactly in the Cognito flow. */
function poolOf(route: ExchangeRoute): CognitoSettings | undefined {
  return route.kind === 'cognito' ? route.pool : undefined;
}

const CREDENTIAL_SOURCE_WORDS: Record<CredentialSource['kind'], string> = {
  'web-identity': 'web identity (a CI ID token for STS AssumeRoleWithWebIdentity)',
  'access-keys': 'the access keys given, which sign STS AssumeRole',
  'role-chaining': "role chaining: the environment's AWS_ACCESS_KEY_ID signs STS AssumeRole",
  ambient: "this machine's own AWS credentials (the SDK's default chain) sign STS AssumeRole; no CI ID token",
};

function credentialSource(
  read: SettingsReader,
  roleToAssume: string | undefined,
  cognito: CognitoSettings | undefined,
  fileBase: string,
  /** use-existing-credentials with keys in the environment: needs neither a token nor a role if they are valid. */
  keepsExisting: boolean,
): CredentialSource {
  const accessKeyId = read.source.mode === 'action' ? read.string('aws-access-key-id') : undefined;
  const secretAccessKey = read.source.mode === 'action' ? read.string('aws-secret-access-key') : undefined;
  const sessionToken = read.source.mode === 'action' ? read.string('aws-session-token') : undefined;
  const roleChaining = read.boolean('role-chaining', false);
  const forceSkipOidc = read.boolean('force-skip-oidc', false);
  const explicitSource =
    read.string('token-source') !== undefined || read.string('web-identity-token-file') !== undefined;

  if (accessKeyId || secretAccessKey) {
    if (!accessKeyId || !secretAccessKey) {
      throw new InputError(
        `${read.label('aws-access-key-id')} and ${read.label('aws-secret-access-key')} must be given together.`,
      );
    }
    if (cognito) throw new InputError('The Cognito flow starts from an OIDC token; remove the access keys.');
    return { kind: 'access-keys', keys: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } };
  }
  if (roleChaining) {
    const keys = environmentKeys(read.source.env);
    if (!keys) {
      throw new InputError(
        `${read.label('role-chaining')} needs credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), usually exported by an earlier step.`,
      );
    }
    if (cognito) throw new InputError('The Cognito flow cannot be combined with role-chaining.');
    return { kind: 'role-chaining', keys };
  }
  if (forceSkipOidc && !explicitSource) {
    if (cognito) throw new InputError('The Cognito flow needs an OIDC token; remove force-skip-oidc.');
    return { kind: 'ambient' };
  }
  try {
    return { kind: 'web-identity', token: resolveTokenSource(read, fileBase) };
  } catch (error) {
    // The action, like configure-aws-credentials, falls back to the runner's own credentials (self-hosted runners);
    // the CLI and the Cognito flow need a token and say which ones they looked for.
    const canFallBack =
      read.source.mode === 'action' && !cognito && !explicitSource && (roleToAssume !== undefined || keepsExisting);
    if (canFallBack && error instanceof KeylessError && error.code === 'NoToken') return { kind: 'ambient' };
    throw error;
  }
}

/** What is wrong with a mistyped role ARN, and the ARN to use where it can be derived; never for a hidden value. */
function roleArnHint(role: string, label: string): string | undefined {
  if (!shownValue(role).startsWith('"')) return undefined;
  const { problems, corrected } = diagnoseRoleArn(role);
  if (problems.length === 0) return undefined;
  const fix = corrected && ROLE_ARN.test(corrected) ? ` Set ${label} to ${corrected}` : '';
  return `${problems.join('; ').replace(/^./, (c) => c.toUpperCase())}.${fix}${fix ? '.' : ''}`;
}

function parseRole(read: SettingsReader, source: CredentialSource): string | undefined {
  const role = read.string('role-to-assume');
  if (role === undefined) return undefined;
  if (ROLE_ARN.test(role)) return role;
  if (!ROLE_NAME.test(role)) {
    throw new InputError(
      `${read.label('role-to-assume')} must be a role ARN like arn:aws:iam::123456789012:role/deploy, got ${shownValue(role)}.`,
      roleArnHint(role, read.label('role-to-assume')),
    );
  }
  if (source.kind === 'web-identity') {
    throw new InputError(
      `${read.label('role-to-assume')} ${shownValue(role)} is a bare role name, but with an OIDC token there is no source account to complete it.`,
      'Give the full role ARN: arn:aws:iam::<account-id>:role/<name>.',
    );
  }
  return role;
}

/** role-session-name, or the CI's default for it. */
function parseSessionName(read: SettingsReader, ci: CiContext, cognito: boolean): string {
  const explicitName = read.string('role-session-name');
  if (explicitName !== undefined && !SESSION_NAME.test(explicitName)) {
    throw new InputError(
      `${read.label('role-session-name')} must be 2-64 characters of letters, digits and + = , . @ _ -, got ${shownValue(explicitName)}.`,
    );
  }
  return explicitName ?? defaultSessionName(ci, cognito);
}

/**
 * Secrets are registered (and so masked) before the first validation can fail: no error message, however it is
 * built, may print one. With mask-aws-account-id the account ids the settings name are masked from here on too.
 */
function registerSecretsFirst(read: SettingsReader): boolean {
  const env = read.source.env;
  for (const name of ['aws-access-key-id', 'aws-secret-access-key', 'aws-session-token']) {
    registerSecret(read.source.explicit(name)?.trim());
  }
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
    'JENKINS_ID_TOKEN_REQUEST_TOKEN',
  ]) {
    registerSecret(env[name]?.trim());
  }
  const maskAccounts = read.boolean('mask-aws-account-id', false);
  if (maskAccounts) {
    maskAccountIds();
    const named = [
      read.string('role-to-assume'),
      read.string('aws-account-id'),
      read.string('allowed-account-ids'),
      read.string('profiles'),
    ];
    for (const id of named.join(' ').match(/(?<!\d)\d{12}(?!\d)/g) ?? []) registerSecret(id);
  }
  return maskAccounts;
}

/**
 * The `profiles` input. They are assumed with the run's CI token, so they need the web-identity flow; Cognito and
 * use-existing-credentials decide the primary role's credentials in ways the others cannot share.
 */
function parseFurtherRoles(
  read: SettingsReader,
  run: {
    source: CredentialSource;
    cognito: boolean;
    useExistingCredentials: boolean;
    awsProfile: string | undefined;
    defaults: Parameters<typeof parseProfiles>[2];
  },
): ProfileRole[] {
  const lines = read.lines('profiles');
  if (lines.length === 0) return [];
  const label = read.label('profiles');
  const conflict =
    run.source.kind !== 'web-identity'
      ? "needs a CI OIDC token (the web-identity flow); access keys, role-chaining and the runner's own credentials cannot be shared by several roles"
      : run.cognito
        ? 'cannot be combined with the Cognito flow'
        : run.useExistingCredentials
          ? 'cannot be combined with use-existing-credentials'
          : undefined;
  if (conflict) {
    throw new InputError(
      `${label} ${conflict}.`,
      run.source.kind === 'ambient'
        ? 'No CI ID token was found: on GitHub give the job permissions: id-token: write; elsewhere see token-source.'
        : 'Run the other roles in a step of their own, or drop the setting named.',
    );
  }
  const profiles = parseProfiles(lines, label, run.defaults, {
    roleArn: ROLE_ARN,
    region: REGION,
    sessionName: SESSION_NAME,
    profileName: PROFILE_NAME,
    policyArn: POLICY_ARN,
  });
  const clash = profiles.findIndex((p) => p.name === run.awsProfile);
  if (clash >= 0) {
    throw new InputError(
      `${label} line ${clash + 1}: profile "${run.awsProfile}" is also ${read.label('aws-profile')}, the profile of role-to-assume.`,
      'Give the line another name.',
    );
  }
  return profiles;
}

/**
 * Parses and validates every setting once. Nothing downstream reads the environment or inputs again, and every
 * input error surfaces here, before any network call.
 */
export function parseSettings(source: SettingsSource): Settings {
  const read = new SettingsReader(source);
  const env = source.env;
  const maskAwsAccountId = registerSecretsFirst(read);
  const ci = detectCi(env);

  const region = read.string('aws-region');
  if (region === undefined) {
    throw new InputError(
      `${read.label('aws-region')} is required.`,
      'Set it, or AWS_REGION in the environment, e.g. us-east-1.',
    );
  }
  if (!REGION.test(region)) {
    throw new InputError(
      `${read.label('aws-region')} must match ^[a-z0-9-]+$ (e.g. us-east-1), got ${shownValue(region)}.`,
    );
  }

  const fileBase = source.mode === 'action' && ci.vars.GITHUB_WORKSPACE ? ci.vars.GITHUB_WORKSPACE : source.cwd;
  const cognito = poolOf(readExchangeRoute(read));
  const useExistingCredentials = read.boolean('use-existing-credentials', false);
  const unset = read.boolean('unset-current-credentials', false);
  const existingCredentials = unset ? undefined : environmentKeys(env);
  const keepsExisting = useExistingCredentials && existingCredentials !== undefined;

  const roleHint = read.string('role-to-assume');
  const credentialFrom = credentialSource(read, roleHint, cognito, fileBase, keepsExisting);
  read.decide(
    `credentials: ${CREDENTIAL_SOURCE_WORDS[credentialFrom.kind]}${cognito ? ' through Cognito GetId and GetOpenIdToken' : ''}`,
  );
  const roleToAssume = parseRole(read, credentialFrom);

  if (roleToAssume === undefined && credentialFrom.kind !== 'access-keys' && !keepsExisting) {
    throw new InputError(
      `${read.label('role-to-assume')} is required${cognito ? ' in the Cognito flow' : ''}.`,
      source.mode === 'action'
        ? 'Set role-to-assume (and give the job permissions: id-token: write for OIDC), or aws-access-key-id and aws-secret-access-key.'
        : 'Pass --role-to-assume <arn> or set AWS_ROLE_ARN.',
    );
  }

  const roleSessionName = parseSessionName(read, ci, cognito !== undefined);

  const externalId = read.string('role-external-id');
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    throw new InputError(
      `${read.label('role-external-id')} must be 2-1224 characters of letters, digits and + = , . @ : / _ -.`,
    );
  }

  const inlinePolicy = read.json('inline-session-policy');
  if (
    inlinePolicy !== undefined &&
    (inlinePolicy === null || typeof inlinePolicy !== 'object' || Array.isArray(inlinePolicy))
  ) {
    throw new InputError(`${read.label('inline-session-policy')} must be a JSON policy document (an object).`);
  }
  const inlineSessionPolicy = inlinePolicy === undefined ? undefined : JSON.stringify(inlinePolicy);
  if (inlineSessionPolicy !== undefined && inlineSessionPolicy.length > 2048) {
    throw new InputError(
      `${read.label('inline-session-policy')} is ${inlineSessionPolicy.length} characters once compacted; STS allows 2048.`,
    );
  }
  const managedSessionPolicies = read.lines('managed-session-policies');
  for (const arn of managedSessionPolicies) {
    if (!POLICY_ARN.test(arn)) {
      throw new InputError(
        `${read.label('managed-session-policies')}: ${shownValue(arn)} is not a policy ARN (arn:aws:iam::<account|aws>:policy/<name>).`,
      );
    }
  }
  if (managedSessionPolicies.length > 10) {
    throw new InputError(
      `${read.label('managed-session-policies')} lists ${managedSessionPolicies.length} policies; STS allows 10.`,
    );
  }

  checkPartition(
    read,
    region,
    [
      { input: 'role-to-assume', arns: roleToAssume ? [roleToAssume] : [] },
      { input: 'managed-session-policies', arns: managedSessionPolicies },
    ],
    cognito?.region,
  );

  const roleSkipSessionTagging = read.boolean('role-skip-session-tagging', false);
  const githubTagCount = githubSessionTags(ci.vars, {}, { optional: true }).length;
  const customTags = parseCustomTags(read.json('custom-tags'), read.label('custom-tags'), githubTagCount);
  const transitiveTagKeys = read.lines('transitive-tag-keys');
  const knownTagKeys = new Set([...GITHUB_TAG_KEYS, ...Object.keys(customTags)].map((k) => k.toLowerCase()));
  for (const key of transitiveTagKeys) {
    if (!knownTagKeys.has(key.toLowerCase())) {
      throw new InputError(
        `${read.label('transitive-tag-keys')}: ${shownValue(key)} is not one of the session tags sent.`,
      );
    }
  }

  const awsProfile = read.string('aws-profile');
  if (awsProfile !== undefined && !PROFILE_NAME.test(awsProfile)) {
    throw new InputError(
      `${read.label('aws-profile')} ${shownValue(awsProfile)} may only use letters, digits and . _ + @ : -.`,
    );
  }

  const audience = defaultAudience(read, cognito !== undefined, region);
  const roleDurationSeconds = read.integer('role-duration-seconds', 3600, 900, 43200);
  const profiles = parseFurtherRoles(read, {
    source: credentialFrom,
    cognito: cognito !== undefined,
    useExistingCredentials,
    awsProfile,
    defaults: {
      region,
      durationSeconds: roleDurationSeconds,
      roleSessionName,
      audience,
      managedSessionPolicies,
      ...(inlineSessionPolicy ? { inlineSessionPolicy } : {}),
    },
  });

  const allowedRaw = read.string('allowed-account-ids');
  const allowedAccountIds = allowedRaw === undefined ? [] : allowedRaw.split(',').map((s) => s.trim());
  for (const id of allowedAccountIds) {
    if (!ACCOUNT_ID.test(id)) {
      throw new InputError(
        id === ''
          ? `${read.label('allowed-account-ids')} has an empty item; remove the extra comma.`
          : `${read.label('allowed-account-ids')}: ${shownValue(id)} is not a 12-digit account id.`,
      );
    }
  }

  const maxAttempts = read.boolean('disable-retry', false) ? 1 : read.integer('retry-max-attempts', 12, 1, 100);
  const timeoutSeconds = read.integer('action-timeout-s', DEFAULT_TIMEOUT_SECONDS, 1, 3600);
  const networkTimeoutSeconds = read.integer('network-timeout-s', DEFAULT_NETWORK_TIMEOUT_SECONDS, 1, 3600);

  const proxy = parseProxy(read);

  const refreshableCredentials = read.boolean('refreshable-credentials', false);
  const outputEnvCredentials = read.boolean('output-env-credentials', awsProfile === undefined);

  return {
    region,
    ...(roleToAssume ? { roleToAssume } : {}),
    audience,
    roleSessionName,
    roleDurationSeconds,
    source: credentialFrom,
    ...(cognito ? { cognito } : {}),
    ...(externalId ? { roleExternalId: externalId } : {}),
    roleSkipSessionTagging,
    transitiveTagKeys,
    customTags,
    ...(inlineSessionPolicy ? { inlineSessionPolicy } : {}),
    managedSessionPolicies,
    inputLabels: {
      inlineSessionPolicy: read.label('inline-session-policy'),
      managedSessionPolicies: read.label('managed-session-policies'),
      customTags: read.label('custom-tags'),
    },
    ...(awsProfile ? { awsProfile } : {}),
    profiles,
    overwriteAwsProfile: read.boolean('overwrite-aws-profile', false),
    outputCredentials: read.boolean('output-credentials', false),
    outputEnvCredentials,
    refreshableCredentials,
    maskAwsAccountId,
    allowedAccountIds,
    useExistingCredentials,
    unsetCurrentCredentials: unset,
    ...(existingCredentials ? { existingCredentials } : {}),
    specialCharactersWorkaround: read.boolean('special-characters-workaround', false),
    maxAttempts,
    timeoutMs: timeoutSeconds * 1000,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    networkTimeoutMs: networkTimeoutSeconds * 1000,
    ...(() => {
      const stsEndpoint = endpointUrl(read, 'sts-endpoint', ['AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL']);
      return stsEndpoint ? { stsEndpoint } : {};
    })(),
    ...(proxy ? { proxy } : {}),
    ...awsFiles(source),
    ci,
    debug: env.RUNNER_DEBUG === '1' || env.KEYLESS_AWS_DEBUG === '1',
    // Last, once every setting above has been read.
    provenance: read.provenance(),
  };
}

/** The shared credentials and config files the AWS CLI would read: AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE. */
function awsFiles(source: SettingsSource): { credentialsFile: string; configFile: string } {
  const home = source.homedir || osHomedir();
  const fromHome = (value: string | undefined, fallback: string) =>
    value ? (isAbsolute(value) ? value : resolve(source.cwd, value)) : join(home, '.aws', fallback);
  return {
    credentialsFile: fromHome(source.env.AWS_SHARED_CREDENTIALS_FILE, 'credentials'),
    configFile: fromHome(source.env.AWS_CONFIG_FILE, 'config'),
  };
}

/** What `profile --remove` needs: which profile, in which files, and whether a section not ours may go too. */
export interface ProfileTarget {
  readonly awsProfile: string | undefined;
  readonly overwriteAwsProfile: boolean;
  readonly credentialsFile: string;
  readonly configFile: string;
}

export function parseProfileTarget(source: SettingsSource): ProfileTarget {
  const read = new SettingsReader(source);
  const awsProfile = read.string('aws-profile');
  if (awsProfile !== undefined && !PROFILE_NAME.test(awsProfile)) {
    throw new InputError(
      `${read.label('aws-profile')} ${shownValue(awsProfile)} may only use letters, digits and . _ + @ : -.`,
    );
  }
  return { awsProfile, overwriteAwsProfile: read.boolean('overwrite-aws-profile', false), ...awsFiles(source) };
}

/** What the CLI's `token` command needs: where the CI token comes from and how to ask for it; no region or role. */
export interface TokenSettings {
  readonly source: TokenSourceSpec;
  readonly audience: string;
  /** The Cognito flow would pass this token to Cognito, not to STS: the trust policy sees other keys. */
  readonly cognito?: CognitoSettings;
  readonly requestTimeoutMs: number;
  readonly proxy?: { readonly url: string; readonly noProxy: readonly string[] };
  /** The CI detected and the role session name an exchange would use (trust policies may test it). */
  readonly ci: CiContext['kind'];
  readonly roleSessionName: string;
  /** For --debug, as in Settings. */
  readonly provenance: readonly string[];
}

export function parseTokenSettings(source: SettingsSource): TokenSettings {
  const read = new SettingsReader(source);
  registerSecretsFirst(read);
  const ci = detectCi(source.env);
  const fileBase = source.mode === 'action' && ci.vars.GITHUB_WORKSPACE ? ci.vars.GITHUB_WORKSPACE : source.cwd;
  const cognito = poolOf(readExchangeRoute(read));
  const proxy = parseProxy(read);
  return {
    source: resolveTokenSource(read, fileBase),
    audience: defaultAudience(read, cognito !== undefined, read.string('aws-region')),
    ...(cognito ? { cognito } : {}),
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    ...(proxy ? { proxy } : {}),
    ci: ci.kind,
    roleSessionName: parseSessionName(read, ci, cognito !== undefined),
    provenance: read.provenance(),
  };
}

/**
 * What `roles` needs to judge the token STS would see, read from the same settings as auth's: the exchange route
 * (and how to reach Cognito), and the session name given, if any. No region or role: it judges every role.
 */
export interface RouteSettings {
  readonly route: ExchangeRoute;
  readonly requestTimeoutMs: number;
  readonly proxy?: { readonly url: string; readonly noProxy: readonly string[] };
  /** role-session-name as auth starts from it: the setting, else the CI's default (a trust policy may test it). */
  readonly roleSessionName: string;
  /** Whether role-session-name was given; if not, auth names a person's session after them. */
  readonly roleSessionNameGiven: boolean;
  /** For --debug, as in Settings. */
  readonly provenance: readonly string[];
}

export function parseRouteSettings(source: SettingsSource): RouteSettings {
  const read = new SettingsReader(source);
  registerSecretsFirst(read);
  const route = readExchangeRoute(read);
  read.decide(
    route.kind === 'cognito'
      ? `route: through Cognito identity pool ${route.pool.identityPoolId} (GetId and GetOpenIdToken), then STS`
      : 'route: the ID token straight to STS AssumeRoleWithWebIdentity',
  );
  const proxy = parseProxy(read);
  return {
    route,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    ...(proxy ? { proxy } : {}),
    roleSessionName: parseSessionName(read, detectCi(source.env), route.kind === 'cognito'),
    roleSessionNameGiven: read.string('role-session-name') !== undefined,
    provenance: read.provenance(),
  };
}
