// The key directory: first-start generation (also when several instances race), file modes, rotation,
// retirement and pruning, and refusal of damaged files.
import { mkdir, readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { signIdToken } from '../../src/issuer/id-tokens';
import {
  KeyStore,
  MIN_ACTIVATE_DELAY_SECONDS,
  RETIRE_AFTER_SUCCESSOR_SECONDS,
  rotateKeys,
} from '../../src/issuer/keys';
import { removeTempDirs, tempDir } from './support';

afterAll(removeTempDirs);

const ISSUER = 'https://jenkins-oidc.example.com';
const grant = {
  jti: 'j',
  sub: 'job:app:build:1',
  claims: { job: 'app' },
  audiences: ['sts.amazonaws.com'],
  expiresAt: 4_000_000_000,
};

async function sign(store: KeyStore, now: number): Promise<string> {
  const { token } = await signIdToken({
    grant,
    audience: 'sts.amazonaws.com',
    issuerUrl: ISSUER,
    tokenTtlSeconds: 3600,
    key: store.signingKey(),
    now,
  });
  return token;
}

async function verifies(token: string, store: KeyStore, now: number): Promise<boolean> {
  try {
    await jwtVerify(token, createLocalJWKSet(store.jwks()), { issuer: ISSUER, currentDate: new Date(now * 1000) });
    return true;
  } catch {
    return false;
  }
}

describe('first start', () => {
  test('creates a private directory with 0600 files and a thumbprint kid', async () => {
    const dir = join(await tempDir(), 'nested', 'keys');
    const store = await KeyStore.open(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const file of ['keys.json', 'request-token.secret']) {
      expect((await stat(join(dir, file))).mode & 0o777).toBe(0o600);
    }
    const { keys } = store.jwks();
    expect(keys).toHaveLength(1);
    expect(store.signingKey().kid).toBe(keys[0]!.kid);
    expect(keys[0]!.kid).toMatch(/^[A-Za-z0-9_-]{43}$/); // SHA-256 thumbprint, base64url
    expect(Buffer.from((await readFile(join(dir, 'request-token.secret'), 'utf8')).trim(), 'base64url').length).toBe(
      32,
    );
  });

  test('instances racing on an empty directory end up with one shared key', async () => {
    const dir = join(await tempDir(), 'keys');
    const stores = await Promise.all(Array.from({ length: 5 }, () => KeyStore.open(dir)));
    const kids = new Set(stores.map((s) => s.signingKey().kid));
    expect(kids.size).toBe(1);
    const file = JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8'));
    expect(file.keys).toHaveLength(1);
  });

  test('a lock held by another writer is waited for; a stale one (crashed writer) is broken', async () => {
    const dir = join(await tempDir(), 'keys');
    await mkdir(dir, { mode: 0o700 });
    const lock = join(dir, '.keys.lock');
    await writeFile(lock, '99999\n');
    let opened = false;
    const opening = KeyStore.open(dir).then((store) => {
      opened = true;
      return store;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(opened).toBe(false); // still waiting for the live lock
    await unlink(lock);
    expect((await opening).jwks().keys).toHaveLength(1);

    const other = join(await tempDir(), 'keys');
    await mkdir(other, { mode: 0o700 });
    await writeFile(join(other, '.keys.lock'), '99999\n');
    const old = new Date(Date.now() - 60_000);
    await utimes(join(other, '.keys.lock'), old, old);
    expect((await KeyStore.open(other)).jwks().keys).toHaveLength(1);
  });

  test('an existing directory is loaded, not regenerated', async () => {
    const dir = join(await tempDir(), 'keys');
    const first = await KeyStore.open(dir);
    const before = await readFile(join(dir, 'keys.json'), 'utf8');
    const second = await KeyStore.open(dir);
    expect(second.signingKey().kid).toBe(first.signingKey().kid);
    expect(await readFile(join(dir, 'keys.json'), 'utf8')).toBe(before);
  });

  test('damaged files are refused with the file named', async () => {
    const dir = join(await tempDir(), 'keys');
    await KeyStore.open(dir);
    const good = JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8'));

    await writeFile(join(dir, 'keys.json'), '{not json');
    await expect(KeyStore.open(dir)).rejects.toThrow(/keys\.json is not valid JSON/);

    good.keys[0].kid = 'hand-edited';
    await writeFile(join(dir, 'keys.json'), JSON.stringify(good));
    await expect(KeyStore.open(dir)).rejects.toThrow(/not the thumbprint/);

    good.keys[0].privateJwk.n = 'AQAB';
    await writeFile(join(dir, 'keys.json'), JSON.stringify(good));
    await expect(KeyStore.open(dir)).rejects.toThrow(/shorter than 2048 bits/);
  });

  test('a short request-token secret is refused', async () => {
    const dir = join(await tempDir(), 'keys');
    await KeyStore.open(dir);
    await writeFile(join(dir, 'request-token.secret'), Buffer.alloc(16).toString('base64url'));
    await expect(KeyStore.open(dir)).rejects.toThrow(/at least 32 random bytes/);
  });
});

describe('rotation', () => {
  test('old tokens stay verifiable, new tokens use the new kid, the old key is pruned after expiry', async () => {
    const dir = join(await tempDir(), 'keys');
    let now = 1_800_000_000;
    const store = await KeyStore.open(dir, { now: () => now });
    const oldKid = store.signingKey().kid;
    const oldToken = await sign(store, now);

    const rotation = await rotateKeys(dir, { now: () => now });
    const activatesAt = now + MIN_ACTIVATE_DELAY_SECONDS;
    expect(rotation.activatesAt).toBe(activatesAt);
    expect(rotation.retired).toEqual([{ kid: oldKid, retiresAt: activatesAt + RETIRE_AFTER_SUCCESSOR_SECONDS }]);
    expect(await store.reload()).toBe(true);
    // Published at once, signing only from activatesAt.
    expect(store.jwks().keys.map((k) => k.kid)).toEqual([oldKid, rotation.kid]);
    expect(store.signingKey().kid).toBe(oldKid);

    now = activatesAt;
    const newToken = await sign(store, now);
    expect(decodeProtectedHeader(newToken).kid).toBe(rotation.kid);
    expect(rotation.kid).not.toBe(oldKid);
    expect(await verifies(oldToken, store, now + 60)).toBe(true);
    expect(await verifies(newToken, store, now + 60)).toBe(true);

    // Past the retirement time the old key leaves the JWKS (in memory at once, on disk at the next rotation).
    now += RETIRE_AFTER_SUCCESSOR_SECONDS;
    expect(store.jwks().keys.map((k) => k.kid)).toEqual([rotation.kid]);
    const second = await rotateKeys(dir, { now: () => now });
    expect(second.pruned).toEqual([oldKid]);
    const onDisk = JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8'));
    expect(onDisk.keys.map((k: { kid: string }) => k.kid)).toEqual([rotation.kid, second.kid]);
  });

  test('with an activation delay the new key is published first and signs only once active', async () => {
    const dir = join(await tempDir(), 'keys');
    let now = 1_800_000_000;
    const store = await KeyStore.open(dir, { now: () => now });
    const oldKid = store.signingKey().kid;
    const rotation = await rotateKeys(dir, { now: () => now, activateDelaySeconds: 600 });
    await store.reload();

    expect(store.jwks().keys.map((k) => k.kid)).toEqual([oldKid, rotation.kid]);
    expect(store.signingKey().kid).toBe(oldKid);
    now += 600;
    expect(store.signingKey().kid).toBe(rotation.kid);
    // The old key covers tokens signed up to the activation: it retires propagation + ttl + skew after that.
    expect(rotation.retired[0]!.retiresAt).toBe(now + RETIRE_AFTER_SUCCESSOR_SECONDS);
  });

  test('reload keeps the imported keys when nothing changed', async () => {
    const dir = join(await tempDir(), 'keys');
    const store = await KeyStore.open(dir);
    const key = store.signingKey();
    expect(await store.reload()).toBe(false);
    expect(store.signingKey()).toBe(key);
  });
});
