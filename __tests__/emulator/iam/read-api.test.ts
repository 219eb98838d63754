// The emulated IAM read API through the AWS CLI (botocore's signer, scoped to `iam`): every page of ListRoles with
// MaxItems/Marker (the CLI's own paginator and explicit pages), PathPrefix, GetRole with the URL-encoded trust
// policy, the OIDC provider calls, and AccessDenied naming the principal and the missing permission.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { awsCliPath } from '../../support/aws-cli';
import { type Harness, startHarness } from '../support/emulator';

const run = promisify(execFile);
const ROOT = { id: 'AKIAEMULATORROOT0001', secret: 'root-secret-00000000000000000000000000000' };
const USER = { id: 'AKIAEMULATORUSER0001', secret: 'user-secret-00000000000000000000000000000' };
const awsCli = awsCliPath();
const ROLES = 25;
let harness: Harness;

const trust = (principal: Record<string, unknown>, action = 'sts:AssumeRole') => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: principal, Action: action }],
});

beforeAll(async () => {
  const roles = Array.from({ length: ROLES }, (_, i) => ({
    name: `role-${String(i).padStart(2, '0')}`,
    ...(i % 5 === 0 ? { path: '/ci/' } : {}),
    assumeRolePolicyDocument: trust({ AWS: '123456789012' }),
  }));
  harness = await startHarness({
    config: {
      oidcProviders: [{ url: 'http://127.0.0.1:1/issuer', clientIds: ['sts.amazonaws.com', 'other'] }],
      roles: [
        ...roles,
        {
          name: 'reader',
          assumeRolePolicyDocument: trust({ AWS: '123456789012' }),
          inlinePolicies: {
            read: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }] },
          },
        },
        {
          // Read access from an AWS-managed policy and an inline Allow, but GetRole explicitly denied inline.
          name: 'fenced',
          assumeRolePolicyDocument: trust({ AWS: '123456789012' }),
          managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
          inlinePolicies: {
            all: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
            fence: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:GetRole', Resource: '*' }] },
          },
        },
      ],
      accessKeys: [
        { accessKeyId: ROOT.id, secretAccessKey: ROOT.secret, arn: 'arn:aws:iam::123456789012:root' },
        { accessKeyId: USER.id, secretAccessKey: USER.secret, arn: 'arn:aws:iam::123456789012:user/dev' },
      ],
    },
  });
}, 60_000);

afterAll(async () => {
  await harness.emulator.close();
});

async function aws(args: string[], credentials: { id: string; secret: string; token?: string }) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ACCESS_KEY_ID: credentials.id,
    AWS_SECRET_ACCESS_KEY: credentials.secret,
    ...(credentials.token ? { AWS_SESSION_TOKEN: credentials.token } : {}),
  };
  const { stdout } = await run(awsCli, [...args, '--endpoint-url', harness.emulator.url, '--output', 'json'], {
    env,
    timeout: 60_000,
  });
  return JSON.parse(stdout);
}

it('list-roles: every role across pages (CLI paginator and explicit Marker), and PathPrefix', async () => {
  const all = await aws(['iam', 'list-roles', '--page-size', '7'], ROOT);
  expect(all.Roles).toHaveLength(ROLES + 2);
  const first = await aws(['iam', 'list-roles', '--max-items', '10', '--no-paginate'], ROOT);
  expect(first.Roles).toHaveLength(10);
  expect(first.IsTruncated).toBe(true);
  const second = await aws(
    ['iam', 'list-roles', '--marker', first.Marker, '--no-paginate', '--max-items', '100'],
    ROOT,
  );
  expect(second.IsTruncated).toBe(false);
  expect([...first.Roles, ...second.Roles].map((r: { RoleName: string }) => r.RoleName)).toEqual(
    all.Roles.map((r: { RoleName: string }) => r.RoleName),
  );
  const ci = await aws(['iam', 'list-roles', '--path-prefix', '/ci/'], ROOT);
  expect(ci.Roles.map((r: { Path: string }) => r.Path)).toEqual(Array(5).fill('/ci/'));
}, 60_000);

it('get-role returns the trust policy (decoded by the CLI) and MaxSessionDuration', async () => {
  const { Role } = await aws(['iam', 'get-role', '--role-name', 'role-01'], ROOT);
  expect(Role.Arn).toBe('arn:aws:iam::123456789012:role/role-01');
  expect(Role.AssumeRolePolicyDocument).toEqual(trust({ AWS: '123456789012' }));
  expect(Role.MaxSessionDuration).toBe(3600);
}, 60_000);

it('OIDC providers: list and get with client ids', async () => {
  const list = await aws(['iam', 'list-open-id-connect-providers'], ROOT);
  const arn = 'arn:aws:iam::123456789012:oidc-provider/127.0.0.1:1/issuer';
  expect(list.OpenIDConnectProviderList).toEqual([{ Arn: arn }]);
  const provider = await aws(['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', arn], ROOT);
  expect(provider).toMatchObject({ Url: '127.0.0.1:1/issuer', ClientIDList: ['sts.amazonaws.com', 'other'] });
}, 60_000);

it('AccessDenied names the principal and the missing permission; a role whose policy allows it may list', async () => {
  await expect(aws(['iam', 'list-roles'], USER)).rejects.toMatchObject({
    stderr: expect.stringMatching(
      /AccessDenied.*User: arn:aws:iam::123456789012:user\/dev is not authorized to perform: iam:ListRoles/s,
    ),
  });
  const assumed = await aws(
    ['sts', 'assume-role', '--role-arn', 'arn:aws:iam::123456789012:role/reader', '--role-session-name', 'rd'],
    ROOT,
  );
  const session = {
    id: assumed.Credentials.AccessKeyId,
    secret: assumed.Credentials.SecretAccessKey,
    token: assumed.Credentials.SessionToken,
  };
  expect((await aws(['iam', 'list-roles'], session)).Roles).toHaveLength(ROLES + 2);
  await expect(aws(['iam', 'get-role', '--role-name', 'role-01'], session)).rejects.toMatchObject({
    stderr: expect.stringContaining('assumed-role/reader/rd is not authorized to perform: iam:GetRole'),
  });
}, 60_000);

it('an explicit Deny in one identity policy wins over the Allow of another (and of an AWS-managed policy)', async () => {
  const assumed = await aws(
    ['sts', 'assume-role', '--role-arn', 'arn:aws:iam::123456789012:role/fenced', '--role-session-name', 'fd'],
    ROOT,
  );
  const session = {
    id: assumed.Credentials.AccessKeyId,
    secret: assumed.Credentials.SecretAccessKey,
    token: assumed.Credentials.SessionToken,
  };
  expect((await aws(['iam', 'list-roles'], session)).Roles).toHaveLength(ROLES + 2);
  await expect(aws(['iam', 'get-role', '--role-name', 'role-01'], session)).rejects.toMatchObject({
    stderr: expect.stringContaining('assumed-role/fenced/fd is not authorized to perform: iam:GetRole'),
  });
}, 60_000);
