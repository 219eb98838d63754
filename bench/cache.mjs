// Benchmark of the credential cache (`npm run bench:cache`).
//
// The whole chain on loopback, from the BUILT bundles: the Jenkins token service (dist/issuer), the AWS emulator
// (dist/emulator) loaded with examples/jenkins/jenkins-oidc.yml, and the AWS CLI (/usr/bin/aws, or
// KEYLESS_TEST_AWS_CLI) using a profile whose credential_process is `dist/index.js credential-process`.
//   1. 50 sequential `aws sts get-caller-identity`: AssumeRoleWithWebIdentity calls the emulator saw (target 1).
//   2. 16 concurrent ones, from an empty cache: the same count (target 1).
//   3. Latency of a cached `credential-process` over bare `node -e ''` (interleaved runs, medians; target <= 15 ms).
// Exit code 1 if a target is missed.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundles = { main: 'dist/index.js', issuer: 'dist/issuer/index.js', emulator: 'dist/emulator/index.js' };
const ISSUER = 'https://jenkins-oidc.example.com';
const SEQUENTIAL = 50;
const CONCURRENT = 16;
const LATENCY_RUNS = 30;
const TARGET_OVERHEAD_MS = 15;
const awsCli = process.env.KEYLESS_TEST_AWS_CLI || '/usr/bin/aws';

for (const [name, path] of Object.entries(bundles)) {
  if (!existsSync(join(root, path))) {
    console.error(`bench: ${path} is missing; run "node scripts/build.mjs ${name === 'main' ? 'index' : name}" first.`);
    process.exit(1);
  }
}
if (!existsSync(awsCli)) {
  console.error(`bench: no AWS CLI at ${awsCli} (apt-get install -y awscli, or set KEYLESS_TEST_AWS_CLI).`);
  process.exit(1);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Starts a bundle that prints its URL as the first stdout line; `onLog` sees every stderr line. */
function startServer(args, onLog = () => {}) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stderr }).on('line', onLog);
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const seen = [];
    lines.on('line', (line) => {
      seen.push(line);
      if (seen.length === (args.includes('--template') ? 2 : 1)) resolve({ child, lines: seen });
    });
    child.once('close', (code) => reject(new Error(`${args[0]} exited ${code} before listening`)));
  });
}

