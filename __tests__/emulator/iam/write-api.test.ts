// The emulated IAM write API through the AWS SDK's IAM client on loopback: AddClientID/RemoveClientID (idempotent,
// the 100-id quota, parameter validation, NoSuchEntity), UpdateAssumeRolePolicy (MalformedPolicyDocument as the
// loader judges it, the 2,048-character quota without white space), authorisation by identity policies
// (AWS-managed read-only policies grant no writes, IAMFullAccess/AdministratorAccess do, an explicit Deny wins),
// the caller's account (a central role chaining into a target account edits the target's objects), writes judged
// by the next AssumeRoleWithWebIdentity, and concurrent writes that all land.

import { GetIdCommand } from '@aws-sdk/client-cognito-identity';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  type IAMClient,
  ListOpenIDConnectProvidersCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type AssumeRoleCommandInput, AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import {
  cognitoClient,
  failure,
  type Harness,
  iamClient,
  type StaticCredentials,
  startHarness,
  stsClient,
} from '../support/emulator';
import { githubClaims, type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer';

const TARGET = '123456789012';
const CENTRAL = '111122223333';
const TARGET_ROOT = {
  accessKeyId: 'AKIAEMULATORROOT0001',
  secretAccessKey: 'target-root-secret-000000000000000000000',
};
const CENTRAL_ROOT = {
  accessKeyId: 'AKIAEMULATORROOT0002',
  secretAccessKey: 'central-root-secret-00000000000000000000',
};
const USER = { accessKeyId: 'AKIAEMULATORUSER0001', secretAccessKey: 'user-secret-0000000000000000000000000000' };

let github: OidcIssuer;
let harness: Harness;
let providerName: string;

const providerArn = (account = TARGET) => `arn:aws:iam::${account}:oidc-provider/${providerName}`;
const manyArn = () => `arn:aws:iam::${TARGET}:oidc-provider/127.0.0.1:1/many`;
const roleArn = (name: string, account = TARGET) => `arn:aws:iam::${account}:role/${name}`;
const policy = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const trustAccount = (account: string) =>
  policy({ Effect: 'Allow', Principal: { AWS: account }, Action: 'sts:AssumeRole' });

function deployTrust(sub = 'repo:acme/app:*') {
  return policy({
    Effect: 'Allow',
    Principal: { Federated: providerArn() },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: { [`${providerName}:aud`]: 'sts.amazonaws.com' },
      StringLike: { [`${providerName}:sub`]: sub },
    },
  });
}

/** A role of the target account that the target root may assume, with the given managed and inline policies. */
function iamRole(name: string, managed: string[], inline: Record<string, unknown> = {}) {
  return {
    name,
    assumeRolePolicyDocument: trustAccount(TARGET),
    managedPolicyArns: managed.map((n) => `arn:aws:iam::aws:policy/${n}`),
    inlinePolicies: inline,
  };
}

