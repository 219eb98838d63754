/**
 * Black box (issue 10 §2): on a self-hosted runner in Kubernetes the pod carries its own identity (IRSA:
 * AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE; EKS Pod Identity: AWS_CONTAINER_CREDENTIALS_FULL_URI +
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE). The action must use the workflow's GitHub token and its role-to-assume input,
 * as configure-aws-credentials does; the CLI keeps reading the environment.
 * Build first: `node scripts/build.mjs index`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { createTestIssuer } from '../support/jwt';
import { assertNoSecretLeak } from '../support/leak-check';
import { cleanupRuns, makeRunDir, runAction } from '../support/run-dist';
import { type StsFake, startStsFake } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const POD_ROLE = 'arn:aws:iam::999999999999:role/runner-pod';

let sts: StsFake;
let github: TokenEndpoint;
let podToken: string;

beforeAll(async () => {
  sts = await startStsFake();
  github = await startTokenEndpoint();
  const eks = await createTestIssuer('https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE');
  podToken = await eks.sign({ sub: 'system:serviceaccount:arc-runners:runner', aud: 'sts.amazonaws.com' });
});
afterAll(async () => {
  cleanupRuns();
  cleanupCliDirs();
  await Promise.all([sts.close(), github.close()]);
});
beforeEach(() => {
  sts.reset();
  github.reset();
});

/** What the EKS webhooks put into a runner pod, with the token file written where the variable points. */
function podEnv(dir: string): Record<string, string> {
  const tokenFile = join(dir, 'pod-token');
  writeFileSync(tokenFile, podToken, { mode: 0o600 });
  const podIdentityFile = join(dir, 'eks-pod-identity-token');
  writeFileSync(podIdentityFile, 'pod-identity-token-0123456789', { mode: 0o600 });
  return {
    AWS_ROLE_ARN: POD_ROLE,
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    AWS_ROLE_SESSION_NAME: 'runner-pod-session',
    AWS_STS_REGIONAL_ENDPOINTS: 'regional',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9/v1/credentials',
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: podIdentityFile,
  };
}

test('the action uses the GitHub token and the role-to-assume input, never the pod token and role', async () => {
  const dir = makeRunDir();
  const run = await runAction({
    dir,
    inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE },
    env: { ...podEnv(dir), ...github.env(), AWS_ENDPOINT_URL_STS: sts.url },
  });
  expect(run.code).toBe(0);
  expect(github.requests).toHaveLength(1);
  expect(sts.requests.map((r) => r.action)).toEqual(['AssumeRoleWithWebIdentity']);
  const request = sts.requests[0]!;
  expect(request.params.RoleArn).toBe(ROLE);
  expect(request.params.WebIdentityToken).toBe(github.issued[0]);
  expect(request.params.RoleSessionName).toBe('GitHubActions');
  expect(run.outputs['authenticated-arn']).toMatch(/^arn:aws:sts::111122223333:assumed-role\/deploy\//);
  assertNoSecretLeak(run.stdout + run.stderr, [...github.secrets(), ...sts.secrets(), podToken]);
});

test('the action without role-to-assume fails naming the input; it does not assume the pod role', async () => {
  const dir = makeRunDir();
  const run = await runAction({
    dir,
    inputs: { 'aws-region': 'us-east-1' },
    env: { ...podEnv(dir), ...github.env(), AWS_ENDPOINT_URL_STS: sts.url },
  });
  expect(run.code).toBe(1);
  expect(run.stdout).toContain('::error::Input "role-to-assume" is required.');
  expect(sts.requests).toHaveLength(0);
  expect(run.raw.env).toBe('');
});

test('an explicit web-identity-token-file input is still the way to use a token file in the action', async () => {
  const dir = makeRunDir();
  const pod = podEnv(dir);
  const run = await runAction({
    dir,
    inputs: {
      'aws-region': 'us-east-1',
      'role-to-assume': ROLE,
      'web-identity-token-file': pod.AWS_WEB_IDENTITY_TOKEN_FILE!,
    },
    env: { ...pod, ...github.env(), AWS_ENDPOINT_URL_STS: sts.url },
  });
  expect(run.code).toBe(0);
  expect(github.requests).toHaveLength(0);
  expect(sts.requests[0]!.params.WebIdentityToken).toBe(podToken);
  expect(sts.requests[0]!.params.RoleArn).toBe(ROLE);
});

test('the CLI keeps reading the pod variables (role, token file, session name)', async () => {
  const dir = cliDir();
  const run = await runCli(['credential-process'], {
    env: { ...cliEnv(dir), ...podEnv(dir), ...github.env(), AWS_ENDPOINT_URL_STS: sts.url },
  });
  expect(run.code).toBe(0);
  expect(sts.requests[0]!.params.RoleArn).toBe(POD_ROLE);
  expect(sts.requests[0]!.params.WebIdentityToken).toBe(podToken);
  expect(sts.requests[0]!.params.RoleSessionName).toBe('runner-pod-session');
});
