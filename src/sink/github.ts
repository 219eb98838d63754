import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { EOL } from 'node:os';
import { InputError } from '../errors';
import type { Logger } from '../log';
import { inertLine, oneLine, workflowCommand } from '../printable';
import { redact } from '../secrets';
import { appendAllOrNothing } from './atomic-file';

export { escapeData } from '../printable';

/** The runner's file-command format for one key: a heredoc with a random delimiter the value cannot contain. */
export function fileCommandEntry(name: string, value: string): string {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) {
    throw new Error('A value contained the file-command delimiter.');
  }
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
}

type FileCommand = 'GITHUB_ENV' | 'GITHUB_OUTPUT' | 'GITHUB_STATE';

/**
 * Talks to the Actions runner. Masks go out at once (before anything could print the secret); env, outputs and
 * state are collected and written in one append per file by `flush`, after every stage has succeeded, so a failed
 * run leaves GITHUB_ENV and GITHUB_OUTPUT untouched.
 */
export class GithubRunner {
  private readonly pending: Record<FileCommand, string[]> = { GITHUB_ENV: [], GITHUB_OUTPUT: [], GITHUB_STATE: [] };

  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly stdout: (text: string) => void = (t) => process.stdout.write(t),
  ) {}

  addMask(secret: string): void {
    this.stdout(`${workflowCommand('add-mask', secret)}${EOL}`);
  }

  /**
   * Every message is exactly one runner line: annotations through the runner's escaping, plain progress lines with
   * their line breaks shown as `\n` and any command syntax made inert, so no value can start a command of its own.
   */
  logger(debug: boolean): Logger {
    const command = (name: string, text: string) => this.stdout(`${workflowCommand(name, redact(text))}${EOL}`);
    return {
      info: (m) => this.stdout(`${inertLine(oneLine(redact(m)))}${EOL}`),
      warn: (m) => command('warning', m),
      debug: (m) => (debug ? command('debug', m) : undefined),
      error: (m) => command('error', m),
    };
  }

  /** Fails early, before any network call, when the runner did not provide the files we will need. */
  requireFiles(...names: FileCommand[]): void {
    for (const name of names) {
      const path = this.env[name];
      if (!path || !existsSync(path)) {
        throw new InputError(
          `${name} is not set or its file does not exist; this does not look like a GitHub Actions runner.`,
        );
      }
    }
  }

  exportVariable(name: string, value: string): void {
    this.pending.GITHUB_ENV.push(fileCommandEntry(name, value));
  }

  setOutput(name: string, value: string): void {
    this.pending.GITHUB_OUTPUT.push(fileCommandEntry(name, value));
  }

  saveState(name: string, value: string): void {
    this.pending.GITHUB_STATE.push(fileCommandEntry(name, value));
  }

  flush(): void {
    const names = (Object.keys(this.pending) as FileCommand[]).filter((name) => this.pending[name].length > 0);
    // Every target is checked before the first write: a missing file must not leave env written and outputs not.
    for (const name of names) {
      if (!this.env[name]) throw new InputError(`${name} is not set; this does not look like a GitHub Actions runner.`);
    }
    // All or nothing: a failed append (GITHUB_STATE after GITHUB_ENV, say) cuts the files written so far back.
    appendAllOrNothing(names.map((name) => ({ path: this.env[name]!, what: name, text: this.pending[name].join('') })));
    for (const name of names) this.pending[name].length = 0;
  }
}
