// The emulated IAM writes through the AWS CLI (botocore's query serializer and error parser, SigV4 scoped to
// `iam`): the raw response of a write (response metadata without a Result element), idempotent adds and removes,
// LimitExceeded / NoSuchEntity / MalformedPolicyDocument as the CLI reports them, role tags, and AccessDenied for a
// role whose only policy is IAMReadOnlyAccess.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { awsCliPath } from '../../support/aws-cli';
import { type Harness, startHarness } from '../support/emulator';

const run = promisify(execFile);
const ACCOUNT = '123456789012';
const ROOT = { id: 'AKIAEMULATORROOT0001', secret: 'root-secret-00000000000000000000000000000' };
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/127.0.0.1:1/issuer`;
const awsCli = awsCliPath();
let harness: Harness;

const trust = (principal: Record<string, unknown>) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }],
});

beforeAll(async () => {
  harness = await startHarness({
    config: {
      oidcProviders: [
        { url: 'http://127.0.0.1:1/issuer', clientIds: Array.from({ length: 99 }, (_, i) => `client-${i}`) },
      ],
      roles: [
        {
          name: 'deploy',
          assumeRolePolicyDocument: trust({ AWS: ACCOUNT }),
          tags: [
            { Key: 'keyless:audience', Value: 'sts.amazonaws.com' },
            { Key: 'team', Value: 'build' },
          ],
        },
        {
          name: 'auditor',
          assumeRolePolicyDocument: trust({ AWS: ACCOUNT }),
          managedPolicyArns: ['arn:aws:iam::aws:policy/IAMReadOnlyAccess'],
        },
      ],
      accessKeys: [{ accessKeyId: ROOT.id, secretAccessKey: ROOT.secret, arn: `arn:aws:iam::${ACCOUNT}:root` }],
    },
  });
}, 60_000);

afterAll(async () => {
  await harness.emulator.close();
});

async function aws(args: string[], credentials: { id: string; secret: string; token?: string } = ROOT) {
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
  return run(awsCli, [...args, '--endpoint-url', harness.emulator.url, '--output', 'json'], {
    env,
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}

const json = async (args: string[], credentials?: { id: string; secret: string; token?: string }) =>
  JSON.parse((await aws(args, credentials)).stdout);

const clientIds = async () =>
  (await json(['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', PROVIDER]))
    .ClientIDList as string[];

const addArgs = (id: string) => [
  'iam',
  'add-client-id-to-open-id-connect-provider',
  '--open-id-connect-provider-arn',
  PROVIDER,
  '--client-id',
  id,
];

it('add/remove print nothing; the raw answer is response metadata without a Result; both are idempotent', async () => {
  const added = await aws([...addArgs('cli-audience'), '--debug']);
  expect(added.stdout).toBe('');
  const body = /Response body:\s*b'([^']*)'/.exec(added.stderr)?.[1] ?? '';
  expect(body).toContain(
    '<AddClientIDToOpenIDConnectProviderResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">',
  );
  expect(body).toContain('<ResponseMetadata>');
  expect(body).not.toContain('Result');
  await aws(addArgs('cli-audience'));
  expect((await clientIds()).filter((id) => id === 'cli-audience')).toHaveLength(1);
  for (let i = 0; i < 2; i++) {
    const removed = await aws([
      'iam',
      'remove-client-id-from-open-id-connect-provider',
      '--open-id-connect-provider-arn',
      PROVIDER,
      '--client-id',
      'cli-audience',
    ]);
    expect(removed.stdout).toBe('');
  }
  expect(await clientIds()).not.toContain('cli-audience');
}, 60_000);

it('the 101st client id fails with LimitExceeded; an unknown provider with NoSuchEntity', async () => {
  await aws(addArgs('client-99'));
  await expect(aws(addArgs('client-100'))).rejects.toMatchObject({
    stderr: expect.stringContaining(
      'An error occurred (LimitExceeded) when calling the AddClientIDToOpenIDConnectProvider operation: Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100',
    ),
  });
  const missing = `arn:aws:iam::${ACCOUNT}:oidc-provider/nowhere.example`;
  await expect(
    aws([
      'iam',
      'add-client-id-to-open-id-connect-provider',
      '--open-id-connect-provider-arn',
      missing,
      '--client-id',
      'a',
    ]),
  ).rejects.toMatchObject({
    stderr: expect.stringContaining(
      `An error occurred (NoSuchEntity) when calling the AddClientIDToOpenIDConnectProvider operation: OpenIDConnect Provider not found for arn ${missing}`,
    ),
  });
}, 60_000);

it('update-assume-role-policy replaces the document; a malformed one is refused and changes nothing', async () => {
  const next = trust({ AWS: `arn:aws:iam::${ACCOUNT}:role/auditor` });
  expect(
    (
      await aws([
        'iam',
        'update-assume-role-policy',
        '--role-name',
        'deploy',
        '--policy-document',
        JSON.stringify(next),
      ])
    ).stdout,
  ).toBe('');
  expect((await json(['iam', 'get-role', '--role-name', 'deploy'])).Role.AssumeRolePolicyDocument).toEqual(next);
  await expect(
    aws(['iam', 'update-assume-role-policy', '--role-name', 'deploy', '--policy-document', '{"Statement": ']),
  ).rejects.toMatchObject({
    stderr: expect.stringContaining(
      'An error occurred (MalformedPolicyDocument) when calling the UpdateAssumeRolePolicy operation: Syntax errors in policy.',
    ),
  });
  await expect(
    aws(['iam', 'update-assume-role-policy', '--role-name', 'ghost', '--policy-document', JSON.stringify(next)]),
  ).rejects.toMatchObject({
    stderr: expect.stringContaining(
      '(NoSuchEntity) when calling the UpdateAssumeRolePolicy operation: The role with name ghost cannot be found.',
    ),
  });
  expect((await json(['iam', 'get-role', '--role-name', 'deploy'])).Role.AssumeRolePolicyDocument).toEqual(next);
}, 60_000);

it('get-role and list-role-tags return the role tags', async () => {
  const tags = [
    { Key: 'keyless:audience', Value: 'sts.amazonaws.com' },
    { Key: 'team', Value: 'build' },
  ];
  expect((await json(['iam', 'get-role', '--role-name', 'deploy'])).Role.Tags).toEqual(tags);
  expect(await json(['iam', 'list-role-tags', '--role-name', 'deploy'])).toEqual({ Tags: tags, IsTruncated: false });
}, 60_000);

it('a role with IAMReadOnlyAccess may read but gets AccessDenied on a write', async () => {
  const assumed = await json([
    'sts',
    'assume-role',
    '--role-arn',
    `arn:aws:iam::${ACCOUNT}:role/auditor`,
    '--role-session-name',
    'audit',
  ]);
  const session = {
    id: assumed.Credentials.AccessKeyId,
    secret: assumed.Credentials.SecretAccessKey,
    token: assumed.Credentials.SessionToken,
  };
  expect((await json(['iam', 'list-role-tags', '--role-name', 'deploy'], session)).Tags).toHaveLength(2);
  await expect(aws(addArgs('audit-was-here'), session)).rejects.toMatchObject({
    stderr: expect.stringContaining(
      `An error occurred (AccessDenied) when calling the AddClientIDToOpenIDConnectProvider operation: User: arn:aws:sts::${ACCOUNT}:assumed-role/auditor/audit is not authorized to perform: iam:AddClientIDToOpenIDConnectProvider on resource: ${PROVIDER} because no identity-based policy allows the iam:AddClientIDToOpenIDConnectProvider action`,
    ),
  });
}, 60_000);
