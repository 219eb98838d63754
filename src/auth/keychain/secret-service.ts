/**
 * The freedesktop Secret Service (GNOME Keyring, KWallet, KeePassXC) through libsecret's `secret-tool`:
 * `store` reads the secret from stdin, `lookup` prints it on stdout, `clear` removes every item with the attributes.
 * An item is found by its attributes (service, account); the secret is never an argument.
 */
import { runTool } from '../../shared/run-tool';
import {
  failureOf,
  firstLine,
  type Keychain,
  KeychainError,
  SERVICE,
  TOOL_MAX_OUTPUT,
  TOOL_TIMEOUT_MS,
} from './keychain';

export interface SecretToolOptions {
  readonly path: string;
  readonly timeoutMs?: number;
  /** The tool's environment (the Secret Service is found through DBUS_SESSION_BUS_ADDRESS). */
  readonly env?: NodeJS.ProcessEnv;
}

export function secretServiceKeychain(options: SecretToolOptions): Keychain {
  const label = 'the Secret Service keychain';
  const run = async (args: string[], input?: string) => {
    const result = await runTool(options.path, args, {
      input,
      timeoutMs: options.timeoutMs ?? TOOL_TIMEOUT_MS,
      maxOutputBytes: TOOL_MAX_OUTPUT,
      env: options.env,
    });
    const failure = failureOf(label, 'secret-tool', result);
    if (failure || result.outcome !== 'exited') throw failure;
    return result;
  };
  const attributes = (account: string) => ['service', SERVICE, 'account', account];
  // secret-tool exits 1 with nothing on stderr when no item matches; with a message when it could not ask at all
  // (no Secret Service on the bus, a locked collection it may not unlock, a refused prompt).
  const fail = (verb: string, stderr: string, code: number) =>
    new KeychainError(label, `secret-tool ${verb} failed (exit ${code}): ${firstLine(stderr)}`);
  return {
    label,
    async read(account) {
      const result = await run(['lookup', ...attributes(account)]);
      if (result.code === 0) return result.stdout.replace(/\n$/, '');
      if (result.code === 1 && result.stderr.trim() === '') return undefined;
      throw fail('lookup', result.stderr, result.code);
    },
    async write(account, secret) {
      const result = await run(['store', `--label=keyless-aws sign-in (${account})`, ...attributes(account)], secret);
      if (result.code !== 0) throw fail('store', result.stderr, result.code);
    },
    async remove(account) {
      const result = await run(['clear', ...attributes(account)]);
      if (result.code === 0) return true;
      if (result.code === 1 && result.stderr.trim() === '') return false;
      throw fail('clear', result.stderr, result.code);
    },
  };
}
