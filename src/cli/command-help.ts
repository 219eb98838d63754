/**
 * How each command and option is described in `--help`: summaries, descriptions, examples and one line per option.
 * Loaded only for help (src/cli/help.ts), so that a run parses the grammar in command-table.ts and nothing else. The
 * types make the two tables agree: every option the grammar declares must be described here, and nothing else may be.
 */
import type { CommandName, GlobalOptionName, OptionNameOf } from './command-table';

export interface CommandHelp<N extends CommandName> {
  /** One line, for the list of commands. */
  readonly summary: string;
  readonly description: string;
  /** One line for each option of the command, by name: a missing or unknown name does not compile. */
  readonly options: { readonly [O in OptionNameOf<N>]: string };
  /** Command lines, without `node dist/index.js` unless they start with something else (a variable, a brace). */
  readonly examples: readonly string[];
}

export type CommandHelpTable = { readonly [N in CommandName]: CommandHelp<N> };

const CONFIG_HELP = {
  config: 'Providers file (default: KEYLESS_AWS_CONFIG, else $XDG_CONFIG_HOME/keyless-aws/config).',
} as const;

/** The sign-in options of auth and roles (SIGN_IN_OPTIONS in the table). */
const SIGN_IN_HELP = {
  issuer: 'OpenID issuer (overrides the providers file).',
  'client-id': 'OAuth client id (overrides the providers file).',
  scopes: 'Space-separated scopes (default "openid email profile offline_access").',
  browser:
    'Command that opens the URL, {} standing for it (default: xdg-open {}, open {} on macOS, ' +
    'rundll32 on Windows).',
  'login-timeout-s': 'Time to finish signing in (default 300).',
  'session-store':
    'Where the ID and refresh tokens are kept: auto (default: the OS keychain where one exists, ' +
    'else a 0600 file), keychain (an error without one) or file. Also KEYLESS_AWS_SESSION_STORE.',
} as const;