beforeAll(async () => {
  github = await startOidcIssuer();
  providerName = github.url.replace(/^http:\/\//, '');
  harness = await startHarness({
    config: {
      oidcProviders: [
        { url: github.url, clientIds: ['sts.amazonaws.com'] },
        { url: 'http://127.0.0.1:1/many', clientIds: Array.from({ length: 99 }, (_, i) => `client-${i}`) },
        // The same issuer registered in the central account: edits of the target's provider must not touch it.
        { url: github.url, clientIds: ['sts.amazonaws.com'], accountId: CENTRAL },
      ],
      roles: [
        {
          name: 'deploy',
          assumeRolePolicyDocument: deployTrust(),
          tags: [
            { Key: 'keyless:audience', Value: 'sts.amazonaws.com' },
            { Key: 'team', Value: 'build' },
            { Key: 'cost center', Value: '' },
          ],
        },
        iamRole('iam-reader', ['IAMReadOnlyAccess']),
        iamRole('reader', ['ReadOnlyAccess']),
        iamRole('power', ['PowerUserAccess']),
        iamRole('iam-admin', ['IAMFullAccess']),
        iamRole('admin', ['AdministratorAccess']),
        {
          ...iamRole('bounded', ['IAMFullAccess']),
          permissionsBoundary: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess',
        },
        iamRole('fenced', ['IAMFullAccess'], {
          fence: policy({ Effect: 'Deny', Action: 'iam:UpdateAssumeRolePolicy', Resource: roleArn('deploy') }),
        }),
        {
          // Assumed from the central account's automation role; may edit providers and trust policies here.
          name: 'audience-editor',
          assumeRolePolicyDocument: policy({
            Effect: 'Allow',
            Principal: { AWS: roleArn('automation', CENTRAL) },
            Action: 'sts:AssumeRole',
          }),
          inlinePolicies: {
            edit: policy({
              Effect: 'Allow',
              Action: ['iam:Get*', 'iam:List*', 'iam:*ClientID*', 'iam:UpdateAssumeRolePolicy'],
              Resource: '*',
            }),
          },
        },
        { name: 'trusts-central', assumeRolePolicyDocument: trustAccount(CENTRAL) },
        // A service-linked role: IAM refuses every change to it (UnmodifiableEntity), whoever asks.
        {
          name: 'AWSServiceRoleForSupport',
          path: '/aws-service-role/support.amazonaws.com/',
          assumeRolePolicyDocument: policy({
            Effect: 'Allow',
            Principal: { Service: 'support.amazonaws.com' },
            Action: 'sts:AssumeRole',
          }),
        },
        { name: 'bystander', accountId: CENTRAL, assumeRolePolicyDocument: trustAccount(CENTRAL) },
        {
          name: 'automation',
          accountId: CENTRAL,
          assumeRolePolicyDocument: trustAccount(CENTRAL),
          inlinePolicies: {
            hop: policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn('audience-editor') }),
          },
        },
      ],
      identityPools: [{ name: 'ci', allowClassicFlow: true, openIdConnectProviderArns: [providerArn()] }],
      accessKeys: [
        { ...TARGET_ROOT, arn: `arn:aws:iam::${TARGET}:root` },
        { ...CENTRAL_ROOT, arn: `arn:aws:iam::${CENTRAL}:root` },
        { ...USER, arn: `arn:aws:iam::${TARGET}:user/dev` },
      ],
    },
  });
}, 60_000);

afterAll(async () => {
  await harness.emulator.close();
  await github.close();
});

function iam(credentials: StaticCredentials): IAMClient {
  return iamClient(harness.emulator.url, credentials);
}

async function assume(
  role: string,
  as: StaticCredentials,
  account = TARGET,
  extra: Partial<AssumeRoleCommandInput> = {},
): Promise<StaticCredentials> {
  const sts = stsClient(harness.emulator.url, as);
  const out = await sts.send(
    new AssumeRoleCommand({ RoleArn: roleArn(role, account), RoleSessionName: 'ss', ...extra }),
  );
  sts.destroy();
  return {
    accessKeyId: out.Credentials!.AccessKeyId!,
    secretAccessKey: out.Credentials!.SecretAccessKey!,
    sessionToken: out.Credentials!.SessionToken!,
  };
}

async function clientIds(client: IAMClient, arn = providerArn()): Promise<string[]> {
  return (await client.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }))).ClientIDList!;
}

const add = (client: IAMClient, ClientID: string, arn = providerArn()) =>
  client.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID }));
const remove = (client: IAMClient, ClientID: string, arn = providerArn()) =>
  client.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID }));
const updateTrust = (client: IAMClient, RoleName: string, document: unknown) =>
  client.send(
    new UpdateAssumeRolePolicyCommand({
      RoleName,
      PolicyDocument: typeof document === 'string' ? document : JSON.stringify(document),
    }),
  );

async function webIdentity(aud = 'sts.amazonaws.com', sub = 'repo:acme/app:ref:refs/heads/main') {
  const sts = stsClient(harness.emulator.url);
  try {
    const token = await github.sign(githubClaims(github.url, { aud, sub }));
    return await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn('deploy'),
        RoleSessionName: 'gha',
        WebIdentityToken: token,
      }),
    );
  } finally {
    sts.destroy();
  }
}

