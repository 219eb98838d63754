// The AWS CLI (python botocore signer) against the in-process emulator. botocore signs a different header set than
// the JS SDK, so this is the second independent signer. Without the AWS CLI it fails with the install command.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { awsCliPath } from '../support/aws-cli';
import { type Harness, startHarness } from './support/emulator';
import { githubClaims, type OidcIssuer, startOidcIssuer } from './support/oidc-issuer';

const run = promisify(execFile);
const USER = { id: 'AKIAEMULATORCLIUSER1', secret: 'cli-user-secret-000000000000000000000000' };

const awsCli = awsCliPath();
let harness: Harness;
let issuer: OidcIssuer;

beforeAll(async () => {
  issuer = await startOidcIssuer();
  const gh = issuer.url.replace('http://', '');
  harness = await startHarness({
    config: {
      oidcProviders: [{ url: issuer.url, clientIds: ['sts.amazonaws.com'] }],
      roles: [
        {
          name: 'cli-target',
          assumeRolePolicyDocument: {
            Statement: [
              // The user by its ARN: trusting the account would also need an identity policy of the user (IAM's rule).
              {
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::123456789012:user/cli' },
                Action: ['sts:AssumeRole', 'sts:TagSession'],
              },
              {
                Effect: 'Allow',
                Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${gh}` },
                Action: 'sts:AssumeRoleWithWebIdentity',
                Condition: { StringLike: { [`${gh}:sub`]: 'repo:acme/*' } },
              },
            ],
          },
        },
      ],
      accessKeys: [{ accessKeyId: USER.id, secretAccessKey: USER.secret, arn: 'arn:aws:iam::123456789012:user/cli' }],
    },
  });
}, 60_000);

afterAll(async () => {
  await harness.emulator.close();
  await issuer.close();
});

async function aws(
  args: string[],
  credentials?: { id: string; secret: string; token?: string },
): Promise<Record<string, unknown>> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    ...(credentials
      ? {
          AWS_ACCESS_KEY_ID: credentials.id,
          AWS_SECRET_ACCESS_KEY: credentials.secret,
          AWS_SESSION_TOKEN: credentials.token,
        }
      : {}),
  };
  const { stdout } = await run(awsCli, [...args, '--endpoint-url', harness.emulator.url, '--output', 'json'], {
    env,
    timeout: 60_000,
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

it('signs GetCallerIdentity and AssumeRole (with tags) that the emulator verifies, and chains', async () => {
  expect((await aws(['sts', 'get-caller-identity'], USER)).Arn).toBe('arn:aws:iam::123456789012:user/cli');
  const assumed = (await aws(
    [
      'sts',
      'assume-role',
      '--role-arn',
      'arn:aws:iam::123456789012:role/cli-target',
      '--role-session-name',
      'cli',
      '--tags',
      'Key=team,Value=a b',
    ],
    USER,
  )) as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } };
  const session = {
    id: assumed.Credentials.AccessKeyId,
    secret: assumed.Credentials.SecretAccessKey,
    token: assumed.Credentials.SessionToken,
  };
  expect((await aws(['sts', 'get-caller-identity'], session)).Arn).toBe(
    'arn:aws:sts::123456789012:assumed-role/cli-target/cli',
  );
  await expect(aws(['sts', 'get-caller-identity'], { ...session, secret: 'wrong' })).rejects.toThrow(
    /SignatureDoesNotMatch/,
  );
}, 120_000);

it('calls AssumeRoleWithWebIdentity unsigned', async () => {
  const token = await issuer.sign(githubClaims(issuer.url));
  const out = (await aws([
    'sts',
    'assume-role-with-web-identity',
    '--role-arn',
    'arn:aws:iam::123456789012:role/cli-target',
    '--role-session-name',
    'web',
    '--web-identity-token',
    token,
  ])) as { AssumedRoleUser: { Arn: string } };
  expect(out.AssumedRoleUser.Arn).toBe('arn:aws:sts::123456789012:assumed-role/cli-target/web');
}, 60_000);
