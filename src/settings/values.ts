import { InputError } from '../errors';
import { oneLine } from '../printable';
import { shownValue } from '../secrets';
import { inputSpec } from './inputs';

/**
 * Reads one setting the same way in every entry point: the explicit value (action input or CLI flag) wins, then the
 * environment variables the input table lists for the mode (the action: only those configure-aws-credentials reads).
 * Whitespace around values is trimmed, as @actions/core does.
 */
export interface SettingsSource {
  readonly mode: 'action' | 'cli';
  /** `INPUT_<NAME>` in the action, `--<name>` on the command line. */
  explicit(name: string): string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly homedir: string;
}

/** A setting's value as a debug line may show it: never a secret input's, never a long document in full. */
function describeValue(name: string, value: string): string {
  if (inputSpec(name).secret) return '(secret, not shown)';
  return value.length > 120 ? `(${value.length} characters)` : oneLine(value);
}

export class SettingsReader {
  /** For --debug: where each setting that was read came from, and the decisions taken on them. */
  private readonly origins = new Map<string, string>();
  private readonly decisions: string[] = [];

  constructor(readonly source: SettingsSource) {}

  /** Records a decision (which token source, and why) for the debug lines. */
  decide(line: string): void {
    this.decisions.push(line);
  }

  /** One debug line per setting given (value shown unless secret) and per decision; the rest are defaults. */
  provenance(): string[] {
    const given = [...this.origins].map(([name, from]) => `setting ${name} from ${from}`);
    return [...given, 'every other setting: its default', ...this.decisions];
  }

  /** The environment variables this setting falls back to in this mode. */
  fallbacks(name: string): readonly string[] {
    const spec = inputSpec(name);
    return this.source.mode === 'action' ? spec.actionEnv : spec.env;
  }

  /** The environment variable that supplied this setting, when no input or flag did. */
  variable(name: string): string | undefined {
    if (this.source.explicit(name)?.trim()) return undefined;
    return this.fallbacks(name).find((variable) => this.source.env[variable]?.trim());
  }

  /** How the user spelled this setting (input, flag or the environment variable that supplied it), for errors. */
  label(name: string): string {
    const variable = this.variable(name);
    if (variable) return `environment variable ${variable} (${this.source.mode === 'cli' ? `--${name}` : name})`;
    return this.source.mode === 'cli' ? `--${name}` : `input "${name}"`;
  }

  string(name: string): string | undefined {
    const explicit = this.source.explicit(name)?.trim();
    const variable = explicit ? undefined : this.variable(name);
    const value = explicit || (variable === undefined ? undefined : this.source.env[variable]?.trim());
    if (value !== undefined) this.origins.set(name, `${this.label(name)}: ${describeValue(name, value)}`);
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.string(name);
    if (value === undefined) return fallback;
    if (value === 'true' || value === 'True' || value === 'TRUE') return true;
    if (value === 'false' || value === 'False' || value === 'FALSE') return false;
    throw new InputError(
      `${this.label(name)} must be true or false, got ${shownValue(value)}.`,
      'Use true, True, TRUE, false, False or FALSE.',
    );
  }

  integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.string(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `between ${min} and ${max}`;
      throw new InputError(`${this.label(name)} must be a whole number ${range}, got ${shownValue(value)}.`);
    }
    return Number(value);
  }

  /** One item per line (the action's multi-line inputs); blank lines are ignored. */
  lines(name: string): string[] {
    return (this.string(name) ?? '')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
  }

  json(name: string): unknown {
    const value = this.string(name);
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value);
    } catch (error) {
      // Node's message quotes the input itself ("…" is not valid JSON); only the position is safe to repeat.
      const at = /position (\d+)/.exec((error as Error).message)?.[1];
      throw new InputError(
        `${this.label(name)} is not valid JSON${at ? ` (at character ${Number(at) + 1})` : ''}: ${shownValue(value)}.`,
        'Check quotes and commas.',
      );
    }
  }
}