describe('AddClientIDToOpenIDConnectProvider / RemoveClientIDFromOpenIDConnectProvider', () => {
  it('adds and removes a client id; both are idempotent', async () => {
    const root = iam(TARGET_ROOT);
    await add(root, 'audience-a');
    await add(root, 'audience-a');
    expect(await clientIds(root)).toEqual(['sts.amazonaws.com', 'audience-a']);
    await remove(root, 'audience-a');
    await remove(root, 'audience-a');
    await remove(root, 'never-there');
    expect(await clientIds(root)).toEqual(['sts.amazonaws.com']);
  });

  it('refuses the 101st client id with LimitExceeded (409); an id already listed is still a success', async () => {
    const root = iam(TARGET_ROOT);
    await add(root, 'client-99', manyArn());
    expect(await clientIds(root, manyArn())).toHaveLength(100);
    const refused = await failure(add(root, 'client-100', manyArn()));
    expect(refused).toMatchObject({
      name: 'LimitExceededException',
      status: 409,
      message: 'Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100',
    });
    await add(root, 'client-5', manyArn());
    expect(await clientIds(root, manyArn())).toHaveLength(100);
    await remove(root, 'client-0', manyArn());
    await add(root, 'client-100', manyArn());
    expect((await clientIds(root, manyArn())).slice(-1)).toEqual(['client-100']);
  });

  it('validates ClientID and the ARN with IAM wording; unknown providers are NoSuchEntity (404)', async () => {
    const root = iam(TARGET_ROOT);
    expect(await failure(add(root, 'x'.repeat(256)))).toMatchObject({
      name: 'ValidationError',
      status: 400,
      message: expect.stringMatching(
        /^1 validation error detected: Value 'x{256}' at 'clientID' failed to satisfy constraint: Member must have length less than or equal to 255$/,
      ),
    });
    expect(await failure(add(root, ''))).toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining("at 'clientID' failed to satisfy constraint: Member must have length greater"),
    });
    expect(await failure(add(root, 'a', 'arn:aws:iam::1'))).toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining("at 'openIDConnectProviderArn'"),
    });
    expect(await failure(add(root, 'a', 'arn:aws:iam::123456789012:role/not-a-provider'))).toMatchObject({
      name: 'InvalidInputException',
      status: 400,
      message: 'ARN arn:aws:iam::123456789012:role/not-a-provider is not valid.',
    });
    const missing = `arn:aws:iam::${TARGET}:oidc-provider/nowhere.example`;
    for (const call of [add(root, 'a', missing), remove(root, 'a', missing)]) {
      expect(await failure(call)).toMatchObject({
        name: 'NoSuchEntityException',
        status: 404,
        message: `OpenIDConnect Provider not found for arn ${missing}`,
      });
    }
    // Parameters are validated before the provider is looked up.
    expect(await failure(add(root, '', missing))).toMatchObject({ name: 'ValidationError' });
    // Another account's provider is not reachable: IAM acts on the caller's account only.
    expect(await failure(add(root, 'a', providerArn(CENTRAL)))).toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('a removed client id makes the next AssumeRoleWithWebIdentity fail; adding it back admits the token', async () => {
    const root = iam(TARGET_ROOT);
    await add(root, 'aud-2');
    await updateTrust(
      root,
      'deploy',
      policy({
        Effect: 'Allow',
        Principal: { Federated: providerArn() },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringLike: { [`${providerName}:sub`]: 'repo:acme/app:*' } },
      }),
    );
    try {
      expect((await webIdentity('aud-2')).Audience).toBe('aud-2');
      await remove(root, 'aud-2');
      expect(await failure(webIdentity('aud-2'))).toMatchObject({
        name: 'InvalidIdentityTokenException',
        message: expect.stringContaining('Incorrect token audience'),
      });
      await add(root, 'aud-2');
      expect((await webIdentity('aud-2')).Audience).toBe('aud-2');
    } finally {
      await remove(root, 'aud-2');
      await updateTrust(root, 'deploy', deployTrust());
    }
  });

  it('a removed client id makes the next Cognito GetId refuse the token; adding it back admits it', async () => {
    const root = iam(TARGET_ROOT);
    const cognito = cognitoClient(harness.emulator.url);
    const getId = async () =>
      cognito.send(
        new GetIdCommand({
          IdentityPoolId: harness.emulator.ids.ci,
          Logins: { [providerName]: await github.sign(githubClaims(github.url, { aud: 'pool-aud' })) },
        }),
      );
    try {
      await add(root, 'pool-aud');
      expect((await getId()).IdentityId).toMatch(/^us-east-1:/);
      await remove(root, 'pool-aud');
      expect(await failure(getId())).toMatchObject({
        name: 'NotAuthorizedException',
        message: expect.stringContaining('Incorrect token audience'),
      });
    } finally {
      await remove(root, 'pool-aud');
      cognito.destroy();
    }
  });

  it('concurrent writes do not lose each other', async () => {
    const root = iam(TARGET_ROOT);
    const ids = Array.from({ length: 20 }, (_, i) => `parallel-${i}`);
    await Promise.all(ids.map((id) => add(root, id)));
    expect([...(await clientIds(root))].sort()).toEqual(['sts.amazonaws.com', ...ids].sort());
    await Promise.all(ids.map((id) => remove(root, id)));
    expect(await clientIds(root)).toEqual(['sts.amazonaws.com']);
  });
});

