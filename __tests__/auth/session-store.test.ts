/**
 * Kept sign-ins with the OS keychain, against a real Secret Service (gnome-keyring-daemon on a private D-Bus session
 * bus): where the tokens go under each session-store, what the file keeps, fallbacks and their messages, logout.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepCredentials, keptSession } from '../../src/auth/credential-cache';
import { findKeychain } from '../../src/auth/keychain/find-keychain';
import { type SignedIn, sessionFile } from '../../src/auth/session-file';
import { readSignIn, removeSessions, type SessionStore, writeSignIn } from '../../src/auth/session-store';
import { signIn } from '../../src/auth/sign-in';
import type { StoreChoice } from '../../src/auth/store-choice';
import { InputError } from '../../src/errors';
import { silentLogger } from '../../src/log';
import { recordingTool, toolCalls } from '../support/recording-tool';
import { type SecretService, startSecretService } from '../support/secret-service';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'session-store-'));
  chmodSync(dir, 0o700);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('with the OS keychain (a real Secret Service on a private bus)', () => {
  let service: SecretService;
  let bin: string;
  let env: Record<string, string>;
  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (m: string) => warnings.push(m) };

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
  beforeEach(() => {
    warnings.length = 0;
  });

  const store = (choice: StoreChoice, storeEnv = env): SessionStore => ({
    dir,
    choice,
    from: '--session-store',
    findKeychain: async () => findKeychain(storeEnv, 'linux'),
    log,
  });
  const calls = () => toolCalls(bin, 'secret-tool');
  const jwt = (sub: string, lifetimeS = 3600) =>
    [
      Buffer.from('{"alg":"RS256"}').toString('base64url'),
      Buffer.from(JSON.stringify({ sub, exp: Math.floor(Date.now() / 1000) + lifetimeS })).toString('base64url'),
      'signature',
    ].join('.');
  const signed = (sub: string): SignedIn => ({
    issuer: 'http://127.0.0.1:9/issuer',
    clientId: 'laptop',
    idToken: jwt(sub),
    refreshToken: `refresh-${sub}-${'r'.repeat(40)}`,
  });
  const fileText = (provider = 'work') => readFileSync(sessionFile(dir, provider), 'utf8');

  test('auto: the tokens go to the keychain, the file keeps only who and a digest; read, replace, logout', async () => {
    const first = signed('alice');
    await writeSignIn(store('auto'), 'work', first);
    expect(fileText()).not.toContain(first.idToken);
    expect(fileText()).not.toContain(first.refreshToken);
    expect(JSON.parse(fileText())).toMatchObject({ inKeychain: true, issuer: first.issuer, clientId: 'laptop' });
    expect(statSync(sessionFile(dir, 'work')).mode & 0o777).toBe(0o600);
    expect(await readSignIn(store('auto'), 'work')).toEqual(first);

    const second = signed('bob');
    await writeSignIn(store('keychain'), 'work', second);
    expect(await readSignIn(store('keychain'), 'work')).toEqual(second);

    expect(await removeSessions(store('auto'), ['work'])).toEqual(['work']);
    expect(existsSync(sessionFile(dir, 'work'))).toBe(false);
    const found = await findKeychain(env, 'linux').keychain!.read('work');
    expect(found).toBeUndefined();
    expect(warnings).toEqual([]);
    for (const call of calls()) {
      expect(call.argv.join(' ')).not.toContain(first.idToken);
      expect(call.argv.join(' ')).not.toContain('refresh-');
    }
  });

  test('a sign-in kept in the keychain serves signIn with no browser and no network', async () => {
    const kept = signed('carol');
    await writeSignIn(store('auto'), 'work', kept);
    const browserLog = join(dir, 'browser-started');
    const idToken = await signIn({
      provider: { name: 'work', issuer: kept.issuer, clientId: 'laptop', scopes: 'openid' },
      store: store('auto'),
      device: false,
      browser: `touch ${browserLog} {}`,
      timeoutMs: 2_000,
      log,
    });
    expect(idToken).toBe(kept.idToken);
    expect(existsSync(browserLog)).toBe(false);
  });

  test('credentials kept beside a keychain sign-in are served from the file without asking the keychain', async () => {
    const kept = signed('dave');
    await writeSignIn(store('auto'), 'work', kept);
    const session = {
      credentials: {
        accessKeyId: 'ASIAEXAMPLE',
        secretAccessKey: 'secret-key',
        sessionToken: 'session-token',
        expiration: new Date(Date.now() + 3_600_000),
      },
      accountId: '123456789012',
      arn: 'arn:aws:sts::123456789012:assumed-role/r/dave',
    };
    await keepCredentials(dir, 'work', 'key', kept.idToken, session);
    // Another sign-in's token must not attach credentials to this one.
    await keepCredentials(dir, 'work', 'other-key', signed('mallory').idToken, session);
    const before = calls().length;
    expect(keptSession(dir, 'work', 'key')?.credentials.accessKeyId).toBe('ASIAEXAMPLE');
    expect(keptSession(dir, 'work', 'other-key')).toBeUndefined();
    expect(calls().length).toBe(before);
    expect(fileText()).not.toContain(kept.idToken);
  });

  test('a session file from before the keychain keeps working, and moves to the keychain on the next write', async () => {
    const legacy = signed('erin');
    writeFileSync(sessionFile(dir, 'work'), JSON.stringify(legacy), { mode: 0o600 });
    const before = calls().length;
    expect(await readSignIn(store('auto'), 'work')).toEqual(legacy);
    expect(calls().length).toBe(before); // read from the file: no keychain process
    const refreshed = signed('erin-refreshed');
    await writeSignIn(store('auto'), 'work', refreshed);
    expect(fileText()).not.toContain('refresh-');
    expect(await readSignIn(store('auto'), 'work')).toEqual(refreshed);
  });

  test('file: never asks the keychain', async () => {
    const before = calls().length;
    const kept = signed('frank');
    await writeSignIn(store('file'), 'work', kept);
    expect(await readSignIn(store('file'), 'work')).toEqual(kept);
    expect(JSON.parse(fileText())).toMatchObject({ idToken: kept.idToken });
    expect(calls().length).toBe(before);
  });

  test('auto without a session bus uses the file silently; keychain without one is an error naming the setting', async () => {
    const noBus = { PATH: env.PATH!, HOME: service.home };
    const kept = signed('grace');
    await writeSignIn(store('auto', noBus), 'work', kept);
    expect(JSON.parse(fileText())).toMatchObject({ idToken: kept.idToken });
    expect(warnings).toEqual([]);
    const error = await writeSignIn(store('keychain', noBus), 'work', kept).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      'The setting session-store is keychain (from --session-store), but there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset).',
    );
    expect((error as InputError).hint).toMatch(/set session-store to auto .* or file/);
  });

  test('auto with a keychain that fails: one notice, and the sign-in is kept in the file', async () => {
    const broken = { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(service.home, 'no-such-bus')}` };
    const kept = signed('heidi');
    await writeSignIn(store('auto', broken), 'work', kept);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^The Secret Service keychain could not be used \(secret-tool store failed \(exit 1\): .+\); keeping the sign-in in .*work\.json \(mode 0600\) instead\. Set session-store = file to stop trying it\.$/,
    );
    expect(warnings[0]).not.toContain(kept.idToken);
    expect(JSON.parse(fileText())).toMatchObject({ idToken: kept.idToken, refreshToken: kept.refreshToken });
    expect(await readSignIn(store('auto', broken), 'work')).toEqual(kept);
    expect(warnings).toHaveLength(1); // the file holds the tokens: reading asks no keychain, says nothing more
  });
});
