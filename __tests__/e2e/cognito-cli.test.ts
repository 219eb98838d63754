/**
 * Black box: the CLI in the Cognito flow on a Jenkins agent — `node dist/index.js exec --token-source jenkins …`
 * against a Jenkins-style token endpoint (keyless-aws token service protocol), Cognito Identity and STS fakes.
 */
import { type CognitoFake, startCognitoFake } from '../support/cognito-fake';
import { createTestIssuer } from '../support/jwt';
import { assertNoSecretLeak } from '../support/leak-check';
import { cleanupRuns, runDist } from '../support/run-dist';
import { type StsFake, startStsFake } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::222233334444:role/jenkins-abac';
const PROVIDER = 'jenkins.example.com/oidc';
const GIT_COMMIT = '0123456789abcdef0123456789abcdef01234567';

let endpoint: TokenEndpoint;
let cognito: CognitoFake;
let sts: StsFake;

beforeAll(async () => {
  endpoint = await startTokenEndpoint({
    issuer: await createTestIssuer(`https://${PROVIDER}`),
    query: null,
    claims: { sub: 'job/deploy', job: 'deploy', build_number: '812' },
  });
  cognito = await startCognitoFake({
    providers: { [PROVIDER]: ['cognito-identity.amazonaws.com'] },
    principalTags: { job: 'job', build_number: 'build_number' },
  });
  sts = await startStsFake();
});
afterAll(async () => {
  cleanupRuns();
  await Promise.all([endpoint.close(), cognito.close(), sts.close()]);
});

test('exec --token-source jenkins runs the program with the credentials of the Cognito-token session', async () => {
  const result = await runDist({
    args: [
      'exec',
      '--cognito-identity-pool-id',
      cognito.poolId,
      '--token-source',
      'jenkins',
      '--role-to-assume',
      ROLE,
      '--aws-region',
      'us-east-2',
      '--',
      'node',
      '-e',
      'process.stdout.write(JSON.stringify({ id: process.env.AWS_ACCESS_KEY_ID, region: process.env.AWS_REGION }))',
    ],
    env: {
      // A Jenkins agent, not a GitHub runner.
      GITHUB_ACTIONS: undefined,
      GITHUB_ENV: undefined,
      GITHUB_OUTPUT: undefined,
      GITHUB_STATE: undefined,
      ...endpoint.env('jenkins'),
      JENKINS_URL: 'https://jenkins.example.com/',
      JOB_NAME: 'team/deploy',
      JOB_BASE_NAME: 'deploy',
      BUILD_NUMBER: '812',
      GIT_COMMIT,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY: cognito.url,
      AWS_ENDPOINT_URL_STS: sts.url,
    },
  });
  expect(result.stderr).not.toContain('error');
  expect(result.code).toBe(0);

  const [ciToken] = endpoint.issued;
  expect(endpoint.requests[0]!.audience).toBe('cognito-identity.amazonaws.com');
  expect(cognito.requests.map((r) => [r.operation, r.loginKey, r.ciToken])).toEqual([
    ['GetId', PROVIDER, ciToken],
    ['GetOpenIdToken', PROVIDER, ciToken],
  ]);
  const issued = cognito.issued[0]!;
  expect(sts.requests[0]!.params.WebIdentityToken).toBe(issued.token);
  expect(sts.requests[0]!.params.RoleSessionName).toBe(`812@${GIT_COMMIT}`);
  expect(JSON.parse(result.stdout)).toEqual({ id: sts.issued[0]!.accessKeyId, region: 'us-east-2' });

  // Progress on stderr: the identity and its tags, never a token; no workflow commands outside Actions.
  expect(result.stderr).toContain(`Cognito identity ${issued.identityId}`);
  expect(result.stderr).toContain('principal tags: job=deploy, build_number=812');
  expect(result.stdout + result.stderr).not.toContain('::add-mask::');
  assertNoSecretLeak(result.stderr, [...endpoint.secrets(), ...sts.secrets(), issued.token]);
  assertNoSecretLeak(result.stdout, [...endpoint.secrets(), issued.token]);
});
