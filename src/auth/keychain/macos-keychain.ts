/**
 * The macOS login keychain through /usr/bin/security, as zalando/go-keyring (the GitHub CLI's keyring) does it:
 * `find-generic-password -w` prints the password on stdout, `delete-generic-password` removes it, and writing goes
 * through `security -i`, whose commands are read from stdin, with the password hex-encoded after `-X`, so it is never
 * an argument of any process. `-U` updates an existing item in place. Exit code 44 (errSecItemNotFound) means
 * "The specified item could not be found in the keychain."
 */
import { runTool } from '../../shared/run-tool';
import {
  failureOf,
  firstLine,
  joinParts,
  type Keychain,
  KeychainError,
  MAX_PARTS,
  partAccount,
  partCount,
  SERVICE,
  splitSecret,
  TOOL_MAX_OUTPUT,
  TOOL_TIMEOUT_MS,
} from './keychain';

export const ITEM_NOT_FOUND = 44;
/** `security -i` reads a command line of at most 4095 bytes; a longer one is cut, storing a truncated item. */
export const MAX_COMMAND_LINE = 4095;

export interface SecurityOptions {
  readonly path: string;
  readonly timeoutMs?: number;
  /** The tool's environment (the Secret Service is found through DBUS_SESSION_BUS_ADDRESS). */
  readonly env?: NodeJS.ProcessEnv;
}

export function addCommand(account: string, part: string): string {
  return `add-generic-password -U -s ${SERVICE} -a ${account} -X ${Buffer.from(part, 'utf8').toString('hex')}`;
}

/** The most characters of one part that keep its command line within the limit (the account of the last part). */
function maxPartChars(account: string): number {
  return Math.floor((MAX_COMMAND_LINE - addCommand(partAccount(account, MAX_PARTS - 1), '').length) / 2);
}

export function macosKeychain(options: SecurityOptions): Keychain {
  const label = 'the macOS keychain';
  const run = async (args: string[], input?: string) => {
    const result = await runTool(options.path, args, {
      input,
      timeoutMs: options.timeoutMs ?? TOOL_TIMEOUT_MS,
      maxOutputBytes: TOOL_MAX_OUTPUT,
      env: options.env,
    });
    const failure = failureOf(label, 'security', result);
    if (failure || result.outcome !== 'exited') throw failure;
    return result;
  };
  const fail = (verb: string, stderr: string, code: number) =>
    new KeychainError(label, `security ${verb} failed (exit ${code}): ${firstLine(stderr)}`);

  const readPart = async (account: string): Promise<string | undefined> => {
    const result = await run(['find-generic-password', '-s', SERVICE, '-a', account, '-w']);
    if (result.code === ITEM_NOT_FOUND) return undefined;
    if (result.code !== 0) throw fail('find-generic-password', result.stderr, result.code);
    const text = result.stdout.replace(/\n$/, '');
    // security prints a password that is not printable text as hex; ours never is, but an edited item may be.
    return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex').toString('utf8') : text;
  };
  const deletePart = async (account: string): Promise<boolean> => {
    const result = await run(['delete-generic-password', '-s', SERVICE, '-a', account]);
    if (result.code === ITEM_NOT_FOUND) return false;
    if (result.code !== 0) throw fail('delete-generic-password', result.stderr, result.code);
    return true;
  };
  const deleteFrom = async (account: string, first: number): Promise<number> => {
    let index = first;
    while (index < MAX_PARTS && (await deletePart(partAccount(account, index)))) index += 1;
    return index - first;
  };

  return {
    label,
    async read(account) {
      const first = await readPart(account);
      if (first === undefined) return undefined;
      const parts = [first];
      for (let index = 1; index < partCount(first); index += 1) {
        const part = await readPart(partAccount(account, index));
        if (part === undefined) return undefined;
        parts.push(part);
      }
      return joinParts(parts);
    },
    async write(account, secret) {
      const parts = splitSecret(secret, maxPartChars(account));
      // The first part last: until it is replaced, readers see the old write (or, mid-way, none), never a mix.
      const script = parts.map((part, index) => `${addCommand(partAccount(account, index), part)}\n`).reverse();
      const result = await run(['-i'], script.join(''));
      // `security -i` exits 0 even when one of its commands failed; the failure is on stderr.
      if (result.code !== 0 || result.stderr.trim() !== '')
        throw fail('add-generic-password', result.stderr, result.code);
      if ((await readPart(account)) !== parts[0]) {
        throw new KeychainError(label, 'the item written could not be read back');
      }
      await deleteFrom(account, parts.length); // parts of a longer earlier write
    },
    async remove(account) {
      return (await deleteFrom(account, 0)) > 0;
    },
  };
}
