import { randomBytes } from 'node:crypto';
import { join, posix, resolve, win32 } from 'node:path';
import { InputError } from '../errors';
import { settingsForProfile } from '../settings/profiles';
import type { ProfileRole, Settings, TokenSourceSpec } from '../settings/types';
import type { FileEdit } from './file-transaction';
import { type ProfilePlan, planProfile, refreshableProfileEdits } from './profile';
import { posixQuote, windowsCommandLine } from './shell-formats';

/** The program an SDK will start: this Node binary and this bundle, both absolute (credential_process knows no cwd). */
export interface CommandTarget {
  readonly node: string;
  readonly script: string;
  readonly platform: NodeJS.Platform;
}

/** The running bundle (`dist/index.js`) as an absolute path, whichever directory it was started from. */
export function runningTarget(): CommandTarget {
  return { node: process.execPath, script: resolve(process.argv[1] ?? ''), platform: process.platform };
}

export const DEFAULT_REFRESHABLE_PROFILE = 'keyless-aws';

function tokenSourceName(spec: TokenSourceSpec): string {
  return spec.kind === 'env' ? `env:${spec.variable}` : spec.kind;
}

/** A proxy URL may carry a password; the command line must not. The child then reads HTTPS_PROXY itself. */
function proxyWithoutSecret(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/**
 * The `credential-process` arguments that reproduce this run's settings. A credential_process child inherits the
 * environment but no flags, so every setting that shapes the exchange is spelled out; only paths and non-secret
 * values go in, never a token, a request token or a key (those stay in files, the environment, or the endpoint).
 */
export function credentialProcessArgs(settings: Settings): string[] {
  if (settings.source.kind !== 'web-identity' || !settings.roleToAssume) {
    throw new InputError(
      'Refreshable credentials need a CI OIDC token and a role to assume: each refresh fetches a new token and assumes the role again.',
      'Give the job an ID token (GitHub: permissions: id-token: write; elsewhere see --token-source) and set role-to-assume; access keys and role chaining cannot refresh.',
    );
  }
  const spec = settings.source.token;
  const args = [
    'credential-process',
    '--aws-region',
    settings.region,
    '--role-to-assume',
    settings.roleToAssume,
    '--token-source',
    tokenSourceName(spec),
  ];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined) args.push(`--${name}`, value);
  };
  if (spec.kind === 'file') add('web-identity-token-file', spec.path);
  add('audience', settings.audience);
  add('role-session-name', settings.roleSessionName);
  add('role-duration-seconds', String(settings.roleDurationSeconds));
  if (settings.cognito) {
    add('cognito-identity-pool-id', settings.cognito.identityPoolId);
    add('cognito-region', settings.cognito.region);
    add('cognito-provider-name', settings.cognito.providerName);
    add('cognito-endpoint', settings.cognito.endpoint);
    add('aws-account-id', settings.cognito.accountId);
  }
  add('sts-endpoint', settings.stsEndpoint);
  // One flag per policy: an INI value cannot hold the newline the multi-line input would need.
  for (const arn of settings.managedSessionPolicies) add('managed-session-policies', arn);
  add('inline-session-policy', settings.inlineSessionPolicy);
  if (settings.allowedAccountIds.length > 0) add('allowed-account-ids', settings.allowedAccountIds.join(','));
  if (settings.maskAwsAccountId) add('mask-aws-account-id', 'true');
  if (settings.specialCharactersWorkaround) add('special-characters-workaround', 'true');
  add('retry-max-attempts', String(settings.maxAttempts));
  add('action-timeout-s', String(Math.round(settings.timeoutMs / 1000)));
  if (settings.proxy && proxyWithoutSecret(settings.proxy.url)) {
    add('http-proxy', settings.proxy.url);
    if (settings.proxy.noProxy.length > 0) add('no-proxy', settings.proxy.noProxy.join(','));
  }
  return args;
}

const POSIX_SAFE = /^[A-Za-z0-9_\-./=:,@+%]+$/;

/**
 * The JavaScript SDK's INI parser cuts a line at whitespace followed by `#` or `;`, and no reader takes a line break:
 * such text cannot be carried on any platform.
 */
