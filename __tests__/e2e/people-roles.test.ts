/**
 * Black box: `roles <provider>` as a person runs it. The person is signed in (the session seeded through the session
 * store's own writeSessionFile, as a sign-in leaves it); the roles come from a template with several roles, some trusting
 * the person's `sub` and some not, read as a file (--template) and from the emulator's IAM read API (--live). A
 * missing sign-in goes through auth's sign-in (the browser command is started), and the ID token is never printed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { authPaths } from '../../src/auth/paths';
import { writeSessionFile } from '../../src/auth/session-file';
import { startEmulator } from '../../src/emulator';
import { cleanupCliDirs, cliDir, cliEnv, runCli, startCli } from '../cli/support/run-cli';
import { createTestIssuer } from '../support/jwt';
import { JWT_SHAPE } from './support/chain';
import {
  type OidcServer,
  recordedStarts,
  recorderCommand,
  startOidcProvider,
  waitForBrowserStart,
} from './support/people';

const CLIENT_ID = 'keyless-laptop';
const ACCOUNT = '123456789012';
const ROOT = { id: 'AKIAEMULATORROOT0016', secret: 'root-secret-16000000000000000000000000000' };
const USER = { id: 'AKIAEMULATORUSER0016', secret: 'user-secret-16000000000000000000000000000' };
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

let oidc: OidcServer;
let emulator: Awaited<ReturnType<typeof startEmulator>>;
let template: string;

/** A role trusting the people provider for `sub` values matching `pattern`, in statement `sid`. */
function role(name: string, sid: string, pattern: string, maxSessionDuration: number) {
  const key = `${new URL(oidc.issuer).host}${new URL(oidc.issuer).pathname.replace(/\/$/, '')}`;
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: name,
      MaxSessionDuration: maxSessionDuration,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: sid,
            Effect: 'Allow',
            Principal: { Federated: { Ref: 'People' } },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { [`${key}:aud`]: CLIENT_ID }, StringLike: { [`${key}:sub`]: pattern } },
          },
        ],
      },
    },
  };
}

beforeAll(async () => {
  oidc = await startOidcProvider({ clientId: CLIENT_ID });
  template = join(cliDir(), 'people-roles.json');
  writeFileSync(
    template,
    JSON.stringify({
      AWSTemplateFormatVersion: '2010-09-09',
      Resources: {
        People: { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: oidc.issuer, ClientIdList: [CLIENT_ID] } },
        Reader: role('reader', 'Alice', 'alice', 7200),
        Deployer: role('deployer', 'AliceAndAlison', 'ali*', 3600),
        Admin: role('admin', 'Bob', 'bob', 3600),
      },
    }),
  );
  emulator = await startEmulator({
    log: () => {},
    templates: [template],
    accessKeys: [
      { accessKeyId: ROOT.id, secretAccessKey: ROOT.secret, arn: `arn:aws:iam::${ACCOUNT}:root` },
      { accessKeyId: USER.id, secretAccessKey: USER.secret, arn: `arn:aws:iam::${ACCOUNT}:user/dev` },
    ],
  });
}, 30_000);

afterAll(async () => {
  await emulator?.close();
  oidc?.close();
  cleanupCliDirs();
});

interface Laptop {
  readonly env: Record<string, string>;
  readonly argvFile: string;
  readonly idToken?: string;
}

/** A laptop with the providers file; signed in as `sub` unless `signedIn` is false. */
async function laptop(sub: string | false = 'alice'): Promise<Laptop> {
  const dir = cliDir();
  const argvFile = join(dir, 'browser-argv.jsonl');
  const config = join(dir, 'providers');
  writeFileSync(
    config,
    [
      '[provider work]',
      `issuer = ${oidc.issuer}`,
      `client-id = ${CLIENT_ID}`,
      `browser = ${recorderCommand(argvFile)}`,
    ].join('\n'),
  );
  const env = { ...cliEnv(dir), KEYLESS_AWS_CONFIG: config, AWS_REGION: 'us-east-1' };
  if (sub === false) return { env, argvFile };
  const issuer = await createTestIssuer(oidc.issuer);
  const idToken = await issuer.sign({ sub, aud: CLIENT_ID, email: `${sub}@example.com` }, { expiresIn: 3600 });
  await writeSessionFile(authPaths(env).sessionDir, 'work', { issuer: oidc.issuer, clientId: CLIENT_ID, idToken });
  return { env, argvFile, idToken };
}

const keys = (k: { id: string; secret: string }) => ({ AWS_ACCESS_KEY_ID: k.id, AWS_SECRET_ACCESS_KEY: k.secret });

interface Listed {
  identity: { provider: string; sub: string };
  roles: Array<{
    roleArn: string;
    allowed: boolean;
    statement?: string;
    maxSessionDuration: number;
    stage?: string;
    reason: string;
  }>;
}

