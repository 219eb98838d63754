// Benchmark of the Jenkins token service (`npm run bench:issuer`).
//
// Spawns the BUILT bundle (dist/issuer/index.js serve, rate limit off), registers one build, then drives
// GET /token with autocannon (32 connections, 10 s, after a 2 s warm-up) on loopback. Beside it, in this process
// and while the server is idle, it measures the raw RS256 signing rate of one core (jose SignJWT, 2048-bit key,
// one signature at a time, 3 × 1 s). Prints medians and checks the targets:
//   tokens/s >= 70 % of the raw one-core signing rate · p99 < 50 ms · zero errors.
// Exit code 1 if a target is missed.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createRemoteJWKSet, importJWK, jwtVerify, SignJWT } from 'jose';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist/issuer/index.js');
const CONNECTIONS = 32;
const DURATION_S = 10;
const WARMUP_S = 2;
const RAW_WINDOWS = 3;
const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 50;

if (!existsSync(bundle)) {
  console.error(`bench: ${bundle} is missing; run "node scripts/build.mjs issuer" first.`);
  process.exit(1);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Signatures per second of one core: sequential awaits, so never more than one signature in flight. */
async function rawSigningRate() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = await importJWK({ ...privateKey.export({ format: 'jwk' }), alg: 'RS256' }, 'RS256');
  const claims = { iss: 'https://bench.invalid', sub: 'job:bench:build:1', aud: 'sts.amazonaws.com', job: 'bench' };
  const sign = () =>
    new SignJWT({ ...claims, jti: randomUUID(), iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'bench' })
      .sign(key);
  for (let i = 0; i < 50; i++) await sign(); // warm-up
  const windows = [];
  for (let w = 0; w < RAW_WINDOWS; w++) {
    let count = 0;
    const end = performance.now() + 1000;
    while (performance.now() < end) {
      await sign();
      count++;
    }
    windows.push(count);
  }
  return { perSecond: median(windows), windows };
}

function startServer(dir) {
  const secretFile = join(dir, 'admin.secret');
  writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  const logFile = join(dir, 'issuer.log');
  const child = spawn(
    process.execPath,
    [
      bundle,
      'serve',
      '--port',
      '0',
      '--issuer-url',
      'http://127.0.0.1',
      '--keys-dir',
      join(dir, 'keys'),
      '--admin-secret-file',
      secretFile,
      '--rate-limit',
      '0',
    ],
    // Logs go to a file, as they would to a journal: one JSON line per request is part of the cost measured.
    { stdio: ['ignore', 'pipe', openSync(logFile, 'w')] },
  );
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (url) =>
      resolve({ child, url, exited, secret: readFileSync(secretFile, 'utf8').trim(), logFile }),
    );
    child.once('close', (code) => reject(new Error(`issuer exited ${code} before listening; see ${logFile}`)));
  });
}

/** CPU seconds (user + system) the process has used so far, from /proc; undefined off Linux. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

function load(url, requestToken, seconds) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/token?audience=sts.amazonaws.com`,
        headers: { authorization: `Bearer ${requestToken}` },
        connections: CONNECTIONS,
        duration: seconds,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), 'issuer-bench-'));
let server;
try {
  console.log(`issuer bench: node ${process.version}, bundle ${bundle}`);
  console.log(`measuring raw RS256 signing (one core, ${RAW_WINDOWS} × 1 s)…`);
  const raw = await rawSigningRate();

  server = await startServer(dir);
  const registration = await fetch(`${server.url}/request-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ job: 'bench', build_number: 1, branch: 'main', node: 'bench-node' }),
  });
  if (registration.status !== 201) throw new Error(`registration failed: ${registration.status}`);
  const { request_token: requestToken } = await registration.json();

  console.log(`warming up ${WARMUP_S} s, then ${CONNECTIONS} connections for ${DURATION_S} s on ${server.url}/token…`);
  await load(server.url, requestToken, WARMUP_S);
  const cpuBefore = cpuSeconds(server.child.pid);
  const result = await load(server.url, requestToken, DURATION_S);
  const cpuAfter = cpuSeconds(server.child.pid);
  const serverCpu = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;

  // One more token, verified against the served JWKS: the load was real tokens, not error pages.
  const sample = await fetch(`${server.url}/token`, { headers: { authorization: `Bearer ${requestToken}` } });
  const { value } = await sample.json();
  await jwtVerify(value, createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks`)), {
    issuer: 'http://127.0.0.1',
    audience: 'sts.amazonaws.com',
  });

  server.child.kill('SIGTERM');
  const exitCode = await server.exited;

  const errors = result.errors + result.timeouts + result.non2xx;
  const ratio = result.requests.p50 / raw.perSecond;
  const rows = [
    ['raw RS256 signing, one core (median of 1 s windows)', `${raw.perSecond} /s`, `[${raw.windows.join(', ')}]`],
    ['issuer tokens/s (median of 1 s samples)', `${result.requests.p50} /s`, `mean ${result.requests.average}`],
    ['issuer / raw', `${(ratio * 100).toFixed(1)} %`, `target >= ${TARGET_RATIO * 100} %`],
    ...(serverCpu === undefined
      ? []
      : [
          [
            'issuer tokens per server CPU-second',
            `${Math.round(result.requests.total / serverCpu)} /s`,
            `${serverCpu.toFixed(1)} CPU-s used in ${DURATION_S} s (signing runs on the libuv pool, so > 1 core)`,
          ],
        ]),
    ['latency p50', `${result.latency.p50} ms`, ''],
    ['latency p99', `${result.latency.p99} ms`, `target < ${TARGET_P99_MS} ms`],
    ['requests total', `${result.requests.total}`, `${CONNECTIONS} connections, ${DURATION_S} s`],
    ['errors (errors + timeouts + non-2xx)', `${errors}`, 'target 0'],
    ['server exit code on SIGTERM', `${exitCode}`, 'expected 0'],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const valueWidth = Math.max(...rows.map((r) => r[1].length));
  console.log('');
  for (const [label, measured, note] of rows) {
    console.log(`${label.padEnd(width)}  ${measured.padStart(valueWidth)}  ${note}`);
  }
  const misses = [];
  if (ratio < TARGET_RATIO) misses.push(`throughput ${(ratio * 100).toFixed(1)} % < ${TARGET_RATIO * 100} %`);
  if (result.latency.p99 >= TARGET_P99_MS) misses.push(`p99 ${result.latency.p99} ms >= ${TARGET_P99_MS} ms`);
  if (errors > 0) misses.push(`${errors} errors`);
  if (exitCode !== 0) misses.push(`server exit code ${exitCode}`);
  console.log('');
  console.log(misses.length === 0 ? 'PASS: all targets met' : `FAIL: ${misses.join('; ')}`);
  process.exitCode = misses.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exitCode = 1;
} finally {
  if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