function assertWritable(arg: string): void {
  if (/[\r\n\0]/.test(arg) || /\s[#;]/.test(arg)) {
    throw new InputError(`The value "${arg}" cannot be written into a credential_process line.`);
  }
}

/**
 * The command line for the platform the SDK runs on. POSIX: SDKs start it through `sh -c` (JavaScript, Go, Java,
 * Rust) or split it like shlex (botocore), and single quotes mean the same to both. Windows: the SDKs go through
 * `cmd.exe /C` and botocore through its own C-runtime splitter; see windowsCommandLine.
 */
export function commandLine(argv: readonly string[], platform: NodeJS.Platform): string {
  for (const arg of argv) assertWritable(arg);
  if (platform === 'win32') return windowsCommandLine(argv);
  return argv.map((arg) => (POSIX_SAFE.test(arg) ? arg : posixQuote(arg))).join(' ');
}

/** The full `credential_process` value: absolute node, absolute bundle, then the settings. */
export function credentialProcessCommand(settings: Settings, target: CommandTarget): string {
  const { isAbsolute } = target.platform === 'win32' ? win32 : posix;
  for (const path of [target.node, target.script]) {
    if (!isAbsolute(path)) throw new Error(`credential_process needs absolute paths, got ${path}`);
  }
  return commandLine([target.node, target.script, ...credentialProcessArgs(settings)], target.platform);
}

/** The credential_process line of one further profile (see `profiles`). */
export function profileProcessCommand(settings: Settings, profile: ProfileRole, target: CommandTarget): string {
  if (profile.chainRoleArn) {
    throw new InputError(
      `Profile "${profile.name}" chains to ${profile.chainRoleArn}, which a refreshable profile cannot do: credential-process assumes one role per run.`,
      'Drop refreshable-credentials for this run, or chain= from that line.',
    );
  }
  return credentialProcessCommand(settingsForProfile(settings, profile), target);
}

/** The action's refreshable profiles: where they go (a private directory of their own) and what to write there. */
export interface RefreshableProfile {
  readonly plan: ProfilePlan;
  readonly directory: string;
  readonly edits: FileEdit[];
  /** One per line of `profiles`, in the same directory. */
  readonly others: ReadonlyArray<{ readonly plan: ProfilePlan; readonly edits: FileEdit[] }>;
}

/**
 * The action's refreshable-credentials: a fresh directory under RUNNER_TEMP holding a config file with one
 * credential_process profile. The credentials file is pointed at a path in the same directory that is never
 * written, so a static section of the same name elsewhere cannot outrank the process. Everything is decided (and
 * the command line built) before the first network call; the delivery writes it after the exchange.
 */
export function prepareGithubRefreshable(
  settings: Settings,
  runnerTemp: string | undefined,
  target: CommandTarget,
): RefreshableProfile {
  if (!runnerTemp) {
    throw new InputError(
      'refreshable-credentials needs RUNNER_TEMP, which every GitHub Actions runner sets; it is missing here.',
    );
  }
  const directory = join(runnerTemp, `keyless-aws-${randomBytes(8).toString('hex')}`);
  const inDirectory = (name: string) =>
    planProfile({
      awsProfile: name,
      overwriteAwsProfile: true,
      credentialsFile: join(directory, 'credentials'),
      configFile: join(directory, 'config'),
    });
  const plan = inDirectory(settings.awsProfile ?? DEFAULT_REFRESHABLE_PROFILE);
  const others = settings.profiles.map((profile, index) => {
    if (profile.name === plan.name) {
      throw new InputError(
        `profiles line ${index + 1}: "${profile.name}" is the name of role-to-assume's refreshable profile.`,
        'Give the line another name, or set aws-profile.',
      );
    }
    const other = inDirectory(profile.name);
    const command = profileProcessCommand(settings, profile, target);
    return { plan: other, edits: refreshableProfileEdits(other, command, profile.region) };
  });
  const command = credentialProcessCommand(settings, target);
  return { plan, directory, edits: refreshableProfileEdits(plan, command, settings.region), others };
}
