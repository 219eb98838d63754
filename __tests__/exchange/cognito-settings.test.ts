/** The Cognito flow's inputs: what selects it, its defaults, and the input errors raised before any network call. */
import { InputError } from '../../src/errors';
import { parseSettings } from '../../src/settings/parse';
import { actionSource, cliSource, settingsError } from '../support/settings';

const POOL = 'eu-west-1:11111111-2222-3333-4444-555555555555';
const ROLE = 'arn:aws:iam::222233334444:role/deploy-abac';
const GITHUB_TOKEN_ENV = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/token',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req',
};
const JENKINS_TOKEN_ENV = {
  JENKINS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/t',
  JENKINS_ID_TOKEN_REQUEST_TOKEN: 'req',
};
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

const action = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  parseSettings(
    actionSource({ 'aws-region': 'us-east-2', 'role-to-assume': ROLE, ...inputs }, { ...GITHUB_TOKEN_ENV, ...env }),
  );
const cli = (flags: Record<string, string>, env: Record<string, string> = {}) =>
  parseSettings(
    cliSource(
      { 'aws-region': 'us-east-2', 'role-to-assume': ROLE, 'token-source': 'jenkins', ...flags },
      {
        ...JENKINS_TOKEN_ENV,
        ...env,
      },
    ),
  );

describe('selecting the flow', () => {
  test('cognito-identity-pool-id selects it; Cognito region from the pool id, STS region from aws-region', () => {
    const settings = action({ 'cognito-identity-pool-id': POOL });
    expect(settings.cognito).toEqual({ identityPoolId: POOL, region: 'eu-west-1' });
    expect(settings.region).toBe('us-east-2');
    expect(settings.audience).toBe('cognito-identity.amazonaws.com');
  });

  test('without a pool id there is no Cognito step and the audience stays sts.amazonaws.com', () => {
    const settings = action({});
    expect(settings.cognito).toBeUndefined();
    expect(settings.audience).toBe('sts.amazonaws.com');
  });

  test('every Cognito input is read, from inputs and from their environment variables', () => {
    const settings = action({
      'cognito-identity-pool-id': POOL,
      'cognito-region': 'eu-central-1',
      'cognito-provider-name': 'token.actions.githubusercontent.com/octo-enterprise',
      'aws-account-id': '111111111111',
      'cognito-endpoint': 'http://127.0.0.1:4566',
      audience: 'my-pool-client',
    });
    expect(settings.cognito).toEqual({
      identityPoolId: POOL,
      region: 'eu-central-1',
      providerName: 'token.actions.githubusercontent.com/octo-enterprise',
      accountId: '111111111111',
      endpoint: 'http://127.0.0.1:4566',
    });
    expect(settings.audience).toBe('my-pool-client');
    const fromEnv = cli(
      {},
      { COGNITO_IDENTITY_POOL_ID: POOL, AWS_ENDPOINT_URL_COGNITO_IDENTITY: 'http://127.0.0.1:4567' },
    );
    expect(fromEnv.cognito).toEqual({ identityPoolId: POOL, region: 'eu-west-1', endpoint: 'http://127.0.0.1:4567' });
  });

  test('cognito-endpoint wins over AWS_ENDPOINT_URL_COGNITO_IDENTITY', () => {
    const settings = cli(
      { 'cognito-identity-pool-id': POOL, 'cognito-endpoint': 'http://127.0.0.1:1111' },
      { AWS_ENDPOINT_URL_COGNITO_IDENTITY: 'http://127.0.0.1:2222' },
    );
    expect(settings.cognito?.endpoint).toBe('http://127.0.0.1:1111');
  });
});

