import { shownValue } from '../secrets';
import { INPUTS, type InputSpec } from '../settings/inputs';
import {
  acceptsSetting,
  COMMANDS,
  type CommandName,
  type CommandSpec,
  commandSpec,
  GLOBAL_OPTIONS,
  PROFILE_SETTINGS,
} from './command-table';
import { UsageError } from './usage-error';

/** A parsed command line. Settings are kept as given; parseSettings validates them with the rest. */
export type Invocation =
  | { readonly kind: 'help'; readonly command?: CommandName }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'run';
      readonly command: CommandName;
      /** `--<input-name> value`, keyed by input name. */
      readonly settings: ReadonlyMap<string, string>;
      /** The command's own options (`--format`, `--output-file`, `--refreshable`). */
      readonly options: ReadonlyMap<string, string>;
      readonly program: readonly string[];
      /** The one word some commands take before their flags (`auth <provider>`). */
      readonly positional?: string;
      readonly quiet: boolean;
      readonly debug: boolean;
    };

/** Inputs given one item per line in the action; on the command line the flag is repeated instead. */
const LIST_SETTINGS = new Set(['managed-session-policies', 'transitive-tag-keys', 'profiles']);

/** Flags people reach for that would put a secret in argv (visible in `ps`, in `sh -x` traces, in Jenkins logs). */
const TOKEN_FLAGS = ['token', 'id-token', 'web-identity-token', 'oidc-token', 'request-token'];

const BOOLEAN_WORDS = /^(?:true|false|True|False|TRUE|FALSE)$/;

