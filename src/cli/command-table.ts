import { EXCHANGE_ROUTE_INPUTS } from '../settings/exchange-route';
import type { InputSpec } from '../settings/inputs';
/**
 * What each command is, which options of its own it takes, and how it is described in `--help`. The settings flags
 * (every input of src/settings/inputs.ts) are shared by all commands and are not repeated here.
 */
import { SHELL_FORMATS } from '../sink/shell-formats';

export type CommandName =
  | 'exec'
  | 'env'
  | 'credential-process'
  | 'profile'
  | 'token'
  | 'doctor'
  | 'auth'
  | 'logout'
  | 'roles'
  | 'console'
  | 'audiences';

export interface OptionSpec {
  readonly name: string;
  /** Placeholder for the value; absent for a switch (`--refreshable`). */
  readonly value?: string;
  readonly choices?: readonly string[];
  /** May be given more than once; the values are kept in order, one per line. */
  readonly repeatable?: boolean;
  readonly description: string;
}

export interface CommandSpec {
  readonly name: CommandName;
  readonly summary: string;
  readonly usage: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** Takes `-- <program> [args…]`. */
  readonly program: boolean;
  /** A word before the flags (`auth <provider>`), and whether it must be given. */
  readonly positional?: { readonly name: string; readonly required: boolean };
  /**
   * Which settings flags the command takes: all (absent), none (false: it works with credentials that already
   * exist), or only those listed (it reads a part of the settings, e.g. roles: the exchange route).
   */
  readonly settings?: false | readonly string[];
  /** Settings that only this command uses (others refuse them rather than silently ignore them). */
  readonly ownSettings: readonly string[];
  readonly examples: readonly string[];
}

export const TOKEN_FORMATS = ['text', 'json'] as const;
export const DOCTOR_FORMATS = ['text', 'json', 'sarif'] as const;

/** Settings meaningful to `profile` alone: writing a profile is what they configure. */
export const PROFILE_SETTINGS = ['aws-profile', 'overwrite-aws-profile', 'refreshable-credentials', 'profiles'];

/** Whether a command takes an input of the settings table as a flag (never secrets, never action-only inputs). */
export function acceptsSetting(command: CommandSpec, input: InputSpec): boolean {
  return (
    command.settings !== false &&
    (command.settings === undefined || command.settings.includes(input.name)) &&
    !input.secret &&
    !input.actionOnly &&
    (!PROFILE_SETTINGS.includes(input.name) || command.ownSettings.includes(input.name))
  );
}

export const AUTH_FORMATS = ['credential-process', ...SHELL_FORMATS] as const;

const CONFIG_OPTION: OptionSpec = {
  name: 'config',
  value: 'PATH',
  description: 'Providers file (default: KEYLESS_AWS_CONFIG, else $XDG_CONFIG_HOME/keyless-aws/config).',
};

/** How a person signs in: every command that may sign one in (auth, roles) takes these, over the providers file. */
const SIGN_IN_OPTIONS: readonly OptionSpec[] = [
  { name: 'issuer', value: 'URL', description: 'OpenID issuer (overrides the providers file).' },
  { name: 'client-id', value: 'ID', description: 'OAuth client id (overrides the providers file).' },
  {
    name: 'scopes',
    value: 'LIST',
    description: 'Space-separated scopes (default "openid email profile offline_access").',
  },
  {
    name: 'browser',
    value: 'COMMAND',
    description:
      'Command that opens the URL, {} standing for it (default: xdg-open {}, open {} on macOS, rundll32 on Windows).',
  },
  { name: 'login-timeout-s', value: 'SECONDS', description: 'Time to finish signing in (default 300).' },
  {
    name: 'session-store',
    value: 'STORE',
    choices: ['auto', 'keychain', 'file'],
    description:
      'Where the ID and refresh tokens are kept: auto (default: the OS keychain where one exists, else a 0600 file), ' +
      'keychain (an error without one) or file. Also KEYLESS_AWS_SESSION_STORE.',
  },
];

