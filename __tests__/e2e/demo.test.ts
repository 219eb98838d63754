/**
 * Black box: `npm run demo` (dist/demo/index.js) as a newcomer runs it — a clean environment, nothing but node on
 * PATH — must walk the whole offline chain, report every step as passed, and print no secret on the way.
 * dist/demo/index.js is built by the lead with the other bundles; when it is missing it is built here first.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
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

/** The lines printed under a step's title (up to the blank line that ends it), without their indentation. */
function stepLines(title: string): string[] {
  const lines = demo.stdout.split('\n');
  const start = lines.findIndex((l) => l.includes(title));
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end).map((l) => l.replace(/^ {4}/, ''));
}

test('exits 0 and says every step behaved as expected', () => {
  expect(demo.stderr).toBe('');
  expect(demo.code).toBe(0);
  expect(demo.stdout).toMatch(/\nEvery step behaved as expected \(\d+ ms\)\.\n$/);
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

test('each step says which CI, which issuer (production URL and the local one), which role and template', () => {
  const expectations: Array<[string, RegExp, string, string]> = [
    [
      STEPS[0] as string,
      /^CI: +GitHub Actions, the action/,
      'https://token.actions.githubusercontent.com',
      'GitHubDeployRole in examples/github-oidc.yml',
    ],
    [
      STEPS[1] as string,
      /^CI: +Jenkins, a build inside withAwsIdToken/,
      'https://jenkins-oidc.example.com',
      'JenkinsDeployRole in examples/jenkins/jenkins-oidc.yml',
    ],
    [
      STEPS[2] as string,
      /^CI: +GitHub Actions, the CLI in a run: step/,
      'https://token.actions.githubusercontent.com',
      'CiAbacRole in examples/cognito-tags.yml',
    ],
    [
      STEPS[3] as string,
      /^CI: +GitHub Actions, the action/,
      'https://token.actions.githubusercontent.com',
      'GitHubDeployRole in examples/github-oidc.yml',
    ],
  ];
  for (const [title, ci, issuer, template] of expectations) {
    const [ciLine, issuerLine, roleLine] = stepLines(title);
    expect(ciLine).toMatch(ci);
    expect(issuerLine).toMatch(
      new RegExp(
        `^Issuer: +${issuer.replace(/[.]/g, '\\.')} \\(served here on http://127\\.0\\.0\\.1:\\d+, mapped by the emulator's --issuer\\)$`,
      ),
    );
    expect(roleLine).toMatch(
      new RegExp(`^Role: +arn:aws:iam::123456789012:role/\\S+ \\(${template.replace(/[.]/g, '\\.')}\\)$`),
    );
  }
});

test('each step shows what a user would write: the action’s inputs or the CLI command line, and the check', () => {
  const action = stepLines(STEPS[0] as string).join('\n');
  expect(action).toMatch(
    /You would write:\n {2}- uses: keyless-aws\/keyless-aws@v1\n {4}with:\n {6}role-to-assume: arn:aws:iam::123456789012:role\/\S*GitHubDeployRole\n {6}aws-region: us-east-1\n {2}- run: aws sts get-caller-identity --endpoint-url http:\/\/127\.0\.0\.1:\d+\n/,
  );
  const jenkins = stepLines(STEPS[1] as string).join('\n');
  expect(jenkins).toMatch(
    /\$ AWS_ENDPOINT_URL_STS=http:\/\/127\.0\.0\.1:\d+ node dist\/index\.js credential-process --aws-region us-east-1 --role-to-assume arn:aws:iam::123456789012:role\/\S*JenkinsDeployRole --token-source jenkins\n/,
  );
  expect(jenkins).toMatch(/\$ aws sts get-caller-identity --endpoint-url http:\/\/127\.0\.0\.1:\d+/);
  const cognito = stepLines(STEPS[2] as string).join('\n');
  expect(cognito).toMatch(
    /\$ AWS_ENDPOINT_URL_COGNITO_IDENTITY=\S+ AWS_ENDPOINT_URL_STS=\S+ node dist\/index\.js env --format json --cognito-identity-pool-id us-east-1:[0-9a-f-]{36} --token-source github --aws-region us-east-1 --role-to-assume arn:aws:iam::123456789012:role\/\S*CiAbacRole\n/,
  );
});

test('the denial shows the error’s first lines in full, as the job log shows them', () => {
  const lines = stepLines(STEPS[3] as string);
  const error = lines.slice(lines.findIndex((l) => l.startsWith('  Error: ')));
  expect(error[0]).toBe(
    '  Error: sts:AssumeRoleWithWebIdentity failed: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity ' +
      '(emulator: statement GitHubActionsOfOneRepository: condition StringLike token.actions.githubusercontent.com:sub = ' +
      'repo:acme/app:* did not match repo:evil/app:ref:refs/heads/main)',
  );
  expect(error[1]).toBe('  Role: arn:aws:iam::123456789012:role/github-oidc-GitHubDeployRole');
  expect(error).toContain('    token.actions.githubusercontent.com:aud = sts.amazonaws.com');
  expect(error).toContain('    token.actions.githubusercontent.com:sub = repo:evil/app:ref:refs/heads/main');
  expect(error.join('\n')).toContain('What the trust policy sees:');
  expect(error.join('\n')).not.toMatch(/…|\.\.\.$/m);
});

test('an unknown mode is refused with the two ways to run the demo, exit code 2', () => {
  const result = spawnSync(process.execPath, [DEMO, 'jenkin'], { encoding: 'utf8', timeout: 30_000 });
  expect(result.status).toBe(2);
  expect(result.stderr).toBe('demo: unknown mode "jenkin"; run `npm run demo` or `npm run demo -- jenkins`.\n');
  expect(result.stdout).toBe('');
});
