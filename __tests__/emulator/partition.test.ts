// The emulator answers as the partition of its region: ARNs it makes, ARNs it accepts, and the trust policy's
// account-root principal, exercised over the wire with the SDK's own STS client (SigV4-signed AssumeRole).
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { buildModel, type RunningEmulator, startEmulator } from '../../src/emulator';
import { parseEmulatorConfig } from '../../src/emulator/config';

const ACCOUNT = '123456789012';
const KEY = { accessKeyId: 'AKIAEXAMPLEKEY000001', secretAccessKey: 'emulator-partition-test-secret-0001' };
const trustAccountRoot = (partition: string) => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
  ],
});

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({
    log: () => {},
    region: 'cn-north-1',
    config: {
      accountId: ACCOUNT,
      roles: [{ name: 'deploy', assumeRolePolicyDocument: trustAccountRoot('aws-cn') }],
      // The account root's keys: a trust naming the account admits its root with no identity policy to check.
      accessKeys: [{ ...KEY, arn: `arn:aws-cn:iam::${ACCOUNT}:root` }],
    },
  });
});

afterAll(async () => {
  await emulator.close();
});

function sts(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
  return new STSClient({ region: 'cn-north-1', endpoint: emulator.url, credentials, maxAttempts: 1 });
}

describe('emulator in aws-cn (cn-north-1)', () => {
  it('makes aws-cn role ARNs and accepts the aws-cn account root as principal', async () => {
    expect(emulator.ids.deploy).toBe(`arn:aws-cn:iam::${ACCOUNT}:role/deploy`);
    const client = sts(KEY);
    const out = await client.send(new AssumeRoleCommand({ RoleArn: emulator.ids.deploy, RoleSessionName: 'build-1' }));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws-cn:sts::${ACCOUNT}:assumed-role/deploy/build-1`);
    const session = sts({
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
      sessionToken: out.Credentials?.SessionToken ?? '',
    });
    expect((await session.send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws-cn:sts::${ACCOUNT}:assumed-role/deploy/build-1`,
    );
    client.destroy();
    session.destroy();
  });

  it('knows no role under another partition’s ARN', async () => {
    const client = sts(KEY);
    await expect(
      client.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/deploy`, RoleSessionName: 'x1' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    client.destroy();
  });
});

describe('emulator model per partition', () => {
  it('refuses access keys and managed policies of another partition', () => {
    expect(() =>
      buildModel({
        config: parseEmulatorConfig({ accessKeys: [{ ...KEY, arn: `arn:aws:iam::${ACCOUNT}:user/ci` }] }),
        region: 'us-gov-west-1',
      }),
    ).toThrow(/partition aws-us-gov/);
    expect(() =>
      buildModel({
        config: parseEmulatorConfig({
          roles: [
            {
              name: 'r',
              assumeRolePolicyDocument: trustAccountRoot('aws-us-gov'),
              managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
            },
          ],
        }),
        region: 'us-gov-west-1',
      }),
    ).toThrow(/NoSuchEntity/);
    const { ids } = buildModel({
      config: parseEmulatorConfig({
        roles: [
          {
            name: 'r',
            assumeRolePolicyDocument: trustAccountRoot('aws-us-gov'),
            managedPolicyArns: ['arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess'],
          },
        ],
      }),
      region: 'us-gov-west-1',
    });
    expect(ids.r).toBe(`arn:aws-us-gov:iam::${ACCOUNT}:role/r`);
  });

  it('makes provider ARNs of its partition', () => {
    const { model, ids } = buildModel({
      config: parseEmulatorConfig({
        oidcProviders: [{ url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com.cn'] }],
      }),
      region: 'cn-northwest-1',
    });
    expect(model.partition).toEqual({ name: 'aws-cn', dnsSuffix: 'amazonaws.com.cn' });
    expect(Object.values(ids)).toContain(
      `arn:aws-cn:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
    );
  });
});