export const COMMAND_HELP: CommandHelpTable = {
  exec: {
    summary: 'Run a program with the credentials in its environment (safest: nothing is printed).',
    description:
      'Gets credentials, then runs the program with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ' +
      'AWS_SESSION_TOKEN, AWS_REGION, AWS_DEFAULT_REGION and AWS_CREDENTIAL_EXPIRATION set, and ' +
      'AWS_PROFILE, AWS_DEFAULT_PROFILE and AWS_SECURITY_TOKEN removed, so the program uses exactly ' +
      "these credentials. stdin, stdout and stderr are the program's; SIGINT, SIGTERM, SIGHUP, " +
      "SIGQUIT and SIGUSR2 are forwarded to it. The exit code is the program's (128+n when signal n " +
      'ended it; 127 when it is not found, 126 when it cannot be executed).',
    options: {},
    examples: ['exec --role-to-assume arn:aws:iam::123456789012:role/deploy --aws-region eu-west-1 -- ./deploy.sh'],
  },
  env: {
    summary: 'Print (or write to a file) the credential variables for a shell, docker or PowerShell.',
    description:
      "Prints the same variables exec sets. export: `export NAME='value'` lines for eval in POSIX " +
      'sh; dotenv: NAME=value lines for `docker --env-file` and Jenkins readProperties; json: one ' +
      "object; powershell: `$Env:NAME = 'value'` lines. With --output-file the file is written " +
      'atomically with mode 0600 and nothing goes to stdout. Under `sh -x` (the Jenkins default) ' +
      'eval and `.` echo every secret: run `{ set +x; } 2>/dev/null` first, or use exec.',
    options: {
      format: 'Output format (default export).',
      'output-file': 'Write to this file (mode 0600, atomic) instead of stdout.',
    },
    examples: [
      '{ set +x; } 2>/dev/null; eval "$(node dist/index.js env --role-to-assume "$ROLE")"',
      'node dist/index.js env --format dotenv --output-file "$WORKSPACE_TMP/aws.env"',
    ],
  },
  'credential-process': {
    summary: 'Print AWS credential_process JSON, cached per build and role until close to expiry.',
    description:
      'For `credential_process = …` in an AWS config profile. stdout carries only the JSON (Version ' +
      '1, AccessKeyId, SecretAccessKey, SessionToken, Expiration, AccountId); messages go to stderr ' +
      'and never hold a secret. Credentials are reused from a private per-user cache ' +
      '($XDG_CACHE_HOME/keyless-aws, else ~/.cache/keyless-aws; directory 0700, files 0600) while ' +
      'more than the margin of their lifetime remains; the entry is keyed by the CI token identity ' +
      'and every setting that decides the credentials, and processes started together wait for one ' +
      'exchange. Otherwise a fresh CI token is exchanged, so an SDK that re-runs it before ' +
      'Expiration keeps getting credentials for as long as the CI can mint tokens. If the cache ' +
      'cannot be used it warns once and fetches without it. Quiet unless something fails (or ' +
      '--debug).',
    options: {
      'no-cache': 'Exchange a fresh CI token on every call; read and write no cache entry.',
      'cache-margin-s': 'Reuse cached credentials only while more than this much lifetime remains (default 900).',
    },
    examples: ['credential-process --role-to-assume arn:aws:iam::123456789012:role/deploy --aws-region eu-west-1'],
  },
  profile: {
    summary: 'Write a named profile to the AWS config/credentials files (static, or refreshable).',
    description:
      'Static: writes the keys to [NAME] in AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials) ' +
      'and the region to AWS_CONFIG_FILE (default ~/.aws/config). --refreshable: writes ' +
      '`credential_process = <node> <this script> credential-process --<settings…>` to the config ' +
      'file instead (absolute paths, no secret; a static [NAME] in the credentials file is removed ' +
      'because it would win). Both files are written under a lock, atomically, all or nothing (new ' +
      'files 0600, the credentials file owner-only); symbolic links are refused; an existing profile ' +
      'is kept unless --overwrite-aws-profile. The role must be assumable now: credentials are ' +
      'fetched once before anything is written. --profiles "NAME=ROLE_ARN [region=…] [duration=…] ' +
      '[session-name=…] [audience=…] [managed-session-policies=…] [chain=ROLE_ARN]" (repeatable) ' +
      'writes further profiles in the same run: one token fetch per audience, the roles assumed in ' +
      'parallel, and if any one fails no profile is written.',
    options: {
      refreshable: 'Write a credential_process profile (same as --refreshable-credentials).',
      remove:
        'Remove the profile instead: its sections keyless-aws wrote (others need ' +
        '--overwrite-aws-profile), under the same lock, all or nothing, and the cached credentials of ' +
        'the build its credential_process fetched for. Absent: exit 0 with a note.',
    },
    examples: [
      'AWS_CONFIG_FILE="$WORKSPACE_TMP/aws-config" node dist/index.js profile --aws-profile ci --refreshable --role-to-assume "$ROLE"',
      'node dist/index.js profile --aws-profile dev --role-to-assume "$DEV_ROLE" --profiles "prod=$PROD_ROLE region=eu-west-1 chain=$AUDIT_ROLE"',
      'AWS_CONFIG_FILE="$WORKSPACE_TMP/aws-config" node dist/index.js profile --aws-profile ci --remove',
    ],
  },
  token: {
    summary: 'Show the CI token that would be used: header, claims and what a trust policy sees.',
    description:
      'Fetches the CI token the other commands would use and prints its decoded header and claims, ' +
      'and the values an IAM trust policy compares (<issuer-host>:aud, <issuer-host>:sub). Never ' +
      'prints the raw token or its signature. The first thing to run when AWS says no. Needs no role ' +
      'or region; takes the same flags as the other commands, so a failing command line can be rerun ' +
      'with `token` in place of the command.',
    options: {
      format: 'Output format (default text).',
    },
    examples: ['token --token-source jenkins --audience sts.amazonaws.com'],
  },
  doctor: {
    summary: 'Which roles a token can assume, why one cannot, and lint findings for trust policies.',
    description:
      'Loads roles from CloudFormation templates (the emulator loader) or trust-policy JSON files ' +
      'and judges each with the same engine as the emulated STS: provider for iss, audience among ' +
      'its client ids, session tags, MaxSessionDuration, then the trust policy, naming the deciding ' +
      'statement and condition and the smallest change that would allow it. The token context is a ' +
      'described GitHub or Jenkins context, a claims file (JWT or JSON), --claim pairs, or the CI ' +
      'token when --token-source is given; without one, only lint runs. Exit 0 ok, 4 the role of ' +
      '--role-arn cannot be assumed, 6 lint findings at or above --fail-on, 2 bad input (file and ' +
      'line).',
    options: {
      template: 'CloudFormation template (YAML or JSON); repeatable.',
      policy: 'Trust-policy JSON file; repeatable.',
      live: 'Read the roles and OIDC providers of the account through IAM (every page).',
      profile: 'With --live: the AWS profile to read with (default: the standard credential chain).',
      'iam-endpoint': 'With --live: the IAM endpoint (the emulator, e.g. http://127.0.0.1:4566).',
      'role-arn': 'Judge only this role (exit 4 when denied); names the role of a single --policy.',
      'client-id': "With --policy: the issuer provider's client ids (default: the audience).",
      'claims-file': 'A JWT or a JSON object of claims (the signature is not checked).',
      claim: 'Set one claim (JSON for lists: amr=["authenticated"]); repeatable.',
      'github-repository': 'Describe a GitHub Actions job in this repository.',
      'github-ref': 'Its ref (default refs/heads/main; refs/tags/… for tags).',
      'github-environment': 'Its deployment environment (sub becomes …:environment:NAME).',
      'github-event': 'Its event_name (pull_request makes sub …:pull_request).',
      'github-workflow-ref': 'Its job_workflow_ref (owner/repo/.github/workflows/x.yml@ref).',
      'github-sub-claims':
        'Customised subject: include_claim_keys, comma-separated (e.g. repo,context,job_workflow_ref).',
      'jenkins-issuer': 'Describe a keyless-aws Jenkins build: the token service issuer URL.',
      'jenkins-job': 'Its job full name (team/app/main).',
      'jenkins-build': 'Its build number.',
      'cognito-issuer': 'iss of Cognito tokens (default https://cognito-identity.amazonaws.com).',
      format: 'Output format (default text).',
      'fail-on': 'Exit 6 when a lint finding is at or above this severity (default error).',
    },
    examples: [
      'doctor --template examples/cloudformation/github-oidc.yaml --github-repository octo-org/app --github-environment prod',
      'doctor --template infra/roles.yaml --format sarif --fail-on warning > doctor.sarif',
    ],
  },
  auth: {
    summary: 'Sign a person in with an OpenID provider (browser or device code) and print role credentials.',
    description:
      'For `credential_process = keyless-aws auth NAME` in ~/.aws/config. The provider comes from the providers ' +
      'file; its keys are these flags, and a flag wins over the file. Sign-in: authorization code with PKCE through ' +
      'the browser (a one-time listener on 127.0.0.1; the browser command gets a one-time launch address, and an ' +
      'answer from any other browser or user ends the sign-in, exit 3), or with --device the device code flow (the ' +
      'code to enter is printed to stderr). The ID and refresh tokens are kept (the OS keychain where one exists, ' +
      'else a 0600 file in a private directory; see --session-store) so one sign-in serves the day: later calls use ' +
      'the kept ID token, then the refresh token, and open the browser only when both are spent. Concurrent calls ' +
      'sign in once. The ID token then goes through the same exchange as the other commands (Cognito when ' +
      'configured, AssumeRoleWithWebIdentity). stdout carries only the credentials.',
    options: {
      ...CONFIG_HELP,
      device: 'Sign in with a code on another device (RFC 8628), no local browser.',
      format: 'Output (default credential-process).',
      ...SIGN_IN_HELP,
    },
    examples: [
      'credential_process = keyless-aws auth google --role-to-assume arn:aws:iam::123456789012:role/reader --role-duration-seconds 7200',
      'auth work --device --format export',
    ],
  },
  logout: {
    summary:
      'Forget the kept sign-in of one provider (or all), revoking its refresh token where the provider ' + 'allows.',
    description:
      'Removes the kept ID and refresh tokens, from the OS keychain and from the file. When the ' +
      'provider publishes a revocation endpoint the refresh token is revoked there first (a failure ' +
      'to revoke is reported, and the tokens are removed all the same).',
    options: {
      ...CONFIG_HELP,
    },
    examples: ['logout google', 'logout'],
  },
  roles: {
    summary: "List the roles the signed-in person can assume (the doctor's role finder on the token auth presents).",
    description:
      "Takes the ID token of the provider's kept sign-in (signing in first, exactly as auth does, when there is none " +
      'or it has expired) and the route auth would take with it: with a Cognito identity pool (cognito-identity-pool-id ' +
      'in the providers file, a flag or COGNITO_IDENTITY_POOL_ID) it calls GetId and GetOpenIdToken and judges the ' +
      'Cognito token STS would see, not the ID token. It judges every role of the account (--live: IAM ListRoles and ' +
      'the OIDC providers, read with the standard credential chain or --profile) or of the templates with the ' +
      "doctor's engine, the one the emulated STS uses. Prints each assumable role with the statement that allows it " +
      'and its maximum session duration; --all adds the denied ones with the reason and the smallest change that ' +
      'would allow them. The token is never printed. Exit 0 whether or not a role was found (the list says how ' +
      'many), 2 bad input, 3 the sign-in was declined or refused, 4 the credentials may not read IAM (the message ' +
      'names the permission) or Cognito refused the sign-in (as auth explains it), 5 IAM or the provider ' +
      'unreachable, or no sign-in answer in time.',
    options: {
      ...CONFIG_HELP,
      live: 'Judge the roles of the account through IAM (every page).',
      profile: 'With --live: the AWS profile to read IAM with (default: the standard credential chain).',
      'iam-endpoint': 'With --live: the IAM endpoint (the emulator, e.g. http://127.0.0.1:4566).',
      template: 'CloudFormation template (YAML or JSON) whose roles are judged; repeatable.',
      all: 'Also list the roles that cannot be assumed, with the reason.',
      format: 'Output format (default text).',
      device: 'If a sign-in is needed: with a code on another device (RFC 8628).',
      ...SIGN_IN_HELP,
    },
    examples: [
      'roles work --live --profile audit',
      'roles work --template infra/roles.yaml --all --format json',
      'roles work --live --cognito-identity-pool-id eu-west-1:11111111-2222-3333-4444-555555555555',
    ],
  },
  console: {
    summary: 'Open the AWS console signed in with the current credentials (federation sign-in URL).',
    description:
      'Takes the credentials the AWS CLI would use here (environment variables, else --profile / ' +
      'AWS_PROFILE, credential_process included, so `--profile work` signs in through auth), asks ' +
      "the federation endpoint of the region's partition for a sign-in token (getSigninToken) and " +
      'opens the console login URL with the browser command, through a private page (0600, deleted once read) so ' +
      "the URL is not in the browser's argv. The URL is as good as the credentials for 15 minutes: it is printed " +
      'only with --print, and never in CI (CI, GITHUB_ACTIONS, JENKINS_URL, TF_BUILD, CODEBUILD_BUILD_ID, ' +
      'TEAMCITY_VERSION), where --print is refused. Needs temporary credentials.',
    options: {
      profile: 'AWS profile to take the credentials from (default: environment, AWS_PROFILE).',
      destination: 'Console page to land on (default the console home of the partition).',
      'session-duration-s': 'Console session, 900-43200 (default: what is left of the credentials).',
      region: 'Selects the partition (default AWS_REGION, else us-east-1).',
      browser:
        'Command that opens the URL, {} standing for it (default: xdg-open {}, open {} on macOS, ' +
        'rundll32 on Windows).',
      'signin-endpoint':
        'Federation endpoint (default by partition; the emulator serves /federation); https, or http on loopback only.',
      print: 'Print the URL on stdout instead of opening it (refused in CI).',
    },
    examples: ['console --profile work --destination https://console.aws.amazon.com/s3/home'],
  },
  audiences: {
    summary:
      'Keep OIDC provider audiences and trust policies in step with roles created or deleted (dry run ' +
      'by default).',
    description:
      'sync (after CreateRole): the role declares its audience (the Entra application client id) and ' +
      'provider in its tags keyless-aws:audience and keyless-aws:oidc-provider (or --audience and ' +
      "--provider); the client id is added to the provider's ClientIDList and every statement " +
      'trusting the provider for sts:AssumeRoleWithWebIdentity is set to expect it (StringEquals ' +
      '<provider>:aud), everything else kept. A role that does not trust the provider is refused; so ' +
      "is a result the doctor's lint flags as an error (e.g. no sub condition). prune (after " +
      'DeleteRole): each client id of the providers is removed only when no role of the account ' +
      'accepts it (judged by the policy engine: wildcards, set operators, a statement with no aud ' +
      'condition accepts every audience), it is not protected by --keep, and it is not a default ' +
      'such as sts.amazonaws.com. Prints the exact diff (ClientIDList, trust policy lines) and why ' +
      'each audience is kept or removed; changes nothing without --apply. Runs twice to the same ' +
      'effect. With --assume-role it acts in the account of that role (the automation role). Exit 0 ' +
      '(planned, applied or nothing to do), 2 bad input or no such provider, 4 IAM or STS refused a ' +
      'call (the message names the action), 5 IAM unreachable, 6 refused: the lint, no trust ' +
      'statement for the provider, or the 100 client id limit.',
    options: {
      role: 'The role created (sync) or deleted (prune, for the report).',
      audience: 'sync: the client id, instead of the role tag keyless-aws:audience.',
      provider:
        'sync: the OIDC provider, instead of the tag keyless-aws:oidc-provider. prune: the providers ' +
        'to prune (ARN or issuer URL; repeatable).',
      keep: 'prune: never remove this audience (repeatable), e.g. one a Cognito identity pool relies on.',
      apply: 'Make the changes (default: a dry run that prints them).',
      'assume-role': "Act in another account through this automation role (sts:AssumeRole), else in the caller's.",
      profile: 'AWS profile to call STS/IAM with (default: the standard credential chain).',
      'iam-endpoint': 'The IAM endpoint (the emulator, e.g. http://127.0.0.1:4566).',
      'sts-endpoint': 'The STS endpoint for --assume-role and the caller lookup.',
      region: 'Signing region and partition (default AWS_REGION, else us-east-1).',
      format: 'Output format (default text).',
    },
    examples: [
      'audiences sync --role app-deploy',
      'audiences prune --role app-deploy --provider login.microsoftonline.com/<tenant>/v2.0 --assume-role arn:aws:iam::210987654321:role/keyless-aws-audiences --apply',
    ],
  },
};

export const GLOBAL_OPTION_HELP: { readonly [O in GlobalOptionName]: string } = {
  quiet: 'Only warnings and errors on stderr.',
  debug: 'Debug messages and stack traces on stderr (also KEYLESS_AWS_DEBUG=1).',
  help: 'Show help (per command: <command> --help).',
};
