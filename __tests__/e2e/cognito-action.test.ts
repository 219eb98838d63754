/**
 * Black box: dist/index.js run as the Actions runner runs it, in the Cognito flow, against loopback fakes of the
 * GitHub token endpoint, Cognito Identity and STS. Build first: `node scripts/build.mjs index cleanup`.
 */
import { readFileSync } from 'node:fs';
import { type CognitoFake, GITHUB_PROVIDER, startCognitoFake } from '../support/cognito-fake';
import { assertMasked, assertNoSecretLeak } from '../support/leak-check';
import { cleanupRuns, type RunResult, runAction } from '../support/run-dist';
import { type StsFake, startStsFake, stsError } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::222233334444:role/deploy-abac';
const RUN_ID = '12345678901';
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

let endpoint: TokenEndpoint;
let cognito: CognitoFake;
let sts: StsFake;
let issuedBefore = 0;
const ciTokens = () => endpoint.issued.slice(issuedBefore);

beforeAll(async () => {
  endpoint = await startTokenEndpoint();
  sts = await startStsFake();
  cognito = await startCognitoFake({ principalTags: { repository: 'repository', actor: 'actor' } });
});
afterAll(async () => {
  cleanupRuns();
  await Promise.all([endpoint.close(), sts.close(), cognito.close()]);
});
beforeEach(() => {
  endpoint.reset();
  issuedBefore = endpoint.issued.length;
  sts.reset();
  cognito.reset();
});

function run(inputs: Record<string, string> = {}, env: Record<string, string> = {}): Promise<RunResult> {
  return runAction({
    inputs: {
      'aws-region': 'us-east-2',
      'role-to-assume': ROLE,
      'cognito-identity-pool-id': cognito.poolId,
      ...inputs,
    },
    env: {
      ...endpoint.env(),
      AWS_ENDPOINT_URL_COGNITO_IDENTITY: cognito.url,
      AWS_ENDPOINT_URL_STS: sts.url,
      GITHUB_RUN_ID: RUN_ID,
      GITHUB_SHA: SHA,
      ...env,
    },
  });
}

function allSecrets(): string[] {
  return [...endpoint.secrets(), ...sts.secrets(), ...cognito.issued.map((t) => t.token)];
}

test('exports the credentials of the Cognito-token session, outputs cognito-identity-id, logs the tags', async () => {
  const result = await run({ 'aws-account-id': '111111111111' });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);

  const [ciToken] = ciTokens();
  const issued = cognito.issued[0]!;
  expect(cognito.requests.map((r) => [r.operation, r.loginKey, r.ciToken])).toEqual([
    ['GetId', GITHUB_PROVIDER, ciToken],
    ['GetOpenIdToken', GITHUB_PROVIDER, ciToken],
  ]);
  expect(cognito.requests[0]!.body.AccountId).toBe('111111111111');
  expect(endpoint.requests[0]!.audience).toBe('cognito-identity.amazonaws.com');
  expect(sts.requests).toHaveLength(1);
  expect(sts.requests[0]!.params.WebIdentityToken).toBe(issued.token);
  expect(sts.requests[0]!.params.RoleSessionName).toBe(`${RUN_ID}@${SHA}`);

  const creds = sts.issued[0]!;
  expect(result.env).toMatchObject({
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_SESSION_TOKEN: creds.sessionToken,
    AWS_REGION: 'us-east-2',
    AWS_DEFAULT_REGION: 'us-east-2',
  });
  expect(result.outputs['cognito-identity-id']).toBe(issued.identityId);
  expect(result.outputs['aws-account-id']).toBe('222233334444');
  expect(result.stdout).toContain('principal tags: repository=octo-org/octo-repo, actor=octocat');

  // Both tokens are masked before anything could print them, and neither appears anywhere else.
  assertMasked(result.stdout, ciToken!);
  assertMasked(result.stdout, issued.token);
  assertNoSecretLeak(result.stdout + result.stderr, allSecrets());
});

test('a throttled Cognito is retried with a fresh CI token each time', async () => {
  cognito.failNext('GetId', { status: 400, type: 'TooManyRequestsException', message: 'Rate exceeded' }, 2);
  const result = await run();
  expect(result.code).toBe(0);
  const sent = cognito.ciTokens('GetId');
  expect(sent).toHaveLength(3);
  expect(new Set(sent).size).toBe(3);
  expect(sent).toEqual(ciTokens());
  expect(result.outputs['cognito-identity-id']).toBe(cognito.issued[0]!.identityId);
  assertNoSecretLeak(result.stdout + result.stderr, allSecrets());
});

describe('failures export nothing and say what to change', () => {
  const expectNothingExported = (result: RunResult) => {
    expect(result.code).not.toBe(0);
    expect(readFileSync(result.files.env, 'utf8')).toBe('');
    expect(result.outputs['aws-access-key-id']).toBeUndefined();
    assertNoSecretLeak(result.stdout + result.stderr, allSecrets());
  };

  test('a malformed pool id fails before any request', async () => {
    const result = await run({ 'cognito-identity-pool-id': 'eu-west-1-not-a-pool' });
    expectNothingExported(result);
    expect(result.stdout).toContain('Input "cognito-identity-pool-id" must look like <region>:<uuid>');
    expect(endpoint.requests).toHaveLength(0);
    expect(cognito.requests).toHaveLength(0);
    expect(sts.requests).toHaveLength(0);
  });

  test('a missing role fails before any request', async () => {
    const result = await run({ 'role-to-assume': '' });
    expectNothingExported(result);
    expect(result.stdout).toContain('Input "role-to-assume" is required in the Cognito flow.');
    expect(endpoint.requests).toHaveLength(0);
    expect(cognito.requests).toHaveLength(0);
    expect(sts.requests).toHaveLength(0);
  });

  test('NotAuthorizedException names issuer, audience, Logins key and the pool settings to change', async () => {
    const result = await run({ audience: 'sts.amazonaws.com' });
    expectNothingExported(result);
    expect(result.stdout).toContain('NotAuthorizedException');
    expect(result.stdout).toContain('OpenIdConnectProviderARNs');
    expect(result.stdout).toContain(`Logins key (provider name): ${GITHUB_PROVIDER}`);
    expect(result.stdout).toContain('aud: sts.amazonaws.com');
    expect(sts.requests).toHaveLength(0);
  });

  test('STS AccessDenied for the Cognito token points at the trust policy and sts:TagSession', async () => {
    sts.setDefault(stsError.accessDenied());
    try {
      const result = await run();
      expectNothingExported(result);
      expect(result.stdout).toContain(`cognito-identity.amazonaws.com:aud = ${cognito.poolId}`);
      expect(result.stdout).toContain('sts:TagSession');
      expect(result.stdout).toContain('aws:RequestTag/repository = octo-org/octo-repo');
      expect(sts.requests).toHaveLength(1);
    } finally {
      sts.setDefault({ kind: 'allow' });
    }
  });
});
