/**
 * Black box, the Jenkins chain end to end: the keyless-aws token service registers a build (as the `withAwsIdToken`
 * step does), the build runs `node dist/index.js … --token-source jenkins` with the request token in its
 * environment, and the AWS emulator — loaded from examples/jenkins/jenkins-oidc.yml with IssuerUrl pointed at the
 * service — verifies the ID token against the service's JWKS and evaluates the role's trust policy.
 */
import { join } from 'node:path';
import { KeyStore } from '../../src/issuer/keys';
import { issueRequestToken } from '../../src/issuer/request-tokens';
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import {
  assertNothingSecret,
  assumedRoleArn,
  callerArn,
  closeAll,
  JENKINS_ISSUER,
  physicalId,
  REGION,
  type Registration,
  startTemplates,
  startTokenService,
  type TokenService,
  template,
} from './support/chain';

const PRINT_AWS_NAMES = `process.stdout.write(Object.keys(process.env).filter((n) => n.startsWith('AWS_')).sort().join(' '))`;

let jenkins: TokenService;
let emulatorUrl: string;
let roleArn: string;

beforeAll(async () => {
  jenkins = await startTokenService('jenkins', ['sts.amazonaws.com'], JENKINS_ISSUER);
  const emulator = await startTemplates([template('jenkins/jenkins-oidc.yml', jenkins)]);
  emulatorUrl = emulator.url;
  roleArn = physicalId(emulator, 'JenkinsDeployRole');
}, 30_000);

afterAll(async () => {
  cleanupCliDirs();
  await closeAll();
});

/** A Jenkins agent's `sh` step environment for one registered build. */
function agentEnv(build: Registration, job: string, buildNumber: number): Record<string, string> {
  return {
    ...cliEnv(cliDir()),
    JENKINS_URL: 'https://jenkins.example.com/',
    JOB_NAME: job,
    JOB_BASE_NAME: job.split('/').pop() ?? job,
    BUILD_NUMBER: String(buildNumber),
    JENKINS_ID_TOKEN_REQUEST_URL: build.token_url,
    JENKINS_ID_TOKEN_REQUEST_TOKEN: build.request_token,
    AWS_ENDPOINT_URL_STS: emulatorUrl,
  };
}

const exchangeFlags = () => ['--token-source', 'jenkins', '--role-to-assume', roleArn, '--aws-region', REGION];

test('exec: the build of the trusted job runs its program with a session named Jenkins-<JOB_BASE_NAME>-<BUILD_NUMBER>', async () => {
  const build = await jenkins.register({ job: 'payments/deploy', build_number: 57, branch: 'main' });
  const mintedBefore = jenkins.minted();
  const run = await runCli(['exec', ...exchangeFlags(), '--', 'node', '-e', PRINT_AWS_NAMES], {
    env: agentEnv(build, 'payments/deploy', 57),
  });
  expect(run.stderr).not.toMatch(/error/i);
  expect(run.code).toBe(0);
  expect(run.stdout.split(' ')).toEqual(
    expect.arrayContaining([
      'AWS_ACCESS_KEY_ID',
      'AWS_CREDENTIAL_EXPIRATION',
      'AWS_DEFAULT_REGION',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
    ]),
  );
  expect(run.stderr).toContain(`Running node with credentials for ${assumedRoleArn(roleArn, 'Jenkins-deploy-57')}`);
  expect(jenkins.minted()).toBe(mintedBefore + 1);
  assertNothingSecret(run.stderr, jenkins.secrets());
});

test('credential-process: JSON whose credentials pass a signed GetCallerIdentity as the Jenkins session', async () => {
  const build = await jenkins.register({ job: 'payments/deploy', build_number: 58, branch: 'release/1.2' });
  const run = await runCli(['credential-process', ...exchangeFlags()], { env: agentEnv(build, 'payments/deploy', 58) });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const json = JSON.parse(run.stdout) as Record<string, unknown>;
  expect(json.Version).toBe(1);
  expect(json.AccountId).toBe(roleArn.split(':')[4]);
  expect(Date.parse(String(json.Expiration))).toBeGreaterThan(Date.now() + 50 * 60_000);
  const arn = await callerArn(emulatorUrl, {
    accessKeyId: String(json.AccessKeyId),
    secretAccessKey: String(json.SecretAccessKey),
    sessionToken: String(json.SessionToken),
  });
  expect(arn).toBe(assumedRoleArn(roleArn, 'Jenkins-deploy-58'));
});

test('a build of another job is denied (exit 4), and the explanation shows the sub the trust policy saw', async () => {
  const build = await jenkins.register({ job: 'payments/other', build_number: 12, branch: 'main' });
  const run = await runCli(['exec', ...exchangeFlags(), '--', 'node', '-e', 'process.stdout.write("ran")'], {
    env: agentEnv(build, 'payments/other', 12),
  });
  expect(run.code).toBe(4);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain('AccessDenied');
  expect(run.stderr).toContain(`Role: ${roleArn}`);
  expect(run.stderr).toContain(`${jenkins.host}:sub = job:payments/other:build:12`);
  expect(run.stderr).toContain(`${jenkins.host}:aud = sts.amazonaws.com`);
  // The emulator names the failing condition, as a platform engineer reading CloudTrail would work it out.
  expect(run.stderr).toContain('job:payments/deploy:build:*');
  assertNothingSecret(run.stderr, jenkins.secrets());
});

test('a forged request token: no usable CI token (exit 3), no exchange attempted, nothing printed', async () => {
  const build = await jenkins.register({ job: 'payments/deploy', build_number: 59, branch: 'main' });
  const [header, payload, signature] = build.request_token.split('.');
  // Same claims, signature of another key: a build that edits its claims (or guesses a token) is refused.
  const forged = `${header}.${payload}.${signature!.slice(0, -4)}${signature!.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
  const mintedBefore = jenkins.minted();
  const run = await runCli(['credential-process', ...exchangeFlags()], {
    env: { ...agentEnv(build, 'payments/deploy', 59), JENKINS_ID_TOKEN_REQUEST_TOKEN: forged },
  });
  expect(run.code).toBe(3);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/HTTP 401/);
  expect(run.stderr).toContain('request token is missing, expired or not valid');
  expect(jenkins.minted()).toBe(mintedBefore);
  assertNothingSecret(run.stderr, [...jenkins.secrets(), forged]);
});

test('an expired request token (genuinely signed by the service): exit 3', async () => {
  // Signed with the service's own request-token secret, one hour in the past: only the expiry is wrong.
  const keys = await KeyStore.open(join(jenkins.keysDir));
  const past = Math.floor(Date.now() / 1000) - 3600;
  const expired = await issueRequestToken(
    {
      sub: 'job:payments/deploy:build:60',
      claims: { job: 'payments/deploy', build_number: 60 },
      audiences: ['sts.amazonaws.com'],
      lifetimeSeconds: 600,
    },
    { key: keys.requestTokenKey, issuerUrl: jenkins.issuerUrl, now: () => past },
  );
  const build: Registration = {
    request_token: expired.token,
    token_url: `${jenkins.localUrl}/token`,
    expires_at: new Date(expired.expiresAt * 1000).toISOString(),
  };
  const run = await runCli(['exec', ...exchangeFlags(), '--', 'node', '-e', 'process.stdout.write("ran")'], {
    env: agentEnv(build, 'payments/deploy', 60),
  });
  expect(run.code).toBe(3);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/HTTP 401/);
  expect(run.stderr).toContain('request token is missing, expired or not valid');
  assertNothingSecret(run.stderr, [...jenkins.secrets(), expired.token]);
});
