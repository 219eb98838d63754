// Black-box tests of the built bundle: `node dist/issuer/index.js …` as a child process, as operators run it.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { decodeProtectedHeader } from 'jose';
import { ADMIN_SECRET, registerOk, removeTempDirs, requestIdToken, tempDir } from './support';

const BUNDLE = resolve(__dirname, '../../dist/issuer/index.js');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Finished> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Starts `serve` and resolves with the child and the first stdout line (the URL). */
function serve(args: string[]): Promise<{ child: ChildProcess; url: string; exited: Promise<Finished> }> {
  const child = spawn(process.execPath, [BUNDLE, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<Finished>((done) => child.on('close', (code) => done({ code, stdout, stderr })));
  return new Promise((done, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (url) => done({ child, url, exited }));
    lines.on('line', (line) => (stdout += `${line}\n`));
    child.once('close', (code) => fail(new Error(`serve exited ${code} before printing its URL: ${stderr}`)));
  });
}

let dir: string;
let secretFile: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run "node scripts/build.mjs issuer" first.`);
  dir = await tempDir();
  secretFile = join(dir, 'admin.secret');
  await writeFile(secretFile, `${ADMIN_SECRET}\n`, { mode: 0o600 });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await removeTempDirs();
});

test('serve prints one line, its URL, serves the API and exits 0 on SIGTERM', async () => {
  const keysDir = join(dir, 'serve-keys');
  const { child, url, exited } = await serve([
    '--port',
    '0',
    '--issuer-url',
    'https://jenkins-oidc.example.com/oidc',
    '--keys-dir',
    keysDir,
    '--admin-secret-file',
    secretFile,
  ]);
  children.push(child);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oidc$/);

  const doc = (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as { issuer: string };
  expect(doc.issuer).toBe('https://jenkins-oidc.example.com/oidc');
  const { request_token } = await registerOk({ url } as never, { job: 'cli', build_number: 5 });
  expect((await requestIdToken(`${url}/token`, request_token)).status).toBe(200);

  child.kill('SIGTERM');
  const finished = await exited;
  expect(finished.code).toBe(0);
  expect(finished.stdout).toBe(`${url}\n`); // exactly one line: the URL
  const logLines = finished.stderr
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(logLines.some((l) => l.msg === 'request' && l.path === '/oidc/token' && l.status === 200)).toBe(true);
  expect(finished.stderr).not.toContain(request_token);
  expect(finished.stderr).not.toContain(ADMIN_SECRET);
});

test('SIGHUP makes a running server publish a rotation', async () => {
  const keysDir = join(dir, 'hup-keys');
  const { child, url, exited } = await serve([
    '--port',
    '0',
    '--issuer-url',
    'http://127.0.0.1',
    '--keys-dir',
    keysDir,
    '--admin-secret-file',
    secretFile,
  ]);
  children.push(child);
  const rotation = await run(['rotate-keys', '--keys-dir', keysDir]);
  expect(rotation.code).toBe(0);
  const { kid } = JSON.parse(rotation.stdout) as { kid: string };

  child.kill('SIGHUP');
  // The new key is published at once; it signs only after its activation delay (tested on a simulated clock in
  // rotation.test.ts).
  let published: string[] = [];
  for (let i = 0; i < 50 && !published.includes(kid); i++) {
    const jwks = (await (await fetch(`${url}/.well-known/jwks`)).json()) as { keys: { kid: string }[] };
    published = jwks.keys.map((key) => key.kid);
    if (!published.includes(kid)) await new Promise((r) => setTimeout(r, 50));
  }
  expect(published).toContain(kid);
  const { request_token } = await registerOk({ url } as never, { job: 'hup', build_number: 1 });
  const { value } = (await (await requestIdToken(`${url}/token`, request_token)).json()) as { value: string };
  expect(decodeProtectedHeader(value).kid).not.toBe(kid);
  child.kill('SIGTERM');
  expect((await exited).code).toBe(0);
});

test('a bad flag exits 2 with one message naming it', async () => {
  const result = await run([
    'serve',
    '--issuer-url',
    'https://x.example.com',
    '--keys-dir',
    dir,
    '--admin-secret-file',
    secretFile,
    '--token-ttl',
    '99999',
  ]);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/^issuer: --token-ttl: must be a whole number from 60 to 3600/);

  const unknown = await run(['serve', '--tokn-ttl', '5']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/Unknown flag --tokn-ttl/);
});

test('an empty admin secret file refuses to start (exit 2)', async () => {
  const empty = join(dir, 'empty.secret');
  await writeFile(empty, '');
  const result = await run([
    'serve',
    '--issuer-url',
    'https://x.example.com',
    '--keys-dir',
    join(dir, 'k2'),
    '--admin-secret-file',
    empty,
  ]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/--admin-secret-file: .* is empty/);
});

test('--help prints usage and exits 0', async () => {
  const result = await run(['serve', '--help']);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/--admin-secret-file/);
  expect(result.stdout).toMatch(/--rate-limit/);
});

test('export-discovery writes the documents a server with the same keys serves', async () => {
  const keysDir = join(dir, 'export-keys');
  const out = join(dir, 'site');
  const issuerUrl = 'https://bucket.example.com/oidc';
  expect((await run(['rotate-keys', '--keys-dir', keysDir])).code).toBe(0);
  const second = JSON.parse((await run(['rotate-keys', '--keys-dir', keysDir])).stdout) as {
    kid: string;
    retired: unknown[];
  };
  expect(second.retired).toHaveLength(1);

  const exported = await run(['export-discovery', '--issuer-url', issuerUrl, '--keys-dir', keysDir, '--out', out]);
  expect(exported.code).toBe(0);
  const discoveryFile = join(out, '.well-known/openid-configuration');
  const jwksFile = join(out, '.well-known/jwks');
  expect(exported.stdout.trim().split('\n')).toEqual([discoveryFile, jwksFile]);

  const discovery = JSON.parse(await readFile(discoveryFile, 'utf8'));
  expect(discovery.issuer).toBe(issuerUrl);
  // The JWKS file sits where the discovery document says it is (relative to the issuer URL).
  expect(discovery.jwks_uri).toBe(`${issuerUrl}/.well-known/jwks`);
  const jwks = JSON.parse(await readFile(jwksFile, 'utf8')) as { keys: { kid: string }[] };
  expect(jwks.keys.map((k) => k.kid)).toContain(second.kid);
  expect(jwks.keys).toHaveLength(2);

  const { child, url, exited } = await serve([
    '--port',
    '0',
    '--issuer-url',
    issuerUrl,
    '--keys-dir',
    keysDir,
    '--admin-secret-file',
    secretFile,
  ]);
  children.push(child);
  expect(await (await fetch(`${url}/.well-known/jwks`)).json()).toEqual(jwks);
  expect(await (await fetch(`${url}/.well-known/openid-configuration`)).json()).toEqual(discovery);
  child.kill('SIGTERM');
  await exited;
});

test('export-discovery on an empty key directory fails clearly', async () => {
  const result = await run([
    'export-discovery',
    '--issuer-url',
    'https://x.example.com',
    '--keys-dir',
    join(dir, 'none'),
    '--out',
    join(dir, 'o'),
  ]);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/No keys\.json in .*start the issuer once or run rotate-keys/);
});