describe('default role session names in the Cognito flow', () => {
  test('GitHub: <run_id>@<sha>, 52 characters for an 11-digit run id', () => {
    const settings = action({ 'cognito-identity-pool-id': POOL }, { GITHUB_RUN_ID: '12345678901', GITHUB_SHA: SHA });
    expect(settings.roleSessionName).toBe(`12345678901@${SHA}`);
    expect(settings.roleSessionName).toHaveLength(52);
  });

  test('GitHub outside the Cognito flow keeps GitHubActions', () => {
    expect(action({}, { GITHUB_RUN_ID: '12345678901', GITHUB_SHA: SHA }).roleSessionName).toBe('GitHubActions');
  });

  test('Jenkins: <BUILD_NUMBER>@<GIT_COMMIT> when both are set', () => {
    const settings = cli(
      { 'cognito-identity-pool-id': POOL },
      { JENKINS_URL: 'https://ci.example.com/', JOB_BASE_NAME: 'deploy', BUILD_NUMBER: '812', GIT_COMMIT: SHA },
    );
    expect(settings.roleSessionName).toBe(`812@${SHA}`);
  });

  test('Jenkins without GIT_COMMIT: Jenkins-<JOB_BASE_NAME>-<BUILD_NUMBER>, sanitised to [\\w+=,.@-]', () => {
    const settings = cli(
      { 'cognito-identity-pool-id': POOL },
      { JENKINS_URL: 'https://ci.example.com/', JOB_BASE_NAME: 'deploy prod (eu)', BUILD_NUMBER: '812' },
    );
    expect(settings.roleSessionName).toBe('Jenkins-deploy-prod--eu--812');
    expect(settings.roleSessionName).toMatch(/^[\w+=,.@-]{2,64}$/);
  });

  test('a long Jenkins job name is cut to 64 characters', () => {
    const settings = cli(
      { 'cognito-identity-pool-id': POOL },
      { JENKINS_URL: 'https://ci.example.com/', JOB_BASE_NAME: 'x'.repeat(100), BUILD_NUMBER: '812' },
    );
    expect(settings.roleSessionName).toHaveLength(64);
  });

  test('an explicit role-session-name wins', () => {
    const settings = action(
      { 'cognito-identity-pool-id': POOL, 'role-session-name': 'release-7' },
      { GITHUB_RUN_ID: '12345678901', GITHUB_SHA: SHA },
    );
    expect(settings.roleSessionName).toBe('release-7');
  });
});

describe('input errors, before any network call', () => {
  test.each([
    ['no region prefix', '11111111-2222-3333-4444-555555555555'],
    ['not a uuid', 'eu-west-1:abc'],
    ['upper-case uuid', 'eu-west-1:11111111-2222-3333-4444-55555555555A'],
    ['an ARN', `arn:aws:cognito-identity:eu-west-1:111111111111:identitypool/${POOL}`],
  ])('a pool id with %s names the input and the expected shape', (_why, value) => {
    const error = settingsError(() => action({ 'cognito-identity-pool-id': value }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('Input "cognito-identity-pool-id" must look like <region>:<uuid>');
    const cliError = settingsError(() => cli({ 'cognito-identity-pool-id': value }));
    expect(cliError.message).toContain('--cognito-identity-pool-id must look like <region>:<uuid>');
  });

  test('aws-account-id must be 12 digits', () => {
    const error = settingsError(() => action({ 'cognito-identity-pool-id': POOL, 'aws-account-id': '12345' }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('Input "aws-account-id" must be 12 digits');
  });

  test('cognito-provider-name is the issuer without https://', () => {
    const error = settingsError(() =>
      action({
        'cognito-identity-pool-id': POOL,
        'cognito-provider-name': 'https://token.actions.githubusercontent.com',
      }),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('Input "cognito-provider-name" is the token issuer without https://');
  });

  test('the flow needs a role', () => {
    const error = settingsError(() =>
      parseSettings(actionSource({ 'aws-region': 'us-east-2', 'cognito-identity-pool-id': POOL }, GITHUB_TOKEN_ENV)),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe('Input "role-to-assume" is required in the Cognito flow.');
  });

  test('the flow needs an OIDC token, not access keys', () => {
    const error = settingsError(() =>
      action({
        'cognito-identity-pool-id': POOL,
        'aws-access-key-id': 'AKIAEXAMPLE',
        'aws-secret-access-key': 'x'.repeat(40),
      }),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('The Cognito flow starts from an OIDC token');
  });

  test('a bad cognito-endpoint URL is named', () => {
    const error = settingsError(() => action({ 'cognito-identity-pool-id': POOL, 'cognito-endpoint': 'not a url' }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('Input "cognito-endpoint" must be a URL');
  });
});
