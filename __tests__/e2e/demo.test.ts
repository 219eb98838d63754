/**
 * Black box: `npm run demo` (dist/demo/index.js) as a newcomer runs it — a clean environment, nothing but node on
 * PATH — must walk the whole offline chain, report every step as passed, and print no secret on the way.
 * dist/demo/index.js is built by the lead with the other bundles; when it is missing it is built here first.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from '../support/run-dist';
import { closeAll, JWT_SHAPE, TEMPORARY_KEY_SHAPE, tempDir } from './support/chain';

const DEMO = join(ROOT, 'dist', 'demo', 'index.js');
const STEPS = [
  'GitHub Actions OIDC (the action)',
  'Jenkins token service (CLI credential-process)',
  'Cognito classic flow: claims become session tags',
  'Denied: a token from another repository (wrong sub), explained',
];

interface DemoRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let demo: DemoRun;

beforeAll(async () => {
  if (!existsSync(DEMO)) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), 'demo'], { cwd: ROOT, stdio: 'ignore' });
  }
  const home = tempDir('keyless-demo-home-');
  demo = await new Promise<DemoRun>((done) => {
    const child = spawn(process.execPath, [DEMO], {
      cwd: home,
      env: { PATH: dirname(process.execPath), HOME: home, AWS_EC2_METADATA_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      done({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}, 120_000);

afterAll(closeAll);

test('exits 0 and says every step behaved as expected', () => {
  expect(demo.stderr).toBe('');
  expect(demo.code).toBe(0);
  expect(demo.stdout).toContain('Every step behaved as expected.');
  expect(demo.stdout).not.toContain('✘');
});

test.each(STEPS)('step “%s” is marked ✔', (title) => {
  const line = demo.stdout.split('\n').find((l) => l.includes(title));
  expect(line).toMatch(new RegExp(`^✔ ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ ms\\)$`));
});

test('the credentials were proven with GetCallerIdentity, and the denial shows the sub the trust policy saw', () => {
  const arns = demo.stdout.match(/GetCallerIdentity: arn:aws:sts::\d{12}:assumed-role\/\S+/g) ?? [];
  expect(arns).toHaveLength(3);
  expect(arns.join('\n')).toMatch(/assumed-role\/[^/\s]*GitHubDeployRole\/GitHubActions/);
  expect(arns.join('\n')).toMatch(/assumed-role\/[^/\s]*JenkinsDeployRole\/Jenkins-deploy-57/);
  expect(arns.join('\n')).toMatch(/assumed-role\/[^/\s]*CiAbacRole\/\d+@[0-9a-f]{40}/);
  expect(demo.stdout).toMatch(/:sub = repo:evil\/app:ref:refs\/heads\/main/);
  expect(demo.stdout).toContain('nothing exported');
});

test('no secret-looking value is printed: no JWT, no temporary access key id', () => {
  const printed = demo.stdout + demo.stderr;
  expect(printed).not.toMatch(JWT_SHAPE);
  expect(printed).not.toMatch(TEMPORARY_KEY_SHAPE);
  // Secret access keys and session tokens are long base64 runs; the demo prints ARNs, ids and claims only (a
  // commit sha, 40 lower-case hex digits, is the one long run it may show).
  const longRuns = [...printed.matchAll(/[A-Za-z0-9+/]{40,}/g)].map((m) => m[0]);
  expect(longRuns.filter((run) => !/^[0-9a-f]{40}$/.test(run))).toEqual([]);
});

test('the example templates are judged as deployed: tokens carry the production issuers, mapped to loopback', () => {
  const header = demo.stdout.split('\n')[0] ?? '';
  expect(header).toContain('issuers https://token.actions.githubusercontent.com (on http://127.0.0.1:');
  expect(header).toContain('https://jenkins-oidc.example.com (on http://127.0.0.1:');
  expect(demo.stdout).toContain('token.actions.githubusercontent.com:sub = repo:evil/app');
});