describe('UpdateAssumeRolePolicy', () => {
  it('refuses a service-linked role with UnmodifiableEntity (400), even to the account root', async () => {
    const error = await failure(updateTrust(iam(TARGET_ROOT), 'AWSServiceRoleForSupport', deployTrust()));
    expect(error).toMatchObject({
      name: 'UnmodifiableEntityException',
      message:
        "Cannot perform the operation on the protected role 'AWSServiceRoleForSupport' - this role is only modifiable by AWS",
      status: 400,
    });
  });

  it('replaces the trust policy: GetRole returns it and the next AssumeRoleWithWebIdentity is judged by it', async () => {
    const root = iam(TARGET_ROOT);
    expect((await webIdentity()).AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${TARGET}:assumed-role/deploy/gha`);
    await updateTrust(root, 'deploy', deployTrust('repo:acme/other:*'));
    try {
      const { Role } = await root.send(new GetRoleCommand({ RoleName: 'deploy' }));
      expect(JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!))).toEqual(deployTrust('repo:acme/other:*'));
      expect(await failure(webIdentity())).toMatchObject({
        name: 'AccessDenied',
        message: expect.stringContaining('Not authorized to perform sts:AssumeRoleWithWebIdentity'),
      });
      expect((await webIdentity('sts.amazonaws.com', 'repo:acme/other:ref:refs/heads/main')).Audience).toBe(
        'sts.amazonaws.com',
      );
    } finally {
      await updateTrust(root, 'deploy', deployTrust());
    }
    expect((await webIdentity()).Audience).toBe('sts.amazonaws.com');
  });

  it.each<[string, unknown, RegExp]>([
    ['invalid JSON', '{"Version": "2012-10-17", "Statement": [', /^Syntax errors in policy\.$/],
    [
      'NotPrincipal',
      policy(
        { Effect: 'Allow', Principal: { AWS: TARGET }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', NotPrincipal: { AWS: TARGET }, Action: 'sts:AssumeRole' },
      ),
      /prohibited field NotPrincipal/,
    ],
    [
      "GitHub's shared provider without a sub condition",
      policy({
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${TARGET}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
      }),
      /token\.actions\.githubusercontent\.com:sub/,
    ],
    [
      'Cognito without an aud condition',
      policy({
        Effect: 'Allow',
        Principal: { Federated: 'cognito-identity.amazonaws.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } },
      }),
      /cognito-identity\.amazonaws\.com:aud/,
    ],
    [
      'a Resource element',
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: TARGET }, Action: '*', Resource: '*' }],
      },
      /prohibited field Resource/,
    ],
  ])('refuses %s with MalformedPolicyDocument and leaves the role as it was', async (_name, document, message) => {
    const root = iam(TARGET_ROOT);
    expect(await failure(updateTrust(root, 'deploy', document))).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      status: 400,
      message: expect.stringMatching(message),
    });
    const { Role } = await root.send(new GetRoleCommand({ RoleName: 'deploy' }));
    expect(JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!))).toEqual(deployTrust());
  });

  it('holds the document to ACLSizePerRole (2,048 characters, white space not counted)', async () => {
    const root = iam(TARGET_ROOT);
    // Conditions on sub listing many repositories: the usual way a trust policy outgrows the quota.
    const withRepos = (n: number) =>
      policy({
        Effect: 'Allow',
        Principal: { Federated: providerArn() },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${providerName}:aud`]: 'sts.amazonaws.com' },
          StringLike: {
            [`${providerName}:sub`]: Array.from({ length: n }, (_, i) => `repo:acme/r${String(i).padStart(4, '0')}:*`),
          },
        },
      });
    const compactSize = (doc: unknown) => JSON.stringify(doc).length;
    let n = 1;
    while (compactSize(withRepos(n + 1)) <= 2048) n++;
    const fits = withRepos(n);
    const over = withRepos(n + 1);
    expect(compactSize(fits)).toBeLessThanOrEqual(2048);
    expect(compactSize(over)).toBeGreaterThan(2048);
    // Pretty-printed, the document that fits is far longer than 2,048 characters: white space is not counted.
    const pretty = JSON.stringify(fits, null, 8);
    expect(pretty.length).toBeGreaterThan(2048);
    try {
      await updateTrust(root, 'deploy', pretty);
      expect(await failure(updateTrust(root, 'deploy', over))).toMatchObject({
        name: 'LimitExceededException',
        status: 409,
        message: 'Cannot exceed quota for ACLSizePerRole: 2048',
      });
      // GetRole returns the document as it was written (URL-encoded), white space included.
      const { Role } = await root.send(new GetRoleCommand({ RoleName: 'deploy' }));
      expect(decodeURIComponent(Role!.AssumeRolePolicyDocument!)).toBe(pretty);
    } finally {
      await updateTrust(root, 'deploy', deployTrust());
    }
  });

  it('unknown role → NoSuchEntity (404); an invalid name → ValidationError', async () => {
    const root = iam(TARGET_ROOT);
    expect(await failure(updateTrust(root, 'nobody', deployTrust()))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
      message: 'The role with name nobody cannot be found.',
    });
    expect(await failure(updateTrust(root, 'nobody', ''))).toMatchObject({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value '' at 'policyDocument' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
    expect(await failure(updateTrust(root, 'bad name', deployTrust()))).toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining(
        "Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
      ),
    });
  });
});

