/**
 * `node dist/index.js doctor` as users run it: exit codes (0, 2, 4, 6), the three formats, described contexts,
 * claims files and unknown claim keys.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  GITHUB_HOST,
  GITHUB_PROVIDER_ARN,
  roleArn,
  type TemplateDir,
  templateDir,
  trust,
} from '../../doctor/support/templates';
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../support/run-cli';

let dir: TemplateDir;
let env: Record<string, string | undefined>;
let cwd: string;
let template: string;
const MAIN = 'repo:acme/app:ref:refs/heads/main';

beforeAll(() => {
  dir = templateDir();
  cwd = cliDir();
  env = cliEnv(cwd);
  const aud = { [`${GITHUB_HOST}:aud`]: 'sts.amazonaws.com' };
  template = dir.write('roles.yml', {
    Deploy: { policy: trust(GITHUB_PROVIDER_ARN, { StringEquals: { ...aud, [`${GITHUB_HOST}:sub`]: MAIN } }) },
    Prod: {
      policy: trust(GITHUB_PROVIDER_ARN, {
        StringEquals: { ...aud, [`${GITHUB_HOST}:sub`]: 'repo:acme/app:environment:prod' },
      }),
    },
  });
});
afterAll(() => {
  dir.remove();
  cleanupCliDirs();
});

const doctor = (args: string[]) => runCli(['doctor', ...args], { env, cwd });

test('role finder: lists which roles a described GitHub context can assume', async () => {
  const run = await doctor([
    '--template',
    template,
    '--github-repository',
    'acme/app',
    '--github-environment',
    'prod',
    '--fail-on',
    'none',
    '--format',
    'json',
  ]);
  expect(run.code).toBe(0);
  const out = JSON.parse(run.stdout);
  const allowed = out.verdicts
    .filter((v: { allowed: boolean }) => v.allowed)
    .map((v: { roleArn: string }) => v.roleArn);
  expect(allowed).toEqual([roleArn('Prod')]);
  expect(out.token.claims.sub).toBe('repo:acme/app:environment:prod');
});

test('exit 4 when the role asked for cannot be assumed, naming sub against the expected value and the fix', async () => {
  const run = await doctor([
    '--template',
    template,
    '--role-arn',
    roleArn('Deploy'),
    '--github-repository',
    'acme/app',
    '--github-environment',
    'prod',
    '--fail-on',
    'none',
  ]);
  expect(run.code).toBe(4);
  expect(run.stdout).toContain('DENIED');
  expect(run.stdout).toContain(`sub is repo:acme/app:environment:prod, the policy expects ${MAIN}`);
  expect(run.stdout).not.toContain('\u001b['); // no colour when stdout is not a TTY
});

test('exit 0 for the role asked for when it can be assumed (lint below --fail-on)', async () => {
  const run = await doctor([
    '--template',
    template,
    '--role-arn',
    roleArn('Deploy'),
    '--github-repository',
    'acme/app',
    '--fail-on',
    'error',
  ]);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('ALLOWED');
});

test('exit 6 when a lint finding is at or above --fail-on; SARIF 2.1.0 with the template location', async () => {
  const run = await doctor(['--template', template, '--format', 'sarif', '--fail-on', 'note']);
  expect(run.code).toBe(6);
  const sarif = JSON.parse(run.stdout);
  expect(sarif.version).toBe('2.1.0');
  const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'github-immutable-subject');
  // Outside the working directory: a file: URI (inside it, a relative path; see the example workflow's test).
  expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe(pathToFileURL(template).href);
  expect(result.locations[0].physicalLocation.region.startLine).toBeGreaterThan(1);
  expect(sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toContain(result.ruleId);
});

test('unparsable template: exit 2 with file and line', async () => {
  const bad = join(dir.dir, 'broken.yml');
  writeFileSync(bad, 'Resources:\n  Role:\n    Type: [unclosed\n');
  const run = await doctor(['--template', bad]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(bad);
  expect(run.stderr).toMatch(/line \d+|:\d+/);
});

test('claims file (JSON) with a syntax error: exit 2 with line and column', async () => {
  const file = join(dir.dir, 'claims.json');
  writeFileSync(file, '{\n  "iss": "https://token.actions.githubusercontent.com",\n  "sub": oops\n}\n');
  const run = await doctor(['--template', template, '--claims-file', file]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(`--claims-file ${file}: line 3`);
});

test('claims from a JWT file and --claim; unknown claim keys are flagged', async () => {
  const payload = Buffer.from(
    JSON.stringify({ iss: 'https://token.actions.githubusercontent.com', aud: 'sts.amazonaws.com', sub: MAIN }),
  ).toString('base64url');
  const file = join(dir.dir, 'token.jwt');
  writeFileSync(file, `eyJhbGciOiJSUzI1NiJ9.${payload}.c2ln\n`);
  const run = await doctor([
    '--template',
    template,
    '--claims-file',
    file,
    '--claim',
    'favourite_colour=blue',
    '--role-arn',
    roleArn('Deploy'),
    '--fail-on',
    'none',
  ]);
  expect(run.code).toBe(0);
  expect(run.stderr).toContain('claim "favourite_colour" is not one');
  expect(run.stdout).toContain('claim "favourite_colour"');
});

test('a trust-policy JSON file judged as the role named by --role-arn', async () => {
  const file = join(dir.dir, 'trust.json');
  writeFileSync(
    file,
    JSON.stringify(
      trust(GITHUB_PROVIDER_ARN, {
        StringEquals: { [`${GITHUB_HOST}:aud`]: 'sts.amazonaws.com', [`${GITHUB_HOST}:sub`]: MAIN },
      }),
      null,
      2,
    ),
  );
  const arn = 'arn:aws:iam::123456789012:role/ci/deploy';
  const ok = await doctor([
    '--policy',
    file,
    '--role-arn',
    arn,
    '--github-repository',
    'acme/app',
    '--fail-on',
    'none',
  ]);
  expect(ok.code).toBe(0);
  const wrongAud = await doctor([
    '--policy',
    file,
    '--role-arn',
    arn,
    '--github-repository',
    'acme/app',
    '--audience',
    'other',
    '--fail-on',
    'none',
  ]);
  expect(wrongAud.code).toBe(4);
});

test('help lists the doctor and exit code 6', async () => {
  const run = await runCli(['doctor', '--help'], { env });
  expect(run.stdout).toContain('--fail-on');
  const global = await runCli(['--help'], { env });
  expect(global.stdout).toMatch(/6\s+doctor: lint findings/);
});
