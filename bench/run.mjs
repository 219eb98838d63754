// `npm run bench`: what the GitHub Action costs, measured as a runner starts it (`node dist/index.js`, GITHUB_ACTIONS=true,
// INPUT_* variables, runner files) against loopback servers started in this process (bench/servers.mjs).
//
//   node bench/run.mjs [runs per row, default 20]
//
// For every row: median and p90 wall time and peak RSS over the runs, beside bare `node -e ''` measured in the same
// loop (rows are interleaved run by run, so they share the machine's noise). Peak RSS comes from `/usr/bin/time -f %M`
// when it exists (the kernel's max RSS of the child), otherwise from a `--require` probe printing
// process.resourceUsage().maxRSS at exit; the table says which. Then the size of every file in dist/.
// Targets (from the issue): OIDC flow ≤ bare node + 60 ms; AccessDenied reported < 1 s; dist/index.js ≤ 700 KB.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCognitoFake } from './cognito-fake.mjs';
import { startSts, startTokenEndpoint } from './servers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'index.js');
const runs = Math.max(1, Number(process.argv[2] ?? 20));
const TIME = '/usr/bin/time';
const useTime = existsSync(TIME);

if (!existsSync(dist) || !existsSync(join(root, 'dist', 'cleanup', 'index.js'))) {
  console.log('dist/ is missing: building it first.');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'index', 'cleanup'], { stdio: 'inherit' });
}

const work = mkdtempSync(join(tmpdir(), 'keyless-bench-'));
const probe = join(work, 'rss-probe.cjs');
writeFileSync(
  probe,
  "process.on('exit', () => process.stderr.write('\\nBENCH_MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n'));\n",
);

/** One child run: wall time measured here, peak RSS (KiB) from /usr/bin/time or the probe. */
function measure(args, env) {
  return new Promise((resolve, reject) => {
    const command = useTime ? TIME : process.execPath;
    const argv = useTime ? ['-f', 'BENCH_MAXRSS_KB=%M', process.execPath, ...args] : ['--require', probe, ...args];
    const started = process.hrtime.bigint();
    const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const rss = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(stderr)?.[1] ?? Number.NaN);
      resolve({ ms, rssKiB: rss, code, stdout, stderr: stderr.replace(/\n?BENCH_MAXRSS_KB=\d+\n?/, '') });
    });
  });
}

const tokens = await startTokenEndpoint();
const sts = await startSts();
const cognito = await startCognitoFake();

