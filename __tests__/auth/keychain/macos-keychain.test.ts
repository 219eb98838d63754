/**
 * The macOS keychain backend, protocol-tested (this machine has no macOS): a stand-in for /usr/bin/security
 * (support/fake-security.js) emulates the behaviour our code relies on, including exit 44 for a missing item, the
 * 4095-byte line of `security -i` and its exit 0 when a command fails. The recorded argv and stdin are checked against
 * what the real tool expects.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeychainError } from '../../../src/auth/keychain/keychain';
import { MAX_COMMAND_LINE, macosKeychain } from '../../../src/auth/keychain/macos-keychain';
import { recordingTool, toolCalls } from '../../support/recording-tool';

let dir: string;
let db: string;
let security: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fake-security-'));
  db = join(dir, 'keychain.json');
  security = recordingTool(dir, 'security', { emulate: join(__dirname, '../../support/fake-security.js') });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const keychain = (extra: Record<string, string> = {}) =>
  macosKeychain({ path: security, env: { PATH: '/usr/bin:/bin', FAKE_SECURITY_DB: db, ...extra } });
const items = () => JSON.parse(readFileSync(db, 'utf8')) as Record<string, string>;
const ADD_LINE = /^add-generic-password -U -s keyless-aws -a (work(?::\d+)?) -X ([0-9a-f]+)$/;

// Entra-sized tokens: the sign-in needs several `security -i` lines.
const big = JSON.stringify({ idToken: `eyJ.${'i'.repeat(2600)}.s`, refreshToken: `0.${'r'.repeat(1900)}` });
const small = JSON.stringify({ idToken: 'eyJ.small.s', refreshToken: 'refresh-small' });

test('a large sign-in goes in parts on security -i stdin, hex after -X, each line within 4095 bytes', async () => {
  await keychain().write('work', big);
  const [write, ...after] = toolCalls(dir, 'security');
  expect(write!.argv).toEqual(['-i']);
  const lines = write!.stdin.split('\n');
  expect(lines.pop()).toBe(''); // every command ends with a newline
  expect(lines.length).toBeGreaterThan(1);
  const accounts = lines.map((line) => {
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_COMMAND_LINE);
    const match = ADD_LINE.exec(line);
    expect(match).not.toBeNull();
    return match![1];
  });
  // The first part is written last, so a reader never pairs a new first part with old others.
  expect(accounts.at(-1)).toBe('work');
  expect(after.map((c) => c.argv)).toEqual([
    ['find-generic-password', '-s', 'keyless-aws', '-a', 'work', '-w'], // read back: `security -i` exits 0 on failure
    ['delete-generic-password', '-s', 'keyless-aws', '-a', `work:${lines.length}`], // parts of a longer earlier write
  ]);
  expect(await keychain().read('work')).toBe(big);
  for (const call of toolCalls(dir, 'security')) {
    expect(call.argv.join(' ')).not.toMatch(/iiii|rrrr|eyJ/);
  }
});

test('replacing a large sign-in with a small one leaves no stale parts; remove removes every part', async () => {
  await keychain().write('work', big);
  await keychain().write('work', small);
  expect(Object.keys(items())).toEqual(['keyless-aws/work']);
  expect(await keychain().read('work')).toBe(small);
  await keychain().write('work', big);
  expect(Object.keys(items()).length).toBeGreaterThan(1);
  expect(await keychain().remove('work')).toBe(true);
  expect(items()).toEqual({});
  expect(await keychain().remove('work')).toBe(false);
  expect(await keychain().read('work')).toBeUndefined();
});

test('exit 44 is "no sign-in"; parts of two different writes are no sign-in either', async () => {
  expect(await keychain().read('work')).toBeUndefined();
  await keychain().write('work', big);
  const first = items();
  await keychain().write('work', big.replace(/i/g, 'j'));
  // A reader that met the new first part with an old second part (a write in between its two reads).
  writeFileSync(db, JSON.stringify({ ...items(), 'keyless-aws/work:1': first['keyless-aws/work:1'] }));
  expect(await keychain().read('work')).toBeUndefined();
});

test("a locked keychain is an error with the tool's reason: security -i exits 0 but says so on stderr", async () => {
  const locked = keychain({ FAKE_SECURITY_LOCKED: '1' });
  await expect(locked.write('work', small)).rejects.toThrow(
    'the macOS keychain: security add-generic-password failed (exit 0): security: SecKeychainItemCreateFromContent (<default>): User interaction is not allowed.',
  );
  const error = await locked.read('work').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KeychainError);
  expect((error as KeychainError).reason).toBe(
    'security find-generic-password failed (exit 36): security: SecKeychainSearchCopyNext: User interaction is not allowed.',
  );
});

test('a password security prints as hex (not printable text) is decoded', async () => {
  writeFileSync(
    db,
    JSON.stringify({ 'keyless-aws/work': Buffer.from('kla1:00000000:0:1:{"a":"\u00e9"}', 'utf8').toString('latin1') }),
  );
  expect(await keychain().read('work')).toBe('{"a":"\u00e9"}');
});
