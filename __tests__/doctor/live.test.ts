/**
 * `doctor --live` against the emulator's IAM endpoint, as a user runs it (the built CLI, credentials from the
 * environment): the role finder over every ListRoles page, one role with --role-arn, and exit 4 naming the missing
 * permission and the principal when the credentials may not list roles.
 */

import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { type Harness, startHarness } from '../emulator/support/emulator';

const ISSUER = 'http://127.0.0.1:9/issuer';
const HOST = '127.0.0.1:9/issuer';
const ROOT = { id: 'AKIAEMULATORROOT0002', secret: 'root-secret-10000000000000000000000000000' };
const USER = { id: 'AKIAEMULATORUSER0002', secret: 'user-secret-10000000000000000000000000000' };
const ROLES = 230;
let harness: Harness;
let base: Record<string, string | undefined>;

beforeAll(async () => {
  const roles = Array.from({ length: ROLES }, (_, i) => ({
    name: `role-${i}`,
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${HOST}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com', [`${HOST}:sub`]: `job:app-${i % 10}:build:1` },
          },
        },
      ],
    },
  }));
  harness = await startHarness({
    config: {
      oidcProviders: [{ url: ISSUER, clientIds: ['sts.amazonaws.com'] }],
      roles,
      accessKeys: [
        { accessKeyId: ROOT.id, secretAccessKey: ROOT.secret, arn: 'arn:aws:iam::123456789012:root' },
        { accessKeyId: USER.id, secretAccessKey: USER.secret, arn: 'arn:aws:iam::123456789012:user/dev' },
      ],
    },
  });
  base = { ...cliEnv(cliDir()), AWS_REGION: 'us-east-1' };
}, 60_000);

afterAll(async () => {
  await harness.emulator.close();
  cleanupCliDirs();
});

const claims = ['--claim', `iss=${ISSUER}`, '--claim', 'aud=sts.amazonaws.com', '--claim', 'sub=job:app-3:build:1'];
const keys = (k: { id: string; secret: string }) => ({ AWS_ACCESS_KEY_ID: k.id, AWS_SECRET_ACCESS_KEY: k.secret });

test('role finder over every page of the live account', async () => {
  const run = await runCli(
    ['doctor', '--live', '--iam-endpoint', harness.emulator.url, ...claims, '--format', 'json', '--fail-on', 'none'],
    {
      env: { ...base, ...keys(ROOT) },
    },
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const out = JSON.parse(run.stdout);
  expect(out.verdicts).toHaveLength(ROLES);
  const allowed = out.verdicts
    .filter((v: { allowed: boolean }) => v.allowed)
    .map((v: { roleArn: string }) => v.roleArn);
  expect(allowed).toHaveLength(ROLES / 10);
  expect(allowed).toContain('arn:aws:iam::123456789012:role/role-13');
}, 60_000);

test('--role-arn reads one role with GetRole and exits 4 when it cannot be assumed', async () => {
  const run = await runCli(
    [
      'doctor',
      '--live',
      '--iam-endpoint',
      harness.emulator.url,
      ...claims,
      '--role-arn',
      'arn:aws:iam::123456789012:role/role-4',
      '--fail-on',
      'none',
    ],
    {
      env: { ...base, ...keys(ROOT) },
    },
  );
  expect(run.code).toBe(4);
  expect(run.stdout).toContain('sub is job:app-3:build:1, the policy expects job:app-4:build:1');
}, 60_000);

test('credentials without iam:ListRoles: exit 4 naming the permission and the principal', async () => {
  const run = await runCli(['doctor', '--live', '--iam-endpoint', harness.emulator.url, ...claims], {
    env: { ...base, ...keys(USER) },
  });
  expect(run.code).toBe(4);
  expect(run.stderr).toContain('arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:');
  expect(run.stderr).toContain('iam:ListRoles');
  expect(run.stderr).not.toContain(USER.secret);
}, 60_000);
