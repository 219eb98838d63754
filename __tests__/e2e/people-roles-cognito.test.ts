/**
 * Black box: `roles <provider>` when the provider's exchange goes through a Cognito identity pool (#16). The built
 * CLI and the built emulator (dist/emulator, its own process) run as a person runs them; the person is signed in
 * (a kept session of a loopback OpenID issuer whose keys the emulator fetches, so Cognito and STS verify the ID
 * token for real). The template has an identity pool trusting that issuer and roles trusting either Cognito
 * (aud = the pool, amr authenticated, a principal tag) or the issuer directly. With the route, roles must judge the
 * Cognito token GetOpenIdToken returns; without it, the ID token; and auth must agree with roles on every role.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { authPaths } from '../../src/auth/paths';
import { writeSessionFile } from '../../src/auth/session-file';
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { type OidcIssuer, startOidcIssuer } from '../emulator/support/oidc-issuer';
import { JWT_SHAPE } from './support/chain';
import { type DistEmulator, startDistEmulator } from './support/emulator-process';
import { recordedStarts, recorderCommand } from './support/people';

const CLIENT_ID = 'keyless-laptop';
const ACCOUNT = '123456789012';
const ROOT_KEYS = { id: 'AKIAEMULATORROOT0116', secret: 'root-secret-116000000000000000000000000' };
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const ROLES = ['through-cognito', 'cognito-for-bob', 'direct'] as const;

let idp: OidcIssuer;
let emulator: DistEmulator;
let template: string;
let poolId: string;
let closedPoolId: string;

/** A role trusting Cognito for tokens of the people pool, authenticated, with the principal tag email = `email`. */
function cognitoRole(name: string, email: string) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: name,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PeoplePoolSignIns',
            Effect: 'Allow',
            Principal: { Federated: 'cognito-identity.amazonaws.com' },
            Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
            Condition: {
              StringEquals: {
                'cognito-identity.amazonaws.com:aud': { Ref: 'PeoplePool' },
                'aws:RequestTag/email': email,
              },
              'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
            },
          },
        ],
      },
    },
  };
}

beforeAll(async () => {
  idp = await startOidcIssuer();
  const key = idp.url.replace(/^http:\/\//, '');
  const dir = cliDir();
  template = join(dir, 'people-cognito.json');
  writeFileSync(
    template,
    JSON.stringify({
      AWSTemplateFormatVersion: '2010-09-09',
      Resources: {
        People: { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: idp.url, ClientIdList: [CLIENT_ID] } },
        PeoplePool: {
          Type: 'AWS::Cognito::IdentityPool',
          Properties: {
            IdentityPoolName: 'people',
            AllowClassicFlow: true,
            AllowUnauthenticatedIdentities: false,
            OpenIdConnectProviderARNs: [{ 'Fn::GetAtt': ['People', 'Arn'] }],
          },
        },
        PeopleTags: {
          Type: 'AWS::Cognito::IdentityPoolPrincipalTag',
          Properties: {
            IdentityPoolId: { Ref: 'PeoplePool' },
            IdentityProviderName: { 'Fn::GetAtt': ['People', 'Arn'] },
            UseDefaults: false,
            PrincipalTags: { email: 'email' },
          },
        },
        // A pool that trusts no provider: GetId refuses the person's token.
        ClosedPool: {
          Type: 'AWS::Cognito::IdentityPool',
          Properties: { IdentityPoolName: 'closed', AllowClassicFlow: true, AllowUnauthenticatedIdentities: false },
        },
        ThroughCognito: cognitoRole('through-cognito', 'alice@example.com'),
        CognitoForBob: cognitoRole('cognito-for-bob', 'bob@example.com'),
        Direct: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'direct',
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'PeopleDirectly',
                  Effect: 'Allow',
                  Principal: { Federated: { Ref: 'People' } },
                  Action: 'sts:AssumeRoleWithWebIdentity',
                  Condition: { StringEquals: { [`${key}:aud`]: CLIENT_ID, [`${key}:sub`]: 'alice' } },
                },
              ],
            },
          },
        },
      },
    }),
  );
  const keys = join(dir, 'emulator-keys.json');
  writeFileSync(
    keys,
    JSON.stringify({
      accessKeys: [
        { accessKeyId: ROOT_KEYS.id, secretAccessKey: ROOT_KEYS.secret, arn: `arn:aws:iam::${ACCOUNT}:root` },
      ],
    }),
  );
  emulator = await startDistEmulator(['--template', template, '--config', keys]);
  poolId = emulator.ids.PeoplePool!;
  closedPoolId = emulator.ids.ClosedPool!;
}, 30_000);

