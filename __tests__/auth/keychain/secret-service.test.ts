/**
 * The Secret Service backend against a real gnome-keyring-daemon on a private D-Bus session bus. A recording
 * stand-in in front of /usr/bin/secret-tool shows what we handed it: the secret on stdin, never in argv.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKeychain } from '../../../src/auth/keychain/find-keychain';
import { type Keychain, KeychainError } from '../../../src/auth/keychain/keychain';
import { secretServiceKeychain } from '../../../src/auth/keychain/secret-service';
import { recordingTool, toolCalls } from '../../support/recording-tool';
import { type SecretService, startSecretService } from '../../support/secret-service';

let service: SecretService;
let bin: string;
let env: Record<string, string>;

beforeAll(async () => {
  service = await startSecretService();
  bin = mkdtempSync(join(tmpdir(), 'secret-tool-bin-'));
  recordingTool(bin, 'secret-tool', { real: '/usr/bin/secret-tool' });
  env = { ...service.env, PATH: `${bin}:/usr/bin:/bin` };
}, 30_000);

afterAll(async () => {
  await service?.close();
  rmSync(bin, { recursive: true, force: true });
});

function keychainOf(lookupEnv: Record<string, string>): Keychain {
  const found = findKeychain(lookupEnv, 'linux');
  if (!found.keychain) throw new Error(`no keychain: ${found.missing}`);
  return found.keychain;
}

// A refresh and ID token of Entra's size: larger than one Windows credential or one `security -i` line.
const secret = (tag: string) =>
  JSON.stringify({ idToken: `eyJ${tag}.${'a'.repeat(2500)}.sig`, refreshToken: `0.${'r'.repeat(1800)}` });

test('store, read, replace and remove round trip, the secret only ever on stdin', async () => {
  const keychain = keychainOf(env);
  const before = toolCalls(bin, 'secret-tool').length;
  expect(await keychain.read('work')).toBeUndefined();
  await keychain.write('work', secret('first'));
  expect(await keychain.read('work')).toBe(secret('first'));
  await keychain.write('work', secret('second'));
  expect(await keychain.read('work')).toBe(secret('second'));
  expect(await keychain.read('other')).toBeUndefined();
  expect(await keychain.remove('work')).toBe(true);
  expect(await keychain.read('work')).toBeUndefined();
  expect(await keychain.remove('work')).toBe(false);

  const calls = toolCalls(bin, 'secret-tool').slice(before);
  expect(calls.map((c) => c.argv[0])).toEqual([
    'lookup',
    'store',
    'lookup',
    'store',
    'lookup',
    'lookup',
    'clear',
    'lookup',
    'clear',
  ]);
  expect(calls[1]!.argv).toEqual([
    'store',
    '--label=keyless-aws sign-in (work)',
    'service',
    'keyless-aws',
    'account',
    'work',
  ]);
  expect(calls[1]!.stdin).toBe(secret('first'));
  for (const call of calls) {
    expect(call.argv.join(' ')).not.toMatch(/eyJ|rrrr|aaaa/);
    if (call.argv[0] !== 'store') expect(call.stdin).toBe('');
  }
});

test('no session bus: no keychain, found without starting any process', () => {
  const before = toolCalls(bin, 'secret-tool').length;
  const found = findKeychain({ PATH: env.PATH!, HOME: service.home }, 'linux');
  expect(found.keychain).toBeUndefined();
  expect(found).toMatchObject({ missing: expect.stringContaining('no D-Bus session bus') });
  expect(findKeychain({ PATH: '/nonexistent', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' }, 'linux')).toMatchObject({
    missing: 'secret-tool is not on PATH',
  });
  expect(toolCalls(bin, 'secret-tool').length).toBe(before);
});

test('a bus without a Secret Service is a keychain failure with secret-tool\'s reason, not "not found"', async () => {
  const keychain = keychainOf({ ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(service.home, 'no-such-bus')}` });
  await expect(keychain.read('work')).rejects.toThrow(KeychainError);
  await expect(keychain.write('work', secret('x'))).rejects.toThrow(/secret-tool store failed \(exit 1\)/);
});

test('a keychain that does not answer (a prompt nobody sees) ends in a timeout, not a hang', async () => {
  const hang = join(bin, 'hang.js');
  writeFileSync(hang, 'module.exports = () => setTimeout(() => {}, 60_000);');
  const sleeper = recordingTool(bin, 'hanging-secret-tool', { emulate: hang });
  const keychain = secretServiceKeychain({ path: sleeper, timeoutMs: 500, env: { PATH: '/usr/bin:/bin' } });
  const started = Date.now();
  const error = await keychain.read('work').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KeychainError);
  expect((error as KeychainError).timedOut).toBe(true);
  expect(Date.now() - started).toBeLessThan(5_000);
});
