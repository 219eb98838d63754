// Several instances behind one public URL: they share a key directory, so request tokens and ID tokens are
// interchangeable between them, and a rotation reaches running instances without a restart.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { rotateKeys } from '../../src/issuer/keys';
import { registerOk, removeTempDirs, requestIdToken, startTestIssuer, type TestIssuer, tempDir } from './support';

const PUBLIC_URL = 'https://jenkins-oidc.example.com/oidc';
const running: TestIssuer[] = [];

afterAll(async () => {
  await Promise.all(running.map((r) => r.issuer.close()));
  await removeTempDirs();
});

async function instance(keysDir: string, keyReloadIntervalMs = 0, now?: () => number): Promise<TestIssuer> {
  const started = await startTestIssuer({ keysDir, issuerUrl: PUBLIC_URL, keyReloadIntervalMs, now });
  running.push(started);
  return started;
}

async function idToken(from: TestIssuer, requestToken: string): Promise<string> {
  // Builds would call token_url (the public URL); here each instance is addressed directly.
  const response = await requestIdToken(`${from.issuer.url}/token`, requestToken, 'sts.amazonaws.com');
  expect(response.status).toBe(200);
  return ((await response.json()) as { value: string }).value;
}

test('two instances started together on one directory accept each other’s request tokens', async () => {
  const keysDir = join(await tempDir(), 'keys');
  const [a, b] = await Promise.all([instance(keysDir), instance(keysDir)]);
  expect(a!.issuer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oidc$/);

  const fromA = await registerOk(a!.issuer, { job: 'shared', build_number: 3 });
  expect(fromA.token_url).toBe(`${PUBLIC_URL}/token`);
  const token = await idToken(b!, fromA.request_token);

  // Verified with the JWKS of the *other* instance: both publish the same key.
  const jwks = createRemoteJWKSet(new URL(`${a!.issuer.url}/.well-known/jwks`));
  const { payload } = await jwtVerify(token, jwks, { issuer: PUBLIC_URL, audience: 'sts.amazonaws.com' });
  expect(payload.sub).toBe('job:shared:build:3');
});

test('an instance with another directory refuses the request token', async () => {
  const a = await instance(join(await tempDir(), 'keys'));
  const c = await instance(join(await tempDir(), 'keys'));
  const { request_token } = await registerOk(a.issuer, { job: 'x', build_number: 1 });
  expect((await requestIdToken(`${c.issuer.url}/token`, request_token)).status).toBe(401);
});

test('routes live under the issuer path only', async () => {
  const a = await instance(join(await tempDir(), 'keys'));
  const origin = new URL(a.issuer.url).origin;
  expect((await fetch(`${origin}/.well-known/openid-configuration`)).status).toBe(404);
  const doc = (await (await fetch(`${a.issuer.url}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
  expect(doc.jwks_uri).toBe(`${PUBLIC_URL}/.well-known/jwks`);
});

test('a rotation reaches running instances: published at reload() or the periodic reload, signing at activation', async () => {
  const keysDir = join(await tempDir(), 'keys');
  let clock = Math.floor(Date.now() / 1000);
  const now = () => clock;
  const manual = await instance(keysDir, 0, now);
  const periodic = await instance(keysDir, 100, now);
  const { request_token } = await registerOk(manual.issuer, { job: 'rot', build_number: 1 });
  const before = await idToken(manual, request_token);

  const { kid, activatesAt } = await rotateKeys(keysDir, { now });
  await manual.issuer.reload();
  expect(await publishedKids(manual)).toContain(kid);
  // Published, but not signing yet: verifiers that cached the JWKS must get to see the new key first.
  expect(decodeProtectedHeader(await idToken(manual, request_token)).kid).toBe(decodeProtectedHeader(before).kid);

  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(await publishedKids(periodic)).toContain(kid);
  expect(periodic.logs.some((line) => line.includes('"keys reloaded"'))).toBe(true);

  clock = activatesAt;
  await periodic.issuer.reload(); // its timer runs on real time; this clock jumped 7 minutes at once
  const after = await idToken(manual, request_token);
  expect(decodeProtectedHeader(after).kid).toBe(kid);
  expect(decodeProtectedHeader(await idToken(periodic, request_token)).kid).toBe(kid);

  // Both tokens verify against either instance's JWKS: the old key stays published.
  for (const server of [manual, periodic]) {
    const jwks = createRemoteJWKSet(new URL(`${server.issuer.url}/.well-known/jwks`));
    for (const token of [before, after]) {
      await expect(
        jwtVerify(token, jwks, { issuer: PUBLIC_URL, currentDate: new Date(decodeJwt(token).iat! * 1000) }),
      ).resolves.toBeDefined();
    }
  }
});

async function publishedKids(server: TestIssuer): Promise<string[]> {
  const jwks = (await (await fetch(`${server.issuer.url}/.well-known/jwks`)).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((key) => key.kid);
}

test('an instance that cannot re-read the key directory for longer than a rotation may take stops answering', async () => {
  const keysDir = join(await tempDir(), 'keys');
  let clock = 1_800_000_000;
  const stuck = await instance(keysDir, 60_000, () => clock);
  const keysFile = join(keysDir, 'keys.json');
  const good = await readFile(keysFile, 'utf8');
  const status = async (path: string) => (await fetch(`${stuck.issuer.url}${path}`)).status;

  await writeFile(keysFile, '{half-copied'); // e.g. a directory being synced by hand
  clock += 100;
  await stuck.issuer.reload();
  expect(stuck.logs.some((line) => line.includes('reload failed; keeping the loaded keys'))).toBe(true);
  expect(await status('/healthz')).toBe(200); // within the 120 s a rotation needs to reach every instance

  clock += 21;
  const refused = await fetch(`${stuck.issuer.url}/.well-known/jwks`);
  expect(refused.status).toBe(503);
  expect(await refused.json()).toEqual({
    error: 'keys_unavailable',
    message: expect.stringMatching(/has not been able to re-read its key directory for 121 s/),
  });
  expect(await status('/healthz')).toBe(503); // so a load balancer takes it out
  expect(await status('/token')).toBe(503);

  await writeFile(keysFile, good);
  await stuck.issuer.reload();
  expect(await status('/healthz')).toBe(200);
  expect(await status('/.well-known/jwks')).toBe(200);
});
