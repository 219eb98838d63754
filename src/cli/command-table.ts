import { EXCHANGE_ROUTE_INPUTS } from '../settings/exchange-route';
import type { InputSpec } from '../settings/inputs';
/**
 * The grammar of each command: which options of its own it takes, their values, and what it accepts besides. The
 * settings flags (every input of src/settings/inputs.ts) are shared by all commands and are not repeated here. How
 * each is described in `--help` lives in command-help.ts, which only `--help` loads: every run parses this table,
 * and `credential-process` answering from the cache should not compile 20 KiB of prose to do so.
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
}

export interface CommandSpec {
  readonly name: CommandName;
  /** The grammar in one line, for `--help` and for usage errors. */
  readonly usage: string;
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

const CONFIG_OPTION = {
  name: 'config',
  value: 'PATH',
} as const satisfies OptionSpec;

/** How a person signs in: every command that may sign one in (auth, roles) takes these, over the providers file. */
const SIGN_IN_OPTIONS = [
  { name: 'issuer', value: 'URL' },
  { name: 'client-id', value: 'ID' },
  {
    name: 'scopes',
    value: 'LIST',
  },
  {
    name: 'browser',
    value: 'COMMAND',
  },
  { name: 'login-timeout-s', value: 'SECONDS' },
  {
    name: 'session-store',
    value: 'STORE',
    choices: ['auto', 'keychain', 'file'],
  },
] as const satisfies readonly OptionSpec[];

const AUDIENCES_COMMAND = {
  name: 'audiences',
  usage:
    'audiences sync --role NAME [--audience ID --provider ARN] | audiences prune [--role NAME] --provider ARN|ISSUER… [--keep ID…] [--apply] [--assume-role ARN] [flags]',
  options: [
    {
      name: 'role',
      value: 'NAME',
    },
    {
      name: 'audience',
      value: 'ID',
    },
    {
      name: 'provider',
      value: 'ARN',
      repeatable: true,
    },
    {
      name: 'keep',
      value: 'ID',
      repeatable: true,
    },
    { name: 'apply' },
    {
      name: 'assume-role',
      value: 'ARN',
    },
    {
      name: 'profile',
      value: 'NAME',
    },
    { name: 'iam-endpoint', value: 'URL' },
    { name: 'sts-endpoint', value: 'URL' },
    {
      name: 'region',
      value: 'REGION',
    },
    { name: 'format', value: 'FORMAT', choices: TOKEN_FORMATS },
  ],
  program: false,
  positional: { name: '<sync|prune>', required: true },
  settings: false,
  ownSettings: [],
} as const satisfies CommandSpec;

