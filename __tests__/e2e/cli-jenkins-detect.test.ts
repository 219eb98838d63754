/**
 * Black box (issue 10 §6): a build that only has the keyless-aws Jenkins step's variables (an agent container that
 * passes on JENKINS_ID_TOKEN_REQUEST_URL/_TOKEN, BUILD_NUMBER and JOB_BASE_NAME, but no JENKINS_URL or JOB_NAME) is a
 * Jenkins build: its default role session name and the `token` command say so.
 * Build first: `node scripts/build.mjs index`.
 */
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { type StsFake, startStsFake } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
let sts: StsFake;
let jenkins: TokenEndpoint;

beforeAll(async () => {
  sts = await startStsFake();
  jenkins = await startTokenEndpoint({ query: null, path: '/id-token' });
});
afterAll(async () => {
  cleanupCliDirs();
  await Promise.all([sts.close(), jenkins.close()]);
});

const env = () => ({
  ...cliEnv(cliDir()),
  ...jenkins.env('jenkins'),
  JOB_BASE_NAME: 'deploy',
  BUILD_NUMBER: '42',
  AWS_ENDPOINT_URL_STS: sts.url,
  AWS_REGION: 'eu-west-1',
  AWS_ROLE_ARN: ROLE,
});

test('the exchange uses the Jenkins default session name', async () => {
  const run = await runCli(['credential-process'], { env: env() });
  expect(run.code).toBe(0);
  expect(sts.requests.at(-1)!.params.RoleSessionName).toBe('Jenkins-deploy-42');
});

test('the token command names the CI and the session name', async () => {
  const text = await runCli(['token'], { env: env() });
  expect(text.code).toBe(0);
  expect(text.stdout).toContain('CI: jenkins; role session name: Jenkins-deploy-42\n');
  const json = await runCli(['token', '--format', 'json'], { env: env() });
  expect(JSON.parse(json.stdout)).toMatchObject({ ci: 'jenkins', roleSessionName: 'Jenkins-deploy-42' });
});