function refusedFlag(name: string, spec: InputSpec | undefined): UsageError | undefined {
  if (spec?.secret) {
    return new UsageError(
      `--${name} is not accepted: a command-line argument is visible to every process on the machine (ps) and in CI logs (sh -x).`,
      'The CLI starts from the CI OIDC token (--token-source). To assume a role with keys you already have, export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Jenkins: withCredentials) and pass --role-chaining.',
    );
  }
  if (name === 'client-secret') {
    return new UsageError(
      '--client-secret is not accepted: a command-line argument is visible to every process on the machine (ps).',
      'Put client-secret in the [provider NAME] section of the providers file (mode 0600); most providers need none with PKCE.',
    );
  }
  if (TOKEN_FLAGS.includes(name)) {
    return new UsageError(
      `--${name} is not accepted: a token on the command line is visible to every process on the machine (ps) and in CI logs (sh -x).`,
      'Put the token in a file (--web-identity-token-file PATH) or an environment variable (--token-source env:NAME).',
    );
  }
  if (spec?.actionOnly) {
    return new UsageError(
      `--${name} is an input of the GitHub Action only.`,
      'On the command line choose the delivery with the command: exec, env, credential-process or profile.',
    );
  }
  return undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function suggestion(word: string, candidates: readonly string[], prefix = ''): string {
  const best = candidates
    .map((c) => ({ c, d: editDistance(word, c) }))
    .filter(({ d }) => d <= Math.max(2, Math.floor(word.length / 4)))
    .sort((x, y) => x.d - y.d)[0];
  return best ? ` Did you mean ${prefix}${best.c}?` : '';
}

/** The flags a command accepts, for "unknown flag" messages and help. */
export function validFlags(command: CommandSpec): string[] {
  const settings = INPUTS.filter((i) => acceptsSetting(command, i)).map((i) => i.name);
  return [...command.options.map((o) => o.name), ...GLOBAL_OPTIONS.map((o) => o.name), ...settings];
}

function parseCommandArgs(command: CommandSpec, args: readonly string[]): Invocation {
  const settings = new Map<string, string>();
  const options = new Map<string, string>();
  let program: string[] = [];
  let quiet = false;
  let debug = false;
  let positional: string | undefined;
  const usageHint = `Run \`node dist/index.js ${command.name} --help\` for the flags it takes.`;

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      if (!command.program) {
        throw new UsageError(
          `The ${command.name} command does not run a program; remove "--" and what follows.`,
          usageHint,
        );
      }
      program = args.slice(i + 1);
      break;
    }
    if (arg === '-h' || arg === '--help') return { kind: 'help', command: command.name };
    if (!arg.startsWith('--') && command.positional && positional === undefined && i === 0) {
      positional = arg;
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new UsageError(
        command.program
          ? `Unexpected argument ${shownValue(arg)}: put the program after "--": ${command.usage}.`
          : `Unexpected argument ${shownValue(arg)}: the ${command.name} command takes flags only (${command.usage}).`,
        usageHint,
      );
    }
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals < 0 ? undefined : equals);
    const inline = equals < 0 ? undefined : arg.slice(equals + 1);
    const input = INPUTS.find((s) => s.name === name);
    const refused = refusedFlag(name, input);
    if (refused) throw refused;

    const option = command.options.find((o) => o.name === name) ?? GLOBAL_OPTIONS.find((o) => o.name === name);
    // Secret and action-only inputs were refused just above; what is left is a matter of which command.
    const isSetting = input !== undefined && acceptsSetting(command, input);
    if (!option && !isSetting) {
      if (input && PROFILE_SETTINGS.includes(input.name)) {
        throw new UsageError(`--${name} is only used by the profile command.`, usageHint);
      }
      if (input) {
        throw new UsageError(`--${name} is not a setting of the ${command.name} command.`, usageHint);
      }
      const valid = validFlags(command);
      throw new UsageError(
        `Unknown flag --${name} for ${command.name}.${suggestion(name, valid, '--')}`,
        `Valid flags: ${valid.map((f) => `--${f}`).join(', ')}.`,
      );
    }

    const isSwitch = option ? option.value === undefined : input?.boolean === true;
    let value: string;
    if (inline !== undefined) {
      value = inline;
    } else if (isSwitch) {
      const next = args[i + 1];
      if (next !== undefined && BOOLEAN_WORDS.test(next)) {
        value = next;
        i++;
      } else {
        value = 'true';
      }
    } else {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new UsageError(`--${name} needs a value.`, usageHint);
      }
      value = next;
      i++;
    }
    if (value.trim() === '') throw new UsageError(`--${name} was given an empty value.`, usageHint);

    if (option) {
      if (option.choices && !option.choices.includes(value)) {
        throw new UsageError(`--${name} must be one of ${option.choices.join(', ')}; got ${shownValue(value)}.`);
      }
      if (isSwitch && !BOOLEAN_WORDS.test(value))
        throw new UsageError(`--${name} takes true or false, got ${shownValue(value)}.`);
      const on = value.toLowerCase() === 'true';
      if (name === 'quiet') quiet = on;
      else if (name === 'debug') debug = on;
      else if (name === 'help') {
        if (on) return { kind: 'help', command: command.name };
      } else if (options.has(name)) {
        if (!option.repeatable) throw new UsageError(`--${name} is given twice.`);
        options.set(name, `${options.get(name)}\n${value}`);
      } else options.set(name, value);
      continue;
    }
    const previous = settings.get(name);
    if (previous !== undefined) {
      if (!LIST_SETTINGS.has(name)) throw new UsageError(`--${name} is given twice.`);
      settings.set(name, `${previous}\n${value}`);
    } else {
      settings.set(name, value);
    }
  }
  if (command.program && program.length === 0) {
    throw new UsageError(`The ${command.name} command needs a program to run: ${command.usage}.`, usageHint);
  }
  if (command.positional?.required && positional === undefined) {
    throw new UsageError(`The ${command.name} command needs ${command.positional.name}: ${command.usage}.`, usageHint);
  }
  return {
    kind: 'run',
    command: command.name,
    settings,
    options,
    program,
    quiet,
    debug,
    ...(positional === undefined ? {} : { positional }),
  };
}

/** `<command> [flags] [-- program args…]`, or `--help` / `--version` / `help [command]`. */
export function parseArgs(argv: readonly string[]): Invocation {
  const first = argv[0];
  const names = COMMANDS.map((c) => c.name);
  if (first === undefined) {
    throw new UsageError('No command given.', `Commands: ${names.join(', ')}. Run --help for details.`);
  }
  if (first === '--help' || first === '-h') return { kind: 'help' };
  if (first === '--version' || first === '-V' || first === 'version') return { kind: 'version' };
  if (first === 'help') {
    const topic = argv[1];
    if (topic === undefined) return { kind: 'help' };
    const spec = commandSpec(topic);
    if (!spec) throw new UsageError(`Unknown command "${topic}".`, `Commands: ${names.join(', ')}.`);
    return { kind: 'help', command: spec.name };
  }
  const spec = commandSpec(first);
  if (!spec) {
    throw new UsageError(
      first.startsWith('-')
        ? `Expected a command before the flags, got ${shownValue(first)}.`
        : `Unknown command ${shownValue(first)}.${suggestion(first, names)}`,
      `Commands: ${names.join(', ')}. Run --help for details.`,
    );
  }
  return parseCommandArgs(spec, argv.slice(1));
}