describe('authorisation', () => {
  const denied = (who: string, action: string, resource: string, explicit = false) => ({
    name: 'AccessDenied',
    status: 403,
    message: `User: arn:aws:sts::${TARGET}:assumed-role/${who}/ss is not authorized to perform: iam:${action} on resource: ${resource} ${
      explicit
        ? 'with an explicit deny in an identity-based policy'
        : `because no identity-based policy allows the iam:${action} action`
    }`,
  });

  it.each(['iam-reader', 'reader'])('%s (AWS-managed read-only policy) may read but not write', async (role) => {
    const client = iam(await assume(role, TARGET_ROOT));
    expect(await clientIds(client)).toContain('sts.amazonaws.com');
    expect((await client.send(new ListRoleTagsCommand({ RoleName: 'deploy' }))).Tags).toHaveLength(3);
    expect(await failure(add(client, 'nope'))).toMatchObject(
      denied(role, 'AddClientIDToOpenIDConnectProvider', providerArn()),
    );
    expect(await failure(remove(client, 'sts.amazonaws.com'))).toMatchObject(
      denied(role, 'RemoveClientIDFromOpenIDConnectProvider', providerArn()),
    );
    expect(await failure(updateTrust(client, 'deploy', deployTrust()))).toMatchObject(
      denied(role, 'UpdateAssumeRolePolicy', roleArn('deploy')),
    );
    expect(await clientIds(client)).toEqual(['sts.amazonaws.com']);
    // The request is validated before it is authorised.
    expect(await failure(add(client, 'x'.repeat(256)))).toMatchObject({ name: 'ValidationError' });
  });

  it('PowerUserAccess grants ListRoles and nothing else of IAM', async () => {
    const client = iam(await assume('power', TARGET_ROOT));
    expect((await client.send(new ListRolesCommand({}))).Roles!.length).toBeGreaterThan(0);
    expect(await failure(client.send(new GetRoleCommand({ RoleName: 'deploy' })))).toMatchObject(
      denied('power', 'GetRole', roleArn('deploy')),
    );
    expect(await failure(add(client, 'nope'))).toMatchObject({ name: 'AccessDenied' });
  });

  it.each(['iam-admin', 'admin'])('%s (IAMFullAccess / AdministratorAccess) may write', async (role) => {
    const client = iam(await assume(role, TARGET_ROOT));
    await add(client, `by-${role}`);
    expect(await clientIds(client)).toContain(`by-${role}`);
    await remove(client, `by-${role}`);
    await updateTrust(client, 'deploy', deployTrust());
  });

  it('an explicit Deny wins over IAMFullAccess, naming the explicit deny', async () => {
    const client = iam(await assume('fenced', TARGET_ROOT));
    await add(client, 'by-fenced');
    await remove(client, 'by-fenced');
    expect(await failure(updateTrust(client, 'deploy', deployTrust()))).toMatchObject(
      denied('fenced', 'UpdateAssumeRolePolicy', roleArn('deploy'), true),
    );
  });

  it('a permissions boundary caps the role: IAMFullAccess bounded by IAMReadOnlyAccess may only read', async () => {
    const client = iam(await assume('bounded', TARGET_ROOT));
    expect(await clientIds(client)).toContain('sts.amazonaws.com');
    expect(await failure(add(client, 'nope'))).toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:sts::${TARGET}:assumed-role/bounded/ss is not authorized to perform: iam:AddClientIDToOpenIDConnectProvider on resource: ${providerArn()} because no permissions boundary allows the iam:AddClientIDToOpenIDConnectProvider action`,
    });
  });

  it('session policies passed to AssumeRole cap the session (inline Policy and PolicyArns alike)', async () => {
    const inline = await assume('iam-admin', TARGET_ROOT, TARGET, {
      Policy: JSON.stringify(policy({ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' })),
    });
    const managed = await assume('iam-admin', TARGET_ROOT, TARGET, {
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }],
    });
    for (const credentials of [inline, managed]) {
      const client = iam(credentials);
      expect(await clientIds(client)).toContain('sts.amazonaws.com');
      expect(await failure(add(client, 'nope'))).toMatchObject({
        name: 'AccessDenied',
        message: expect.stringMatching(
          /because no session policy allows the iam:AddClientIDToOpenIDConnectProvider action$/,
        ),
      });
    }
    const denying = await assume('iam-admin', TARGET_ROOT, TARGET, {
      Policy: JSON.stringify(
        policy(
          { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
          { Effect: 'Deny', Action: 'iam:UpdateAssumeRolePolicy', Resource: '*' },
        ),
      ),
    });
    expect(await failure(updateTrust(iam(denying), 'deploy', deployTrust()))).toMatchObject({
      message: expect.stringMatching(/with an explicit deny in a session policy$/),
    });
    await add(iam(denying), 'by-session');
    await remove(iam(denying), 'by-session');
  });

  it('a session policy STS cannot parse is refused at AssumeRole, never judged later', async () => {
    expect(
      await failure(
        assume('iam-admin', TARGET_ROOT, TARGET, {
          Policy: JSON.stringify(policy({ Effect: 'Allow', Action: 'iam:*', Resource: '*', Condition: { Bogus: {} } })),
        }),
      ),
    ).toMatchObject({ name: 'MalformedPolicyDocumentException', status: 400 });
  });

  it("an IAM user's keys (no policies in the emulator) are refused", async () => {
    expect(await failure(add(iam(USER), 'nope'))).toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining(`User: arn:aws:iam::${TARGET}:user/dev is not authorized to perform`),
    });
  });
});

describe('accounts', () => {
  it("a central account's role that assumes a target account's role edits the target's provider", async () => {
    const central = await assume('automation', CENTRAL_ROOT, CENTRAL);
    const editor = iam(await assume('audience-editor', central));
    const listed = await editor.send(new ListOpenIDConnectProvidersCommand({}));
    expect(listed.OpenIDConnectProviderList?.map((p) => p.Arn)).toEqual([providerArn(), manyArn()]);
    await add(editor, 'from-central');
    try {
      expect(await clientIds(iam(TARGET_ROOT))).toContain('from-central');
      expect(await clientIds(iam(CENTRAL_ROOT), providerArn(CENTRAL))).toEqual(['sts.amazonaws.com']);
      // The central session itself has no IAM permissions in its own account.
      expect(await failure(add(iam(central), 'x', providerArn(CENTRAL)))).toMatchObject({
        name: 'AccessDenied',
        message: expect.stringContaining(`assumed-role/automation/ss is not authorized to perform`),
      });
    } finally {
      await remove(editor, 'from-central');
    }
  });

  it("each account's root lists only its own roles and providers", async () => {
    const central = iam(CENTRAL_ROOT);
    expect((await central.send(new ListRolesCommand({}))).Roles?.map((r) => r.Arn)).toEqual([
      roleArn('automation', CENTRAL),
      roleArn('bystander', CENTRAL),
    ]);
    expect(
      (await central.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList?.map((p) => p.Arn),
    ).toEqual([providerArn(CENTRAL)]);
    expect(await failure(central.send(new GetRoleCommand({ RoleName: 'deploy' })))).toMatchObject({
      name: 'NoSuchEntityException',
    });
  });

  it('cross-account AssumeRole needs the target trust policy to name the caller', async () => {
    const central = await assume('automation', CENTRAL_ROOT, CENTRAL);
    expect(await failure(assume('admin', central))).toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining(
        `User: arn:aws:sts::${CENTRAL}:assumed-role/automation/ss is not authorized to perform: sts:AssumeRole on resource: ${roleArn('admin')}`,
      ),
    });
  });

  it("cross-account AssumeRole also needs the caller's identity policies to allow it (the root's need nothing)", async () => {
    // trusts-central trusts the whole central account, so its trust admits every central principal.
    expect((await assume('trusts-central', CENTRAL_ROOT)).accessKeyId).toMatch(/^ASIA/);
    const bystander = await assume('bystander', CENTRAL_ROOT, CENTRAL);
    const automation = await assume('automation', CENTRAL_ROOT, CENTRAL);
    for (const [who, credentials] of [
      ['bystander', bystander],
      ['automation', automation],
    ] as const) {
      expect(await failure(assume('trusts-central', credentials))).toMatchObject({
        name: 'AccessDenied',
        message: expect.stringMatching(
          new RegExp(
            `^User: arn:aws:sts::${CENTRAL}:assumed-role/${who}/ss is not authorized to perform: sts:AssumeRole on resource: ${roleArn('trusts-central')} \\(emulator: cross-account sts:AssumeRole needs the caller's identity policies`,
          ),
        ),
      });
    }
  });
});