// `as const` keeps every option's name as a literal type: command-help.ts must then describe exactly these options.
const TABLE = [
  {
    name: 'exec',
    usage: 'exec [flags] -- <program> [args…]',
    options: [],
    program: true,
    ownSettings: [],
  },
  {
    name: 'env',
    usage: 'env [--format export|dotenv|json|powershell] [--output-file PATH] [flags]',
    options: [
      { name: 'format', value: 'FORMAT', choices: SHELL_FORMATS },
      { name: 'output-file', value: 'PATH' },
    ],
    program: false,
    ownSettings: [],
  },
  {
    name: 'credential-process',
    usage: 'credential-process [--no-cache] [--cache-margin-s SECONDS] [flags]',
    options: [
      { name: 'no-cache' },
      {
        name: 'cache-margin-s',
        value: 'SECONDS',
      },
    ],
    program: false,
    ownSettings: [],
  },
  {
    name: 'profile',
    usage: 'profile --aws-profile NAME [--refreshable] [flags] | profile --aws-profile NAME --remove',
    options: [
      {
        name: 'refreshable',
      },
      {
        name: 'remove',
      },
    ],
    program: false,
    ownSettings: PROFILE_SETTINGS,
  },
  {
    name: 'token',
    usage: 'token [--format text|json] [flags]',
    options: [{ name: 'format', value: 'FORMAT', choices: TOKEN_FORMATS }],
    program: false,
    ownSettings: PROFILE_SETTINGS,
  },
  {
    name: 'doctor',
    usage: 'doctor (--template FILE… | --policy FILE.json) [token context] [--role-arn ARN] [--format text|json|sarif]',
    options: [
      {
        name: 'template',
        value: 'FILE',
        repeatable: true,
      },
      { name: 'policy', value: 'FILE', repeatable: true },
      { name: 'live' },
      {
        name: 'profile',
        value: 'NAME',
      },
      {
        name: 'iam-endpoint',
        value: 'URL',
      },
      {
        name: 'role-arn',
        value: 'ARN',
      },
      {
        name: 'client-id',
        value: 'ID',
        repeatable: true,
      },
      {
        name: 'claims-file',
        value: 'FILE',
      },
      {
        name: 'claim',
        value: 'KEY=VALUE',
        repeatable: true,
      },
      {
        name: 'github-repository',
        value: 'OWNER/REPO',
      },
      { name: 'github-ref', value: 'REF' },
      {
        name: 'github-environment',
        value: 'NAME',
      },
      { name: 'github-event', value: 'EVENT' },
      {
        name: 'github-workflow-ref',
        value: 'REF',
      },
      {
        name: 'github-sub-claims',
        value: 'KEYS',
      },
      {
        name: 'jenkins-issuer',
        value: 'URL',
      },
      { name: 'jenkins-job', value: 'JOB' },
      { name: 'jenkins-build', value: 'N' },
      {
        name: 'cognito-issuer',
        value: 'URL',
      },
      { name: 'format', value: 'FORMAT', choices: DOCTOR_FORMATS },
      {
        name: 'fail-on',
        value: 'SEVERITY',
        choices: ['error', 'warning', 'note', 'none'],
      },
    ],
    program: false,
    ownSettings: [],
  },
  {
    name: 'auth',
    usage: 'auth <provider> [--device] [--format credential-process|export|dotenv|json|powershell] [flags]',
    options: [
      CONFIG_OPTION,
      { name: 'device' },
      { name: 'format', value: 'FORMAT', choices: AUTH_FORMATS },
      ...SIGN_IN_OPTIONS,
    ],
    program: false,
    positional: { name: '<provider>', required: true },
    ownSettings: [],
  },
  {
    name: 'logout',
    usage: 'logout [<provider>] [--config PATH]',
    options: [CONFIG_OPTION],
    program: false,
    positional: { name: '<provider>', required: false },
    ownSettings: [],
  },
  {
    name: 'roles',
    usage:
      'roles <provider> (--live [--profile NAME] [--iam-endpoint URL] | --template FILE…) [--all] [--format text|json]',
    options: [
      CONFIG_OPTION,
      { name: 'live' },
      {
        name: 'profile',
        value: 'NAME',
      },
      {
        name: 'iam-endpoint',
        value: 'URL',
      },
      {
        name: 'template',
        value: 'FILE',
        repeatable: true,
      },
      { name: 'all' },
      { name: 'format', value: 'FORMAT', choices: TOKEN_FORMATS },
      { name: 'device' },
      ...SIGN_IN_OPTIONS,
    ],
    program: false,
    positional: { name: '<provider>', required: true },
    // The settings that decide which token STS sees (and the session name it is judged with), as auth reads them.
    settings: [...EXCHANGE_ROUTE_INPUTS, 'role-session-name', 'http-proxy', 'no-proxy'],
    ownSettings: [],
  },
  {
    name: 'console',
    usage: 'console [--profile NAME] [--destination URL] [--session-duration-s N] [--print]',
    options: [
      {
        name: 'profile',
        value: 'NAME',
      },
      {
        name: 'destination',
        value: 'URL',
      },
      {
        name: 'session-duration-s',
        value: 'SECONDS',
      },
      { name: 'region', value: 'REGION' },
      {
        name: 'browser',
        value: 'COMMAND',
      },
      {
        name: 'signin-endpoint',
        value: 'URL',
      },
      { name: 'print' },
    ],
    program: false,
    settings: false,
    ownSettings: [],
  },
  AUDIENCES_COMMAND,
] as const satisfies readonly CommandSpec[];

export const COMMANDS: readonly CommandSpec[] = TABLE;

/** The names of a command's own options, as the table spells them. */
export type OptionNameOf<N extends CommandName> = Extract<
  (typeof TABLE)[number],
  { name: N }
>['options'][number]['name'];

const GLOBAL_TABLE = [{ name: 'quiet' }, { name: 'debug' }, { name: 'help' }] as const satisfies readonly OptionSpec[];

export const GLOBAL_OPTIONS: readonly OptionSpec[] = GLOBAL_TABLE;
export type GlobalOptionName = (typeof GLOBAL_TABLE)[number]['name'];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