const AUDIENCES_COMMAND: CommandSpec = {
  name: 'audiences',
  summary:
    'Keep OIDC provider audiences and trust policies in step with roles created or deleted (dry run by default).',
  usage:
    'audiences sync --role NAME [--audience ID --provider ARN] | audiences prune [--role NAME] --provider ARN|ISSUER… [--keep ID…] [--apply] [--assume-role ARN] [flags]',
  description:
    'sync (after CreateRole): the role declares its audience (the Entra application client id) and provider in its ' +
    'tags keyless-aws:audience and keyless-aws:oidc-provider (or --audience and --provider); the client id is added ' +
    "to the provider's ClientIDList and every statement trusting the provider for sts:AssumeRoleWithWebIdentity is " +
    'set to expect it (StringEquals <provider>:aud), everything else kept. A role that does not trust the provider is ' +
    "refused; so is a result the doctor's lint flags as an error (e.g. no sub condition). prune (after DeleteRole): " +
    'each client id of the providers is removed only when no role of the account accepts it (judged by the policy ' +
    'engine: wildcards, set operators, a statement with no aud condition accepts every audience), it is not protected ' +
    'by --keep, and it is not a default such as sts.amazonaws.com. Prints the exact diff (ClientIDList, trust policy ' +
    'lines) and why each audience is kept or removed; changes nothing without --apply. Runs twice to the same effect. ' +
    'With --assume-role it acts in the account of that role (the automation role). Exit 0 (planned, applied or ' +
    'nothing to do), 2 bad input or no such provider, 4 IAM or STS refused a call (the message names the action), 5 ' +
    'IAM unreachable, 6 refused: the lint, no trust statement for the provider, or the 100 client id limit.',
  options: [
    {
      name: 'role',
      value: 'NAME',
      description: 'The role created (sync) or deleted (prune, for the report).',
    },
    {
      name: 'audience',
      value: 'ID',
      description: 'sync: the client id, instead of the role tag keyless-aws:audience.',
    },
    {
      name: 'provider',
      value: 'ARN',
      repeatable: true,
      description:
        'sync: the OIDC provider, instead of the tag keyless-aws:oidc-provider. prune: the providers to prune (ARN or issuer URL; repeatable).',
    },
    {
      name: 'keep',
      value: 'ID',
      repeatable: true,
      description: 'prune: never remove this audience (repeatable), e.g. one a Cognito identity pool relies on.',
    },
    { name: 'apply', description: 'Make the changes (default: a dry run that prints them).' },
    {
      name: 'assume-role',
      value: 'ARN',
      description: "Act in another account through this automation role (sts:AssumeRole), else in the caller's.",
    },
    {
      name: 'profile',
      value: 'NAME',
      description: 'AWS profile to call STS/IAM with (default: the standard credential chain).',
    },
    { name: 'iam-endpoint', value: 'URL', description: 'The IAM endpoint (the emulator, e.g. http://127.0.0.1:4566).' },
    { name: 'sts-endpoint', value: 'URL', description: 'The STS endpoint for --assume-role and the caller lookup.' },
    {
      name: 'region',
      value: 'REGION',
      description: 'Signing region and partition (default AWS_REGION, else us-east-1).',
    },
    { name: 'format', value: 'FORMAT', choices: TOKEN_FORMATS, description: 'Output format (default text).' },
  ],
  program: false,
  positional: { name: '<sync|prune>', required: true },
  settings: false,
  ownSettings: [],
  examples: [
    'audiences sync --role app-deploy',
    'audiences prune --role app-deploy --provider login.microsoftonline.com/<tenant>/v2.0 --assume-role arn:aws:iam::210987654321:role/keyless-aws-audiences --apply',
  ],
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'exec',
    summary: 'Run a program with the credentials in its environment (safest: nothing is printed).',
    usage: 'exec [flags] -- <program> [args…]',
    description:
      'Gets credentials, then runs the program with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, ' +
      'AWS_REGION, AWS_DEFAULT_REGION and AWS_CREDENTIAL_EXPIRATION set, and AWS_PROFILE, AWS_DEFAULT_PROFILE and ' +
      'AWS_SECURITY_TOKEN removed, so the program uses exactly these credentials. stdin, stdout and stderr are the ' +
      "program's; SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGUSR2 are forwarded to it. The exit code is the program's " +
      '(128+n when signal n ended it; 127 when it is not found, 126 when it cannot be executed).',
    options: [],
    program: true,
    ownSettings: [],
    examples: ['exec --role-to-assume arn:aws:iam::123456789012:role/deploy --aws-region eu-west-1 -- ./deploy.sh'],
  },
  {
    name: 'env',
    summary: 'Print (or write to a file) the credential variables for a shell, docker or PowerShell.',
    usage: 'env [--format export|dotenv|json|powershell] [--output-file PATH] [flags]',
    description:
      "Prints the same variables exec sets. export: `export NAME='value'` lines for eval in POSIX sh; dotenv: " +
      'NAME=value lines for `docker --env-file` and Jenkins readProperties; json: one object; powershell: ' +
      "`$Env:NAME = 'value'` lines. With --output-file the file is written atomically with mode 0600 and nothing " +
      'goes to stdout. Under `sh -x` (the Jenkins default) eval and `.` echo every secret: run `{ set +x; } 2>/dev/null` ' +
      'first, or use exec.',
    options: [
      { name: 'format', value: 'FORMAT', choices: SHELL_FORMATS, description: 'Output format (default export).' },
      { name: 'output-file', value: 'PATH', description: 'Write to this file (mode 0600, atomic) instead of stdout.' },
    ],
    program: false,
    ownSettings: [],
    examples: [
      '{ set +x; } 2>/dev/null; eval "$(node dist/index.js env --role-to-assume "$ROLE")"',
      'node dist/index.js env --format dotenv --output-file "$WORKSPACE_TMP/aws.env"',
    ],
  },
  {
    name: 'credential-process',
    summary: 'Print AWS credential_process JSON, cached per build and role until close to expiry.',
    usage: 'credential-process [--no-cache] [--cache-margin-s SECONDS] [flags]',
    description:
      'For `credential_process = …` in an AWS config profile. stdout carries only the JSON (Version 1, AccessKeyId, ' +
      'SecretAccessKey, SessionToken, Expiration, AccountId); messages go to stderr and never hold a secret. ' +
      'Credentials are reused from a private per-user cache ($XDG_CACHE_HOME/keyless-aws, else ~/.cache/keyless-aws; ' +
      'directory 0700, files 0600) while more than the margin of their lifetime remains; the entry is keyed by the ' +
      'CI token identity and every setting that decides the credentials, and processes started together wait for ' +
      'one exchange. Otherwise a fresh CI token is exchanged, so an SDK that re-runs it before Expiration keeps ' +
      'getting credentials for as long as the CI can mint tokens. If the cache cannot be used it warns once and ' +
      'fetches without it. Quiet unless something fails (or --debug).',
    options: [
      { name: 'no-cache', description: 'Exchange a fresh CI token on every call; read and write no cache entry.' },
      {
        name: 'cache-margin-s',
        value: 'SECONDS',
        description: 'Reuse cached credentials only while more than this much lifetime remains (default 900).',
      },
    ],
    program: false,
    ownSettings: [],
    examples: ['credential-process --role-to-assume arn:aws:iam::123456789012:role/deploy --aws-region eu-west-1'],
  },
  {
    name: 'profile',
    summary: 'Write a named profile to the AWS config/credentials files (static, or refreshable).',
    usage: 'profile --aws-profile NAME [--refreshable] [flags] | profile --aws-profile NAME --remove',
    description:
      'Static: writes the keys to [NAME] in AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials) and the region ' +
      'to AWS_CONFIG_FILE (default ~/.aws/config). --refreshable: writes `credential_process = <node> <this ' +
      'script> credential-process --<settings…>` to the config file instead (absolute paths, no secret; a static ' +
      '[NAME] in the credentials file is removed because it would win). Both files are written under a lock, ' +
      'atomically, all or nothing (new files 0600, the credentials file owner-only); symbolic links are refused; an ' +
      'existing profile is kept unless --overwrite-aws-profile. The role must ' +
      'be assumable now: credentials are fetched once before anything is written. --profiles "NAME=ROLE_ARN ' +
      '[region=…] [duration=…] [session-name=…] [audience=…] [managed-session-policies=…] [chain=ROLE_ARN]" ' +
      '(repeatable) writes further profiles in the same run: one token fetch per audience, the roles assumed in ' +
      'parallel, and if any one fails no profile is written.',
    options: [
      {
        name: 'refreshable',
        description: 'Write a credential_process profile (same as --refreshable-credentials).',
      },
      {
        name: 'remove',
        description:
          'Remove the profile instead: its sections keyless-aws wrote (others need --overwrite-aws-profile), under the ' +
          'same lock, all or nothing, and the cached credentials of the build its credential_process fetched for. ' +
          'Absent: exit 0 with a note.',
      },
    ],
    program: false,
    ownSettings: PROFILE_SETTINGS,
    examples: [
      'AWS_CONFIG_FILE="$WORKSPACE_TMP/aws-config" node dist/index.js profile --aws-profile ci --refreshable --role-to-assume "$ROLE"',
      'node dist/index.js profile --aws-profile dev --role-to-assume "$DEV_ROLE" --profiles "prod=$PROD_ROLE region=eu-west-1 chain=$AUDIT_ROLE"',
      'AWS_CONFIG_FILE="$WORKSPACE_TMP/aws-config" node dist/index.js profile --aws-profile ci --remove',
    ],
  },
  {
    name: 'token',
    summary: 'Show the CI token that would be used: header, claims and what a trust policy sees.',
    usage: 'token [--format text|json] [flags]',
    description:
      'Fetches the CI token the other commands would use and prints its decoded header and claims, and the values ' +
      'an IAM trust policy compares (<issuer-host>:aud, <issuer-host>:sub). Never prints the raw token or its ' +
      'signature. The first thing to run when AWS says no. Needs no role or region; takes the same flags as the ' +
      'other commands, so a failing command line can be rerun with `token` in place of the command.',
    options: [
      { name: 'format', value: 'FORMAT', choices: TOKEN_FORMATS, description: 'Output format (default text).' },
    ],
    program: false,
    ownSettings: PROFILE_SETTINGS,
    examples: ['token --token-source jenkins --audience sts.amazonaws.com'],
  },
  {
    name: 'doctor',
    summary: 'Which roles a token can assume, why one cannot, and lint findings for trust policies.',
    usage: 'doctor (--template FILE… | --policy FILE.json) [token context] [--role-arn ARN] [--format text|json|sarif]',
    description:
      'Loads roles from CloudFormation templates (the emulator loader) or trust-policy JSON files and judges each ' +
      'with the same engine as the emulated STS: provider for iss, audience among its client ids, session tags, ' +
      'MaxSessionDuration, then the trust policy, naming the deciding statement and condition and the smallest change ' +
      'that would allow it. The token context is a described GitHub or Jenkins context, a claims file (JWT or JSON), ' +
      '--claim pairs, or the CI token when --token-source is given; without one, only lint runs. Exit 0 ok, 4 the ' +
      'role of --role-arn cannot be assumed, 6 lint findings at or above --fail-on, 2 bad input (file and line).',
    options: [
      {
        name: 'template',
        value: 'FILE',
        repeatable: true,
        description: 'CloudFormation template (YAML or JSON); repeatable.',
      },
      { name: 'policy', value: 'FILE', repeatable: true, description: 'Trust-policy JSON file; repeatable.' },
      { name: 'live', description: 'Read the roles and OIDC providers of the account through IAM (every page).' },
      {
        name: 'profile',
        value: 'NAME',
        description: 'With --live: the AWS profile to read with (default: the standard credential chain).',
      },
      {
        name: 'iam-endpoint',
        value: 'URL',
        description: 'With --live: the IAM endpoint (the emulator, e.g. http://127.0.0.1:4566).',
      },
      {
        name: 'role-arn',
        value: 'ARN',
        description: 'Judge only this role (exit 4 when denied); names the role of a single --policy.',
      },
      {
        name: 'client-id',
        value: 'ID',
        repeatable: true,
        description: "With --policy: the issuer provider's client ids (default: the audience).",
      },
      {
        name: 'claims-file',
        value: 'FILE',
        description: 'A JWT or a JSON object of claims (the signature is not checked).',
      },
      {
        name: 'claim',
        value: 'KEY=VALUE',
        repeatable: true,
        description: 'Set one claim (JSON for lists: amr=["authenticated"]); repeatable.',
      },
      {
        name: 'github-repository',
        value: 'OWNER/REPO',
        description: 'Describe a GitHub Actions job in this repository.',
      },
      { name: 'github-ref', value: 'REF', description: 'Its ref (default refs/heads/main; refs/tags/… for tags).' },
      {
        name: 'github-environment',
        value: 'NAME',
        description: 'Its deployment environment (sub becomes …:environment:NAME).',
      },
      { name: 'github-event', value: 'EVENT', description: 'Its event_name (pull_request makes sub …:pull_request).' },
      {
        name: 'github-workflow-ref',
        value: 'REF',
        description: 'Its job_workflow_ref (owner/repo/.github/workflows/x.yml@ref).',
      },
      {
        name: 'github-sub-claims',
        value: 'KEYS',
        description: 'Customised subject: include_claim_keys, comma-separated (e.g. repo,context,job_workflow_ref).',
      },
      {
        name: 'jenkins-issuer',
        value: 'URL',
        description: 'Describe a keyless-aws Jenkins build: the token service issuer URL.',
      },
      { name: 'jenkins-job', value: 'JOB', description: 'Its job full name (team/app/main).' },
      { name: 'jenkins-build', value: 'N', description: 'Its build number.' },
      {
        name: 'cognito-issuer',
        value: 'URL',
        description: 'iss of Cognito tokens (default https://cognito-identity.amazonaws.com).',
      },
      { name: 'format', value: 'FORMAT', choices: DOCTOR_FORMATS, description: 'Output format (default text).' },
      {
        name: 'fail-on',
        value: 'SEVERITY',
        choices: ['error', 'warning', 'note', 'none'],
        description: 'Exit 6 when a lint finding is at or above this severity (default error).',
      },
    ],
    program: false,
    ownSettings: [],
    examples: [
      'doctor --template examples/cloudformation/github-oidc.yaml --github-repository octo-org/app --github-environment prod',
      'doctor --template infra/roles.yaml --format sarif --fail-on warning > doctor.sarif',
    ],
  },
  {
    name: 'auth',
    summary: 'Sign a person in with an OpenID provider (browser or device code) and print role credentials.',
    usage: 'auth <provider> [--device] [--format credential-process|export|dotenv|json|powershell] [flags]',
    description:
      'For `credential_process = keyless-aws auth NAME` in ~/.aws/config. The provider comes from the providers ' +
      'file; its keys are these flags, and a flag wins over the file. Sign-in: authorization code with PKCE through ' +
      'the browser (a one-time listener on 127.0.0.1; the browser command gets a one-time launch address, and an ' +
      'answer from any other browser or user ends the sign-in, exit 3), or with --device the device code flow (the code to enter is ' +
      'printed to stderr). The ID and refresh tokens are kept (the OS keychain where one exists, else a 0600 file in a ' +
      'private directory; see --session-store) so one sign-in ' +
      'serves the day: later calls use the kept ID token, then the refresh token, and open the browser only when ' +
      'both are spent. Concurrent calls sign in once. The ID token then goes through the same exchange as the other ' +
      'commands (Cognito when configured, AssumeRoleWithWebIdentity). stdout carries only the credentials.',
    options: [
      CONFIG_OPTION,
      { name: 'device', description: 'Sign in with a code on another device (RFC 8628), no local browser.' },
      { name: 'format', value: 'FORMAT', choices: AUTH_FORMATS, description: 'Output (default credential-process).' },
      ...SIGN_IN_OPTIONS,
    ],
    program: false,
    positional: { name: '<provider>', required: true },
    ownSettings: [],
    examples: [
      'credential_process = keyless-aws auth google --role-to-assume arn:aws:iam::123456789012:role/reader --role-duration-seconds 7200',
      'auth work --device --format export',
    ],
  },
  {
    name: 'logout',
    summary: 'Forget the kept sign-in of one provider (or all), revoking its refresh token where the provider allows.',
    usage: 'logout [<provider>] [--config PATH]',
    description:
      'Removes the kept ID and refresh tokens, from the OS keychain and from the file. When the provider publishes a ' +
      'revocation endpoint the refresh token is ' +
      'revoked there first (a failure to revoke is reported, and the tokens are removed all the same).',
    options: [CONFIG_OPTION],
    program: false,
    positional: { name: '<provider>', required: false },
    ownSettings: [],
    examples: ['logout google', 'logout'],
  },
  {
    name: 'roles',
    summary: "List the roles the signed-in person can assume (the doctor's role finder on the token auth presents).",
    usage:
      'roles <provider> (--live [--profile NAME] [--iam-endpoint URL] | --template FILE…) [--all] [--format text|json]',
    description:
      "Takes the ID token of the provider's kept sign-in (signing in first, exactly as auth does, when there is none " +
      'or it has expired) and the route auth would take with it: with a Cognito identity pool (cognito-identity-pool-id ' +
      'in the providers file, a flag or COGNITO_IDENTITY_POOL_ID) it calls GetId and GetOpenIdToken and judges the ' +
      'Cognito token STS would see, not the ID token. It judges every role of the account (--live: IAM ListRoles and the OIDC providers, read ' +
      "with the standard credential chain or --profile) or of the templates with the doctor's engine, the one the " +
      'emulated STS uses. Prints each assumable role with the statement that allows it and its maximum session ' +
      'duration; --all adds the denied ones with the reason and the smallest change that would allow them. The token ' +
      'is never printed. Exit 0 whether or not a role was found (the list says how many), 2 bad input, 3 the ' +
      'sign-in was declined or refused, 4 the credentials may not read IAM (the message names the permission) or ' +
      'Cognito refused the sign-in (as auth explains it), 5 ' +
      'IAM or the provider unreachable, or no sign-in answer in time.',
    options: [
      CONFIG_OPTION,
      { name: 'live', description: 'Judge the roles of the account through IAM (every page).' },
      {
        name: 'profile',
        value: 'NAME',
        description: 'With --live: the AWS profile to read IAM with (default: the standard credential chain).',
      },
      {
        name: 'iam-endpoint',
        value: 'URL',
        description: 'With --live: the IAM endpoint (the emulator, e.g. http://127.0.0.1:4566).',
      },
      {
        name: 'template',
        value: 'FILE',
        repeatable: true,
        description: 'CloudFormation template (YAML or JSON) whose roles are judged; repeatable.',
      },
      { name: 'all', description: 'Also list the roles that cannot be assumed, with the reason.' },
      { name: 'format', value: 'FORMAT', choices: TOKEN_FORMATS, description: 'Output format (default text).' },
      { name: 'device', description: 'If a sign-in is needed: with a code on another device (RFC 8628).' },
      ...SIGN_IN_OPTIONS,
    ],
    program: false,
    positional: { name: '<provider>', required: true },
    // The settings that decide which token STS sees (and the session name it is judged with), as auth reads them.
    settings: [...EXCHANGE_ROUTE_INPUTS, 'role-session-name', 'http-proxy', 'no-proxy'],
    ownSettings: [],
    examples: [
      'roles work --live --profile audit',
      'roles work --template infra/roles.yaml --all --format json',
      'roles work --live --cognito-identity-pool-id eu-west-1:11111111-2222-3333-4444-555555555555',
    ],
  },
  {
    name: 'console',
    summary: 'Open the AWS console signed in with the current credentials (federation sign-in URL).',
    usage: 'console [--profile NAME] [--destination URL] [--session-duration-s N] [--print]',
    description:
      'Takes the credentials the AWS CLI would use here (environment variables, else --profile / AWS_PROFILE, ' +
      'credential_process included, so `--profile work` signs in through auth), asks the federation endpoint of the ' +
      "region's partition for a sign-in token (getSigninToken) and opens the console login URL with the browser " +
      "command, through a private page (0600, deleted once read) so the URL is not in the browser's argv. The URL is as good as the credentials for 15 minutes: it is printed only with --print, and never " +
      'in CI (CI, GITHUB_ACTIONS, JENKINS_URL, TF_BUILD, CODEBUILD_BUILD_ID, TEAMCITY_VERSION), where --print is refused. Needs temporary credentials.',
    options: [
      {
        name: 'profile',
        value: 'NAME',
        description: 'AWS profile to take the credentials from (default: environment, AWS_PROFILE).',
      },
      {
        name: 'destination',
        value: 'URL',
        description: 'Console page to land on (default the console home of the partition).',
      },
      {
        name: 'session-duration-s',
        value: 'SECONDS',
        description: 'Console session, 900-43200 (default: what is left of the credentials).',
      },
      { name: 'region', value: 'REGION', description: 'Selects the partition (default AWS_REGION, else us-east-1).' },
      {
        name: 'browser',
        value: 'COMMAND',
        description:
          'Command that opens the URL, {} standing for it (default: xdg-open {}, open {} on macOS, rundll32 on Windows).',
      },
      {
        name: 'signin-endpoint',
        value: 'URL',
        description: 'Federation endpoint (default by partition; the emulator serves /federation).',
      },
      { name: 'print', description: 'Print the URL on stdout instead of opening it (refused in CI).' },
    ],
    program: false,
    settings: false,
    ownSettings: [],
    examples: ['console --profile work --destination https://console.aws.amazon.com/s3/home'],
  },
  AUDIENCES_COMMAND,
];

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'quiet', description: 'Only warnings and errors on stderr.' },
  { name: 'debug', description: 'Debug messages and stack traces on stderr (also KEYLESS_AWS_DEBUG=1).' },
  { name: 'help', description: 'Show help (per command: <command> --help).' },
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