const work = mkdtempSync(join(tmpdir(), 'cache-bench-'));
const servers = [];
try {
  const secretFile = join(work, 'admin.secret');
  writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  const issuer = await startServer([
    bundles.issuer,
    'serve',
    '--port',
    '0',
    '--issuer-url',
    ISSUER,
    '--keys-dir',
    join(work, 'keys'),
    '--admin-secret-file',
    secretFile,
    '--rate-limit',
    '0',
  ]);
  servers.push(issuer.child);
  const issuerUrl = issuer.lines[0];

  let assumed = 0;
  const emulator = await startServer(
    [
      bundles.emulator,
      '--template',
      'examples/jenkins/jenkins-oidc.yml',
      '--parameter',
      'JobName=bench/*',
      '--issuer',
      `${ISSUER}=${issuerUrl}`,
    ],
    (line) => {
      if (line.includes('AssumeRoleWithWebIdentity')) assumed++;
    },
  );
  servers.push(emulator.child);
  const [endpoint, idsLine] = emulator.lines;
  const role = JSON.parse(idsLine).JenkinsDeployRole;

  const registration = await fetch(`${issuerUrl}/request-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${readFileSync(secretFile, 'utf8')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ job: 'bench/deploy', build_number: 1, branch: 'main' }),
  });
  if (registration.status !== 201) throw new Error(`registering a build failed: HTTP ${registration.status}`);
  const build = await registration.json();

  const processArgs = [
    'credential-process',
    '--aws-region',
    'us-east-1',
    '--role-to-assume',
    role,
    '--token-source',
    'jenkins',
    '--sts-endpoint',
    endpoint,
  ];
  const configFile = join(work, 'config');
  writeFileSync(
    configFile,
    `[profile bench]\nregion = us-east-1\ncredential_process = ${[process.execPath, join(root, bundles.main), ...processArgs].join(' ')}\n`,
  );
  let round = 0;
  /** A fresh HOME (so an empty cache) per phase; the build's request token as a Jenkins agent has it. */
  const freshEnv = () => {
    const home = join(work, `home-${round++}`);
    mkdirSync(home);
    return {
      PATH: process.env.PATH,
      HOME: home,
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
      AWS_PROFILE: 'bench',
      AWS_EC2_METADATA_DISABLED: 'true',
      JENKINS_ID_TOKEN_REQUEST_URL: build.token_url.replace(ISSUER, issuerUrl),
      JENKINS_ID_TOKEN_REQUEST_TOKEN: build.request_token,
    };
  };
  const callerIdentity = async (env) => {
    const { stdout } = await run(awsCli, ['sts', 'get-caller-identity', '--endpoint-url', endpoint], { env });
    return JSON.parse(stdout).Arn;
  };

  console.log(`cache bench: node ${process.version}, ${awsCli}, emulator ${endpoint}, role ${role}`);
  let env = freshEnv();
  let before = assumed;
  let started = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) await callerIdentity(env);
  const sequentialMs = performance.now() - started;
  const sequential = assumed - before;
  console.log(
    `${SEQUENTIAL} sequential aws calls: ${sequential} AssumeRoleWithWebIdentity (target 1), ${(sequentialMs / SEQUENTIAL).toFixed(0)} ms per aws call`,
  );

  env = freshEnv();
  before = assumed;
  started = performance.now();
  const arns = await Promise.all(Array.from({ length: CONCURRENT }, () => callerIdentity(env)));
  const concurrent = assumed - before;
  console.log(
    `${CONCURRENT} concurrent aws calls: ${concurrent} AssumeRoleWithWebIdentity (target 1), ${(performance.now() - started).toFixed(0)} ms in all, ${new Set(arns).size} distinct caller ARN(s)`,
  );

  // The cached call as the CLI starts it (the cache of the last phase is warm), interleaved with bare node.
  const timed = async (args) => {
    const t = performance.now();
    await run(process.execPath, args, { env, cwd: root });
    return performance.now() - t;
  };
  const bare = [];
  const cached = [];
  for (let i = 0; i < 3; i++) await timed([bundles.main, ...processArgs]); // warm the page cache
  before = assumed;
  for (let i = 0; i < LATENCY_RUNS; i++) {
    bare.push(await timed(['-e', '']));
    cached.push(await timed([bundles.main, ...processArgs]));
  }
  if (assumed !== before) throw new Error('the cached calls reached STS');
  const overhead = median(cached) - median(bare);
  console.log(
    `cached credential-process: median ${median(cached).toFixed(1)} ms vs node -e '' ${median(bare).toFixed(1)} ms: +${overhead.toFixed(1)} ms (target <= ${TARGET_OVERHEAD_MS} ms, ${LATENCY_RUNS} runs each)`,
  );
  // Wall time follows the machine's load; CPU time (user + system of the children, from the shell's `times`) shows
  // the work a call adds whatever else is running.
  const cpuPerRun = async (args) => {
    const loop = `for i in $(seq ${LATENCY_RUNS}); do "$0" "$@" >/dev/null; done; times`;
    const { stdout } = await run('bash', ['-c', loop, process.execPath, ...args], { env, cwd: root });
    const [user, system] = [
      ...stdout
        .trim()
        .split('\n')[1]
        .matchAll(/(\d+)m([\d.]+)s/g),
    ].map((m) => Number(m[1]) * 60 + Number(m[2]));
    return ((user + system) * 1000) / LATENCY_RUNS;
  };
  const bareCpu = await cpuPerRun(['-e', '']);
  const cachedCpu = await cpuPerRun([bundles.main, ...processArgs]);
  console.log(
    `CPU time per call: cached credential-process ${cachedCpu.toFixed(1)} ms vs node -e '' ${bareCpu.toFixed(1)} ms: +${(cachedCpu - bareCpu).toFixed(1)} ms`,
  );

  const missed = [
    sequential !== 1 && 'sequential STS calls',
    concurrent !== 1 && 'concurrent STS calls',
    overhead > TARGET_OVERHEAD_MS && 'cached latency',
  ].filter(Boolean);
  if (missed.length > 0) {
    console.log(`missed: ${missed.join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  for (const child of servers) child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
