import { INPUTS } from '../settings/inputs';
import { TOKEN_SOURCE_NAMES } from '../settings/token-source';
import { COMMAND_HELP, type CommandHelp, GLOBAL_OPTION_HELP } from './command-help';
import {
  acceptsSetting,
  COMMANDS,
  type CommandName,
  commandSpec,
  GLOBAL_OPTIONS,
  type OptionSpec,
} from './command-table';

const INVOKE = 'node dist/index.js';

export const EXIT_CODES: readonly (readonly [string, string])[] = [
  ['0', 'success'],
  ['1', 'unexpected internal error'],
  ['2', 'usage or input error (nothing was fetched or written)'],
  ['3', 'no usable CI token (none found, endpoint refused, unreadable or malformed)'],
  [
    '4',
    'denied by AWS or Cognito (trust policy, audience, provider, account not allowed); doctor: the --role-arn role cannot be assumed',
  ],
  ['5', 'transient failure after retries, or timeout'],
  ['6', 'doctor: lint findings at or above --fail-on; audiences: the change was refused, nothing changed'],
  ['exec', "the program's exit code; 128+n if signal n ended it; 127 not found; 126 not executable"],
];

function wrap(text: string, indent: number, width = 100): string {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line.length > 0 && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines.map((l) => `${' '.repeat(indent)}${l}`).join('\n');
}

function table(rows: readonly (readonly [string, string])[], indent = 2): string {
  const width = Math.min(34, Math.max(...rows.map(([left]) => left.length)) + 2);
  return rows
    .map(([left, right]) => {
      const body = wrap(right, indent + width).trimStart();
      return left.length + 2 > width
        ? `${' '.repeat(indent)}${left}\n${' '.repeat(indent + width)}${body}`
        : `${' '.repeat(indent)}${left.padEnd(width)}${body}`;
    })
    .join('\n');
}

/** One row of an options table; `described` is the help of the options it belongs with, by name. */
function optionRow(option: OptionSpec, described: Readonly<Record<string, string>>): readonly [string, string] {
  return [`--${option.name}${option.value ? ` ${option.value}` : ''}`, described[option.name]!];
}

const globalRow = (option: OptionSpec) => optionRow(option, GLOBAL_OPTION_HELP);

function settingsRows(command: CommandName): (readonly [string, string])[] {
  const spec = commandSpec(command)!;
  return INPUTS.filter((i) => acceptsSetting(spec, i)).map((i) => {
    const env = i.env.length > 0 ? ` [env: ${i.env.join(', ')}]` : '';
    return [`--${i.name}${i.boolean ? '' : ' <value>'}`, `${i.description}${env}`] as const;
  });
}

export function globalHelp(version: string): string {
  return [
    `keyless-aws ${version}: CI OIDC token → short-lived AWS credentials, without stored keys.`,
    '',
    `Usage: ${INVOKE} <command> [--<setting> <value> …] [-- <program> <args…>]`,
    '',
    'Commands:',
    table(COMMANDS.map((c) => [c.name, COMMAND_HELP[c.name].summary])),
    '',
    'Settings are the GitHub Action inputs as flags (--role-to-assume, --aws-region, --token-source, …); each',
    'falls back to its environment variable (e.g. AWS_ROLE_ARN, AWS_REGION). A flag wins over the environment.',
    'Boolean flags may be given bare (--role-chaining). No flag takes a secret: tokens and keys come from files,',
    'the environment or the CI token endpoint.',
    '',
    `Token sources (--token-source): ${TOKEN_SOURCE_NAMES.join(', ')}.`,
    'auto looks, in order, for: web-identity-token-file / AWS_WEB_IDENTITY_TOKEN_FILE; ACTIONS_ID_TOKEN_REQUEST_URL',
    '+ _TOKEN (GitHub); JENKINS_ID_TOKEN_REQUEST_URL + _TOKEN (keyless-aws token service); GITLAB_OIDC_TOKEN,',
    'AWS_ID_TOKEN, ID_TOKEN; CIRCLE_OIDC_TOKEN_V2, CIRCLE_OIDC_TOKEN; BITBUCKET_STEP_OIDC_TOKEN; Buildkite agent.',
    '',
    'Global flags:',
    table([...GLOBAL_OPTIONS.map(globalRow), ['--version', 'Print the version.']]),
    '',
    'Exit codes:',
    table(EXIT_CODES),
    '',
    `Run \`${INVOKE} <command> --help\` for a command's flags and examples.`,
    '',
  ].join('\n');
}

export function commandHelp(name: CommandName): string {
  const spec = commandSpec(name)!;
  // Any command's help, read by name: what the types of command-help.ts guarantee is that every name is there.
  const help: Omit<CommandHelp<CommandName>, 'options'> & { readonly options: Readonly<Record<string, string>> } =
    COMMAND_HELP[name];
  const parts = [`Usage: ${INVOKE} ${spec.usage}`, '', wrap(help.summary, 0), '', wrap(help.description, 0), ''];
  const own = (option: OptionSpec) => optionRow(option, help.options);
  if (spec.options.length > 0) parts.push(`Options of ${name}:`, table(spec.options.map(own)), '');
  parts.push('Global flags:', table(GLOBAL_OPTIONS.map(globalRow)), '');
  parts.push('Settings (flag > environment variable):', table(settingsRows(name)), '');
  parts.push(
    'Examples:',
    ...help.examples.map(
      (e) => `  ${e.startsWith('node ') || e.startsWith('{') || e.startsWith('AWS_') ? e : `${INVOKE} ${e}`}`,
    ),
    '',
  );
  parts.push('Exit codes:', table(EXIT_CODES), '');
  return parts.join('\n');
}