test('--template: the assumable roles with the allowing statement and max session, nothing secret printed', async () => {
  const machine = await laptop();
  const run = await runCli(['roles', 'work', '--template', template], { env: machine.env });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('alice (work): 2 of 3 roles can be assumed.');
  expect(run.stdout).toContain(`${arn('reader')}\n    allowed by statement Alice; max session 7200 s`);
  expect(run.stdout).toMatch(/role\/reader\n.*max session 7200 s/);
  expect(run.stdout).toMatch(/role\/deployer\n.*max session 3600 s/);
  expect(run.stdout).not.toContain('role/admin');
  expect(run.stdout + run.stderr).not.toMatch(JWT_SHAPE);
  // The kept sign-in served: no browser was started.
  expect(recordedStarts(machine.argvFile)).toHaveLength(0);
});

test('--live --all --format json: the account read through IAM, the denied role with the doctor reason', async () => {
  const machine = await laptop('alice');
  const run = await runCli(['roles', 'work', '--live', '--iam-endpoint', emulator.url, '--all', '--format', 'json'], {
    env: { ...machine.env, ...keys(ROOT) },
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const listed = JSON.parse(run.stdout) as Listed;
  expect(listed.identity).toMatchObject({ provider: 'work', sub: 'alice' });
  const byArn = new Map(listed.roles.map((r) => [r.roleArn, r]));
  expect(byArn.get(arn('reader'))).toMatchObject({
    allowed: true,
    statement: 'statement Alice',
    maxSessionDuration: 7200,
  });
  expect(byArn.get(arn('deployer'))).toMatchObject({ allowed: true, maxSessionDuration: 3600 });
  expect(byArn.get(arn('admin'))).toMatchObject({ allowed: false, stage: 'trust-policy' });
  expect(byArn.get(arn('admin'))!.reason).toMatch(/sub/);
  expect(run.stdout).not.toContain(machine.idToken!);

  // Another person sees other roles: bob may assume admin only.
  const bob = await laptop('bob');
  const other = await runCli(['roles', 'work', '--live', '--iam-endpoint', emulator.url, '--format', 'json'], {
    env: { ...bob.env, ...keys(ROOT) },
  });
  expect(other.code).toBe(0);
  expect((JSON.parse(other.stdout) as Listed).roles.map((r) => r.roleArn)).toEqual([arn('admin')]);
});

test('--live with credentials that may not list roles: exit 4 naming the permission', async () => {
  const machine = await laptop();
  const run = await runCli(['roles', 'work', '--live', '--iam-endpoint', emulator.url], {
    env: { ...machine.env, ...keys(USER) },
  });
  expect(run.code).toBe(4);
  expect(run.stderr).toContain('iam:ListRoles');
  expect(run.stdout).toBe('');
});

test('no role source: exit 2 naming --live and --template, before anyone is asked to sign in', async () => {
  const machine = await laptop(false);
  const run = await runCli(['roles', 'work'], { env: machine.env });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('--live');
  expect(run.stderr).toContain('--template');
  const profileOnly = await runCli(['roles', 'work', '--template', template, '--profile', 'x'], { env: machine.env });
  expect(profileOnly.code).toBe(2);
  expect(profileOnly.stderr).toContain('--profile is used with --live only');
  expect(recordedStarts(machine.argvFile)).toHaveLength(0);
});

test('not signed in: the sign-in of auth starts (its launch address leads to the authorization URL)', async () => {
  const machine = await laptop(false);
  const started = startCli(['roles', 'work', '--template', template, '--login-timeout-s', '4'], { env: machine.env });
  const launchUrl = await waitForBrowserStart(machine.argvFile, 1);
  expect(launchUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/launch\/[\w-]{43}$/);
  const launched = await fetch(launchUrl, { redirect: 'manual' });
  const authorization = new URL(launched.headers.get('location')!);
  expect(authorization.searchParams.get('client_id')).toBe(CLIENT_ID);
  expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
  const run = await started.result;
  expect(recordedStarts(machine.argvFile)).toHaveLength(1);
  // No answer came from the browser: the sign-in's own timeout and exit code.
  expect(run.code).toBe(5);
  expect(run.stderr).toContain('No sign-in answer from the browser within 4 s');
  expect(run.stdout).toBe('');
}, 30_000);

test('no roles in the sources is an answer, not an error: 0 of 0, exit 0', async () => {
  const machine = await laptop();
  const empty = join(cliDir(), 'no-roles.json');
  writeFileSync(
    empty,
    JSON.stringify({
      Resources: {
        People: { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: oidc.issuer, ClientIdList: [CLIENT_ID] } },
      },
    }),
  );
  const run = await runCli(['roles', 'work', '--template', empty], { env: machine.env });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toBe('Signed in as alice (work): 0 of 0 roles can be assumed.\n');
});

test('a hostile sub stays one inert line: no workflow command in the output', async () => {
  const machine = await laptop('mallory\n::stop-commands::x\n##[set-env name=A]');
  const run = await runCli(['roles', 'work', '--template', template, '--all'], { env: machine.env });
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('0 of 3 roles can be assumed.');
  expect(run.stdout).toContain('mallory\\n::stop-commands::x');
  for (const line of run.stdout.split('\n')) expect(line).not.toMatch(/^\s*::|##\[/);
});
