/**
 * Black box: the built CLI with a person's sign-in kept in a real Secret Service (gnome-keyring on a private bus).
 * `auth` takes the ID token from the keychain (no browser), the role credentials it keeps are served afterwards
 * without starting any keychain process, `logout` removes the sign-in from the keychain and the file, and no token
 * ever appears in the argv of secret-tool (recorded by a stand-in in front of the real one).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findKeychain } from '../../src/auth/keychain/find-keychain';
import { authPaths } from '../../src/auth/paths';
import { writeSignIn } from '../../src/auth/session-store';
import { silentLogger } from '../../src/log';
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { recordingTool, toolCalls } from '../support/recording-tool';
import { type SecretService, startSecretService } from '../support/secret-service';
import { type StsFake, startStsFake } from '../support/sts-fake';
import { recordedStarts, recorderCommand } from './support/people';

let service: SecretService;
let sts: StsFake;
let bin: string;

beforeAll(async () => {
  service = await startSecretService();
  sts = await startStsFake({ accountId: '111122223333' });
  bin = mkdtempSync(join(tmpdir(), 'secret-tool-bin-'));
  recordingTool(bin, 'secret-tool', { real: '/usr/bin/secret-tool' });
}, 30_000);

afterAll(async () => {
  await service?.close();
  await sts?.close();
  rmSync(bin, { recursive: true, force: true });
  cleanupCliDirs();
});

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const ISSUER = 'https://login.example.com';

test('auth takes the sign-in from the keychain, then serves kept credentials without it; logout removes both', async () => {
  const dir = cliDir();
  const argvFile = join(dir, 'browser-argv.jsonl');
  const config = join(dir, 'providers');
  writeFileSync(
    config,
    `[provider work]\nissuer = ${ISSUER}\nclient-id = laptop\nrole-to-assume = arn:aws:iam::111122223333:role/engineer\n` +
      `aws-region = us-east-1\nsession-store = keychain\nbrowser = ${recorderCommand(argvFile)}\n`,
  );
  const env = {
    ...cliEnv(dir),
    ...service.env,
    HOME: cliEnv(dir).HOME!,
    PATH: `${bin}:/usr/bin:/bin:${dirname(process.execPath)}`,
    KEYLESS_AWS_CONFIG: config,
    AWS_ENDPOINT_URL_STS: sts.url,
  };
  const idToken = `${segment({ alg: 'RS256' })}.${segment({ iss: ISSUER, sub: 'alice', aud: 'laptop', email: 'alice@example.com', exp: Math.floor(Date.now() / 1000) + 3600 })}.c2ln`;
  const refreshToken = `refresh-${'x'.repeat(64)}`;
  // As a sign-in leaves it (the browser part is people-login.test.ts's).
  const sessionDir = authPaths(env).sessionDir;
  await writeSignIn(
    {
      dir: sessionDir,
      choice: 'keychain',
      from: 'test',
      findKeychain: async () => findKeychain(env, 'linux'),
      log: silentLogger,
    },
    'work',
    { issuer: ISSUER, clientId: 'laptop', idToken, refreshToken },
  );
  const sessionText = () => readFileSync(join(sessionDir, 'work.json'), 'utf8');
  expect(sessionText()).not.toContain(idToken);
  const callsBefore = toolCalls(bin, 'secret-tool').length;

  const first = await runCli(['auth', 'work'], { env });
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(JSON.parse(first.stdout)).toMatchObject({ Version: 1, AccessKeyId: sts.issued[0]!.accessKeyId });
  expect(sts.requests.map((r) => r.action)).toEqual(['AssumeRoleWithWebIdentity']);
  expect(recordedStarts(argvFile)).toEqual([]); // no browser
  const firstCalls = toolCalls(bin, 'secret-tool').slice(callsBefore);
  expect(firstCalls.map((c) => c.argv)).toEqual([['lookup', 'service', 'keyless-aws', 'account', 'work']]);
  expect(sessionText()).not.toContain(idToken);
  expect(sessionText()).not.toContain(refreshToken);

  // The kept credentials: no keychain process, no STS.
  const second = await runCli(['auth', 'work'], { env });
  expect(second.code).toBe(0);
  expect(JSON.parse(second.stdout).AccessKeyId).toBe(sts.issued[0]!.accessKeyId);
  expect(toolCalls(bin, 'secret-tool').length).toBe(callsBefore + 1);
  expect(sts.requests).toHaveLength(1);

  const logout = await runCli(['logout', 'work'], { env });
  expect(logout.code).toBe(0);
  expect(logout.stderr).toContain('Signed out of work.');
  expect(existsSync(join(sessionDir, 'work.json'))).toBe(false);
  expect(await findKeychain(env, 'linux').keychain!.read('work')).toBeUndefined();

  for (const call of toolCalls(bin, 'secret-tool')) {
    expect(call.argv.join(' ')).not.toContain(idToken.split('.')[1]);
    expect(call.argv.join(' ')).not.toContain(refreshToken);
  }
}, 60_000);

test('session-store = keychain on a machine without one: exit 2 naming the setting and the fix', async () => {
  const dir = cliDir();
  const config = join(dir, 'providers');
  writeFileSync(
    config,
    `[provider work]\nissuer = ${ISSUER}\nclient-id = laptop\naws-region = us-east-1\nrole-to-assume = arn:aws:iam::111122223333:role/engineer\n`,
  );
  const env = { ...cliEnv(dir), PATH: `${bin}:/usr/bin:/bin:${dirname(process.execPath)}`, KEYLESS_AWS_CONFIG: config };
  const run = await runCli(['auth', 'work', '--session-store', 'keychain'], { env });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(
    'The setting session-store is keychain (from --session-store), but there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset).',
  );
  expect(run.stderr).toContain('Or set session-store to auto');
  const bad = await runCli(['auth', 'work'], { env: { ...env, KEYLESS_AWS_SESSION_STORE: 'vault' } });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('KEYLESS_AWS_SESSION_STORE must be one of auto, keychain, file, got "vault".');
});
