/**
 * Windows Credential Manager, protocol-tested (this machine has no Windows): a stand-in for powershell.exe
 * (support/fake-powershell.js) checks the invocation and the script's P/Invoke declarations and emulates
 * CredWriteW/CredReadW/CredDeleteW on a file, including the 2560-byte blob limit and ERROR_NOT_FOUND.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CRED_MAX_CREDENTIAL_BLOB_SIZE,
  operationScript,
  POWERSHELL_ARGS,
  stdinFor,
  windowsCredentials,
} from '../../../src/auth/keychain/windows-credentials';
import { recordingTool, toolCalls } from '../../support/recording-tool';

let dir: string;
let db: string;
let powershell: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fake-powershell-'));
  db = join(dir, 'credman.json');
  powershell = recordingTool(dir, 'powershell.exe', { emulate: join(__dirname, '../../support/fake-powershell.js') });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const vault = (extra: Record<string, string> = {}) =>
  windowsCredentials({ path: powershell, env: { PATH: '/usr/bin:/bin', FAKE_CREDMAN_DB: db, ...extra } });
const credentials = () => JSON.parse(readFileSync(db, 'utf8')) as Record<string, string>;

// Entra-sized: an ID token of 2.6 kB and a refresh token of 1.9 kB, over one credential's 2560 bytes.
const big = JSON.stringify({ idToken: `eyJ.${'i'.repeat(2600)}.s`, refreshToken: `0.${'r'.repeat(1900)}` });

test('a sign-in over 2560 bytes is kept as parts, each within CRED_MAX_CREDENTIAL_BLOB_SIZE', async () => {
  await vault().write('work', big);
  const stored = credentials();
  expect(Object.keys(stored)).toEqual(['keyless-aws:work:1', 'keyless-aws:work']); // the first part written last
  for (const blob of Object.values(stored)) {
    expect(Buffer.from(blob, 'base64').length).toBeLessThanOrEqual(CRED_MAX_CREDENTIAL_BLOB_SIZE);
  }
  expect(await vault().read('work')).toBe(big);
});

test('the secret is only on stdin, inside the one line PowerShell runs; argv is fixed', async () => {
  await vault().write('work', big);
  await vault().read('work');
  await vault().remove('work');
  const calls = toolCalls(dir, 'powershell.exe');
  expect(calls).toHaveLength(3);
  for (const call of calls) {
    expect(call.argv).toEqual([...POWERSHELL_ARGS]);
    expect(call.stdin.split('\n')).toHaveLength(2); // one line and its newline
    expect(call.stdin).not.toMatch(/iiii|rrrr|eyJ/); // base64 inside base64: not even a token's prefix shows
  }
  expect(calls[1]!.stdin).toBe(stdinFor(operationScript('read', 'keyless-aws:work')));
});

test('replace with a smaller sign-in drops old parts; remove removes all; a missing one is "no sign-in"', async () => {
  expect(await vault().read('work')).toBeUndefined();
  await vault().write('work', big);
  await vault().write('work', '{"idToken":"eyJ.small.s"}');
  expect(Object.keys(credentials())).toEqual(['keyless-aws:work']);
  expect(await vault().read('work')).toBe('{"idToken":"eyJ.small.s"}');
  expect(await vault().remove('work')).toBe(true);
  expect(await vault().remove('work')).toBe(false);
  expect(credentials()).toEqual({});
});

test('Credential Manager refusing is an error with the Win32 code, never the secret', async () => {
  const error = await vault({ FAKE_CREDMAN_DENY: '5' })
    .write('work', big)
    .catch((e: Error) => e);
  expect((error as Error).message).toBe('Windows Credential Manager: Credential Manager refused (Win32 error 5)');
});

test('a quote in a target name survives PowerShell quoting', () => {
  expect(operationScript('read', "keyless-aws:o'brien")).toContain("'keyless-aws:o''brien'");
});

test('a typographic quote in a target name is doubled too: PowerShell ends a single-quoted string at it', () => {
  for (const q of ['\u2018', '\u2019', '\u201a', '\u201b']) {
    const script = operationScript('remove', `keyless-aws:x${q}; Start-Process calc; ${q}`);
    expect(script).toContain(`'keyless-aws:x${q}${q}; Start-Process calc; ${q}${q}'`);
  }
});
