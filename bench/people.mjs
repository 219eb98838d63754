// `npm run bench:people`: what a person's `aws` command pays for `credential_process = keyless-aws auth NAME` once
// signed in: the call that finds the kept session and its role credentials (no browser, no provider, no STS).
//
//   node bench/people.mjs [runs, default 30]
//
// Set-up: a providers file, and a kept sign-in whose ID token is still valid (unsigned here: only its `exp` is read
// before the exchange, and the loopback STS stand-in does not verify it). One `auth` call then assumes the role
// against that STS and keeps the credentials; the measured calls must return exactly those, with STS untouched.
// Rows are interleaved run by run with bare `node -e ''`. Target (issue #16): median ≤ bare + 25 ms.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSts } from './servers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'index.js');
const runs = Math.max(1, Number(process.argv[2] ?? 30));
if (!existsSync(dist))
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'index'], { stdio: 'inherit' });

const home = mkdtempSync(join(tmpdir(), 'keyless-bench-people-'));
const sts = await startSts();
try {
  const config = join(home, 'providers');
  writeFileSync(
    config,
    '[provider work]\nissuer = https://login.example.com\nclient-id = keyless-laptop\n' +
      'role-to-assume = arn:aws:iam::111122223333:role/engineer\naws-region = us-east-1\n',
  );
  const sessions = join(home, '.local', 'state', 'keyless-aws', 'sessions');
  mkdirSync(sessions, { recursive: true, mode: 0o700 });
  const segment = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const idToken = `${segment({ alg: 'RS256' })}.${segment({ iss: 'https://login.example.com', sub: 'alice', aud: 'keyless-laptop', email: 'alice@example.com', exp: Math.floor(Date.now() / 1000) + 3600 })}.c2ln`;
  writeFileSync(
    join(sessions, 'work.json'),
    JSON.stringify({ issuer: 'https://login.example.com', clientId: 'keyless-laptop', idToken }),
    { mode: 0o600 },
  );
  const env = {
    PATH: dirname(process.execPath),
    HOME: home,
    KEYLESS_AWS_CONFIG: config,
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_EC2_METADATA_DISABLED: 'true',
  };

  // Runs the child synchronously would block the STS stand-in in this process: the first call is asynchronous.
  const { spawn } = await import('node:child_process');
  const first = await new Promise((resolve) => {
    const child = spawn(process.execPath, [dist, 'auth', 'work'], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => resolve({ code, out, err }));
  });
  if (first.code !== 0) throw new Error(`the first auth call failed: ${first.err}`);
  const expected = JSON.parse(first.out).AccessKeyId;
  const stsCalls = sts.requests();

  // Wall time, and CPU time (user + sys, 10 ms resolution) from /usr/bin/time when present: on a shared, loaded
  // machine the wall time mostly measures the queue for a core, the CPU time what the call itself costs.
  const useTime = existsSync('/usr/bin/time');
  const time = (args, childEnv) => {
    const started = process.hrtime.bigint();
    const result = useTime
      ? spawnSync('/usr/bin/time', ['-f', 'BENCH_CPU %U %S', process.execPath, ...args], {
          env: childEnv,
          encoding: 'utf8',
        })
      : spawnSync(process.execPath, args, { env: childEnv, encoding: 'utf8' });
    const cpu = /BENCH_CPU ([\d.]+) ([\d.]+)/.exec(result.stderr ?? '');
    const cpuMs = cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : Number.NaN;
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, cpuMs, ...result };
  };
  const bare = [];
  const cached = [];
  const bareCpu = [];
  const cachedCpu = [];
  for (let i = 0; i < runs; i++) {
    const b = time(['-e', ''], { PATH: env.PATH });
    bare.push(b.ms);
    bareCpu.push(b.cpuMs);
    const run = time([dist, 'auth', 'work'], env);
    if (run.status !== 0 || JSON.parse(run.stdout).AccessKeyId !== expected) {
      throw new Error(`cached call failed: ${run.stderr}`);
    }
    cached.push(run.ms);
    cachedCpu.push(run.cpuMs);
  }
  if (sts.requests() !== stsCalls) throw new Error('a cached call went to STS');
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
  const over = median(cached) - median(bare);
  console.log(`runs: ${runs}`);
  console.log(`bare node -e ''                 median ${median(bare).toFixed(0)} ms  p90 ${p90(bare).toFixed(0)} ms`);
  console.log(
    `auth work (kept session)        median ${median(cached).toFixed(0)} ms  p90 ${p90(cached).toFixed(0)} ms`,
  );
  if (useTime) {
    console.log(
      `CPU (user+sys) median: bare ${median(bareCpu).toFixed(0)} ms, auth ${median(cachedCpu).toFixed(0)} ms`,
    );
  }
  console.log(`target ≤ bare + 25 ms (wall): +${over.toFixed(0)} ms ${over <= 25 ? 'met' : 'MISSED'}`);
  if (over > 25) process.exitCode = 1;
} finally {
  sts.close();
  rmSync(home, { recursive: true, force: true });
}