afterAll(async () => {
  await emulator?.close();
  await idp?.close();
  cleanupCliDirs();
});

interface Laptop {
  readonly env: Record<string, string>;
  readonly argvFile: string;
  readonly idToken?: string;
}

/**
 * A laptop whose providers file has `work` (the ID token straight to STS) and `pooled` (the same issuer and client,
 * through the people pool); signed in to both as alice unless `signedIn` is false.
 */
async function laptop(signedIn = true): Promise<Laptop> {
  const dir = cliDir();
  const argvFile = join(dir, 'browser-argv.jsonl');
  const config = join(dir, 'providers');
  const provider = (name: string, extra: string[] = []) => [
    `[provider ${name}]`,
    `issuer = ${idp.url}`,
    `client-id = ${CLIENT_ID}`,
    'aws-region = us-east-1',
    `browser = ${recorderCommand(argvFile)}`,
    ...extra,
  ];
  writeFileSync(
    config,
    [...provider('work'), '', ...provider('pooled', [`cognito-identity-pool-id = ${poolId}`])].join('\n'),
  );
  const env = {
    ...cliEnv(dir),
    KEYLESS_AWS_CONFIG: config,
    // STS and Cognito Identity of the emulator, as the SDKs read it; IAM (for --live) through --iam-endpoint.
    AWS_ENDPOINT_URL: emulator.url,
    AWS_ACCESS_KEY_ID: ROOT_KEYS.id,
    AWS_SECRET_ACCESS_KEY: ROOT_KEYS.secret,
  };
  if (!signedIn) return { env, argvFile };
  const now = Math.floor(Date.now() / 1000);
  const idToken = await idp.sign({
    iss: idp.url,
    sub: 'alice',
    aud: CLIENT_ID,
    email: 'alice@example.com',
    iat: now,
    exp: now + 3600,
  });
  for (const name of ['work', 'pooled']) {
    await writeSessionFile(authPaths(env).sessionDir, name, { issuer: idp.url, clientId: CLIENT_ID, idToken });
  }
  return { env, argvFile, idToken };
}

interface Listed {
  identity: { provider: string; iss: string; sub: string; aud: unknown; cognito?: { identityId: string } };
  roles: Array<{ roleArn: string; allowed: boolean; stage?: string; reason: string }>;
}

async function listRoles(machine: Laptop, args: string[]): Promise<Listed> {
  const run = await runCli(['roles', ...args, '--all', '--format', 'json'], { env: machine.env });
  expect(run.code).toBe(0);
  expect(run.stdout + run.stderr).not.toMatch(JWT_SHAPE);
  return JSON.parse(run.stdout) as Listed;
}