describe('role tags', () => {
  it('GetRole returns the tags; ListRoleTags pages through them; ListRoles carries none', async () => {
    const root = iam(TARGET_ROOT);
    const tags = [
      { Key: 'keyless:audience', Value: 'sts.amazonaws.com' },
      { Key: 'team', Value: 'build' },
      { Key: 'cost center', Value: '' },
    ];
    expect((await root.send(new GetRoleCommand({ RoleName: 'deploy' }))).Role?.Tags).toEqual(tags);
    const first = await root.send(new ListRoleTagsCommand({ RoleName: 'deploy', MaxItems: 2 }));
    expect(first).toMatchObject({ Tags: tags.slice(0, 2), IsTruncated: true });
    const rest = await root.send(new ListRoleTagsCommand({ RoleName: 'deploy', Marker: first.Marker }));
    expect(rest).toMatchObject({ Tags: tags.slice(2), IsTruncated: false });
    expect((await root.send(new GetRoleCommand({ RoleName: 'admin' }))).Role?.Tags).toBeUndefined();
    const listed = await root.send(new ListRolesCommand({}));
    expect(listed.Roles?.find((r) => r.RoleName === 'deploy')?.Tags).toBeUndefined();
    expect(await failure(root.send(new ListRoleTagsCommand({ RoleName: 'nobody' })))).toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The role with name nobody cannot be found.',
    });
  });
});