/** A fresh set of runner files for each action run. */
function runnerEnv(inputs, extra = {}) {
  const dir = mkdtempSync(join(work, 'run-'));
  const files = { GITHUB_ENV: join(dir, 'env'), GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STATE: join(dir, 'state') };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const env = {
    PATH: dirname(process.execPath),
    HOME: dir,
    RUNNER_TEMP: dir,
    GITHUB_WORKSPACE: dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    AWS_EC2_METADATA_DISABLED: 'true',
    ACTIONS_ID_TOKEN_REQUEST_URL: tokens.url,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: tokens.requestToken,
    AWS_ENDPOINT_URL_STS: sts.url,
    ...files,
    ...extra,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return { env, files, dir };
}

/**
 * The rows of the benchmark, measured interleaved. Each row: `run()` → one measurement, `check(result)` throws when
 * the run did not do what the row claims (so a broken build cannot look fast), `target` for the verdict column.
 *
 * ▼ Cognito engineer: add the "Cognito flow" row to this list (start its loopback Cognito fake above, next to
 *   `tokens` and `sts`, pass AWS_ENDPOINT_URL_COGNITO_IDENTITY and cognito-identity-pool-id through runnerEnv()).
 */
/** The dist/ files one successful OIDC run of the action requires (read from require.cache at exit). */
async function actionLoadedFiles() {
  const listProbe = join(work, 'loaded-probe.cjs');
  writeFileSync(
    listProbe,
    "process.on('exit', () => process.stderr.write('\\nBENCH_LOADED=' + JSON.stringify(Object.keys(require.cache)) + '\\n'));\n",
  );
  const { env } = runnerEnv({ 'aws-region': 'us-east-1', 'role-to-assume': 'arn:aws:iam::111122223333:role/bench' });
  const stderr = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', listProbe, dist], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr.on('data', (c) => (text += c));
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  const list = JSON.parse(/BENCH_LOADED=(.*)/.exec(stderr)?.[1] ?? '[]');
  return list.filter((file) => file.startsWith(join(root, 'dist')));
}

const ROWS = [
  {
    name: "bare node -e ''",
    run: () => measure(['-e', ''], { PATH: dirname(process.execPath) }),
    check: (r) => r.code === 0,
  },
  {
    name: 'OIDC flow (success)',
    run: () => {
      const { env, files } = runnerEnv({
        'aws-region': 'us-east-1',
        'role-to-assume': 'arn:aws:iam::111122223333:role/bench',
      });
      return measure([dist], env).then((r) => ({ ...r, exported: readFileSync(files.GITHUB_ENV, 'utf8') }));
    },
    check: (r) => r.code === 0 && r.exported.includes('AWS_SESSION_TOKEN<<'),
    target: (stats, bare) => ({
      text: `≤ bare + 60 ms (+${(stats.median - bare.median).toFixed(0)} ms)`,
      ok: stats.median <= bare.median + 60,
    }),
  },
  {
    name: 'AccessDenied (failure latency)',
    run: () => {
      const { env } = runnerEnv({
        'aws-region': 'us-east-1',
        'role-to-assume': 'arn:aws:iam::111122223333:role/denied',
      });
      return measure([dist], env);
    },
    check: (r) => r.code !== 0 && r.stdout.includes('::error::') && r.stdout.includes('AccessDenied'),
    target: (stats) => ({ text: '< 1000 ms', ok: stats.median < 1000 }),
  },
  {
    name: 'Cognito flow (success)',
    run: () => {
      const { env, files } = runnerEnv(
        {
          'aws-region': 'us-east-1',
          'role-to-assume': 'arn:aws:iam::111122223333:role/bench',
          'cognito-identity-pool-id': cognito.poolId,
        },
        { AWS_ENDPOINT_URL_COGNITO_IDENTITY: cognito.url },
      );
      return measure([dist], env).then((r) => ({ ...r, exported: readFileSync(files.GITHUB_ENV, 'utf8') }));
    },
    check: (r) => r.code === 0 && r.exported.includes('AWS_SESSION_TOKEN<<'),
    target: (stats, bare) => ({ text: `bare + ${(stats.median - bare.median).toFixed(0)} ms (no target)`, ok: true }),
  },
];

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const summarise = (values) => ({ median: percentile(values, 50), p90: percentile(values, 90) });

try {
  // One warm-up round: the first start of node pays for the file cache, not for our code.
  for (const row of ROWS) await row.run();
  const samples = ROWS.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [index, row] of ROWS.entries()) {
      const result = await row.run();
      if (!row.check(result)) {
        throw new Error(`${row.name}: unexpected result (exit ${result.code})\n${result.stdout}\n${result.stderr}`);
      }
      samples[index].push(result);
    }
  }

  const stats = samples.map((list) => ({
    time: summarise(list.map((r) => r.ms)),
    rss: summarise(list.map((r) => r.rssKiB / 1024)),
  }));
  const bare = stats[0].time;
  const rows = ROWS.map((row, i) => {
    const verdict = row.target ? row.target(stats[i].time, bare) : undefined;
    return [
      row.name,
      stats[i].time.median.toFixed(1),
      stats[i].time.p90.toFixed(1),
      stats[i].rss.median.toFixed(1),
      stats[i].rss.p90.toFixed(1),
      verdict ? `${verdict.ok ? 'PASS' : 'FAIL'} ${verdict.text}` : '',
    ];
  });
  const header = ['row', 'median ms', 'p90 ms', 'median RSS MiB', 'p90 RSS MiB', 'target'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) =>
    cells.map((cell, c) => (c === 0 || c === 5 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(`\nkeyless-aws action benchmark: ${runs} interleaved runs per row, node ${process.version}`);
  console.log(
    `peak RSS from ${useTime ? '/usr/bin/time -f %M (kernel max RSS of the child)' : 'process.resourceUsage().maxRSS via a --require probe'}\n`,
  );
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));

  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push([relative(root, path), statSync(path).size]);
    }
  };
  walk(join(root, 'dist'));
  console.log('\nbundle files');
  for (const [file, size] of files.sort())
    console.log(`  ${file.padEnd(32)} ${(size / 1024).toFixed(1).padStart(8)} KiB`);
  // dist/index.js loads its chunks lazily: the CLI's commands (doctor, auth, …) are chunks the action never loads.
  // What the action loads (and the 700 KB target) is measured: the bundle files an OIDC run actually required.
  const isChunk = (file) => /^dist\/(\d+\.)?index\.js$/.test(file.replaceAll('\\', '/'));
  const all = files.filter(([file]) => isChunk(file)).reduce((sum, [, size]) => sum + size, 0);
  console.log(
    `  ${'dist/index.js + all its chunks'.padEnd(32)} ${(all / 1024).toFixed(1).padStart(8)} KiB  (every CLI command)`,
  );
  const loaded = await actionLoadedFiles();
  const total = loaded.reduce((sum, file) => sum + statSync(file).size, 0);
  console.log(
    `  ${'loaded by the action (OIDC)'.padEnd(32)} ${(total / 1024).toFixed(1).padStart(8)} KiB  ${total <= 700_000 ? 'PASS' : 'FAIL'} ≤ 700 KB (${loaded.length} files)`,
  );
} finally {
  await Promise.all([tokens.close(), sts.close(), cognito.close()]);
  rmSync(work, { recursive: true, force: true });
}
