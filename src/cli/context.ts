import { homedir } from 'node:os';
import type { Logger } from '../log';
import type { SettingsSource } from '../settings/values';
import type { Invocation } from './args';

export type Env = Readonly<Record<string, string | undefined>>;
export type RunInvocation = Extract<Invocation, { kind: 'run' }>;

/** What every command gets: its parsed command line, the environment as the user gave it, and where to write. */
export interface CommandContext {
  readonly invocation: RunInvocation;
  readonly env: Env;
  readonly log: Logger;
  /** The requested output, and nothing else, goes here. */
  readonly stdout: (text: string) => void;
  readonly cwd: string;
}

/** Flags first, then the environment variables of the input table: the same reader the action uses. */
export function cliSettingsSource(context: CommandContext): SettingsSource {
  const { settings } = context.invocation;
  return {
    mode: 'cli',
    explicit: (name) => settings.get(name),
    env: context.env,
    cwd: context.cwd,
    homedir: context.env.HOME || homedir(),
  };
}