const verdicts = (listed: Listed) =>
  Object.fromEntries(listed.roles.map((r) => [r.roleArn.replace(/^.*:role\//, ''), r.allowed]));

test('the Cognito route (providers file): the Cognito-trusting role is allowed, the direct one denied', async () => {
  const machine = await laptop();
  const fromTemplate = await listRoles(machine, ['pooled', '--template', template]);
  expect(verdicts(fromTemplate)).toEqual({ 'through-cognito': true, 'cognito-for-bob': false, direct: false });
  // Judged against the token Cognito issued: its issuer, the pool as audience, the identity as subject.
  expect(fromTemplate.identity).toMatchObject({
    provider: 'pooled',
    iss: `${emulator.url}/cognito-identity`,
    aud: poolId,
  });
  expect(fromTemplate.identity.sub).toBe(fromTemplate.identity.cognito?.identityId);
  const byArn = new Map(fromTemplate.roles.map((r) => [r.roleArn, r]));
  expect(byArn.get(arn('direct'))).toMatchObject({ stage: 'trust-policy' });
  expect(byArn.get(arn('cognito-for-bob'))!.reason).toMatch(/aws:RequestTag\/email/);

  // The account as IAM lists it (the emulator's roles) gives the same verdicts.
  const live = await listRoles(machine, ['pooled', '--live', '--iam-endpoint', emulator.url]);
  expect(verdicts(live)).toEqual(verdicts(fromTemplate));

  const text = await runCli(['roles', 'pooled', '--template', template], { env: machine.env });
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/^Signed in as alice \(pooled\) through Cognito identity us-east-1:[\w-]+: 1 of 3 roles/);
  expect(text.stdout).toContain(arn('through-cognito'));
  expect(text.stdout).not.toContain(arn('direct'));
  expect(recordedStarts(machine.argvFile)).toHaveLength(0);
});

test('without the route the ID token is judged: the direct role is allowed, the Cognito ones denied', async () => {
  const machine = await laptop();
  const listed = await listRoles(machine, ['work', '--template', template]);
  expect(verdicts(listed)).toEqual({ 'through-cognito': false, 'cognito-for-bob': false, direct: true });
  expect(listed.identity).toMatchObject({ provider: 'work', iss: idp.url, sub: 'alice', aud: CLIENT_ID });
  expect(listed.identity.cognito).toBeUndefined();
});

test('the route given on the call (--cognito-identity-pool-id) is followed as auth follows it', async () => {
  const machine = await laptop();
  const listed = await listRoles(machine, ['work', '--template', template, '--cognito-identity-pool-id', poolId]);
  expect(verdicts(listed)).toEqual({ 'through-cognito': true, 'cognito-for-bob': false, direct: false });
});

test('auth agrees with roles on every role, with and without the route', async () => {
  const machine = await laptop();
  for (const provider of ['pooled', 'work']) {
    const listed = verdicts(await listRoles(machine, [provider, '--template', template]));
    for (const role of ROLES) {
      const run = await runCli(['auth', provider, '--role-to-assume', arn(role), '--format', 'json'], {
        env: machine.env,
      });
      expect({ provider, role, code: run.code }).toEqual({ provider, role, code: listed[role] ? 0 : 4 });
      if (!listed[role]) expect(run.stderr).toContain('AccessDenied');
    }
  }
}, 60_000);

test('a pool that does not trust the provider: roles fails as auth does, with the same explanation', async () => {
  const machine = await laptop();
  const flags = ['--cognito-identity-pool-id', closedPoolId];
  const roles = await runCli(['roles', 'work', '--template', template, ...flags], { env: machine.env });
  const auth = await runCli(['auth', 'work', '--role-to-assume', arn('through-cognito'), ...flags], {
    env: machine.env,
  });
  expect(auth.code).toBe(4);
  expect(roles.code).toBe(auth.code);
  expect(roles.stdout).toBe('');
  expect(roles.stderr).toContain('GetId');
  expect(roles.stderr).toContain(closedPoolId);
  // Word for word, but for the token's age, which moves on by the second between the two runs.
  const timeless = (text: string) => text.replace(/\((?:in )?-?\d+ s(?: ago)?\)/g, '(…)');
  expect(timeless(roles.stderr)).toBe(timeless(auth.stderr));
});

test('a bad route setting is reported before any sign-in, at its flag or its file line', async () => {
  const machine = await laptop(false);
  const flag = await runCli(['roles', 'work', '--template', template, '--cognito-identity-pool-id', 'eu-west-1'], {
    env: machine.env,
  });
  expect(flag.code).toBe(2);
  expect(flag.stderr).toContain('--cognito-identity-pool-id must look like <region>:<uuid>');
  const region = await runCli(['roles', 'pooled', '--template', template, '--cognito-region', 'EU WEST'], {
    env: machine.env,
  });
  expect(region.code).toBe(2);
  expect(region.stderr).toContain('--cognito-region must be a region name');
  const unrelated = await runCli(['roles', 'work', '--template', template, '--role-to-assume', arn('direct')], {
    env: machine.env,
  });
  expect(unrelated.code).toBe(2);
  expect(unrelated.stderr).toContain('--role-to-assume is not a setting of the roles command');
  expect(recordedStarts(machine.argvFile)).toHaveLength(0);

  // In the providers file: named by file, line and key, as auth names it.
  const config = join(cliDir(), 'providers');
  writeFileSync(
    config,
    ['[provider work]', `issuer = ${idp.url}`, `client-id = ${CLIENT_ID}`, 'cognito-identity-pool-id = nope'].join(
      '\n',
    ),
  );
  const fromFile = await runCli(['roles', 'work', '--template', template], {
    env: { ...machine.env, KEYLESS_AWS_CONFIG: config },
  });
  expect(fromFile.code).toBe(2);
  expect(fromFile.stderr).toContain(`Key "cognito-identity-pool-id" (${config}:4) must look like <region>:<uuid>`);
  expect(recordedStarts(machine.argvFile)).toHaveLength(0);
});
