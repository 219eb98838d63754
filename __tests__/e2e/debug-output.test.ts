/**
 * Black box: `--debug` / KEYLESS_AWS_DEBUG=1 / RUNNER_DEBUG=1 print one line per decision and per request, and
 * never a secret (token, request token, keys, session token) — in the CLI on stderr and in the action as escaped
 * `::debug::` commands.
 */
import { type CliRun, cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { type CognitoFake, startCognitoFake } from '../support/cognito-fake';
import { createTestIssuer } from '../support/jwt';
import { assertNoSecretLeak } from '../support/leak-check';
import { cleanupRuns, runAction } from '../support/run-dist';
import { type StsFake, startStsFake, stsError } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const PROVIDER = 'jenkins.example.com/oidc';
const PRINT_KEY_ID = ['node', '-e', 'process.stdout.write(String(process.env.AWS_ACCESS_KEY_ID).length.toString())'];

let sts: StsFake;
let github: TokenEndpoint;
let jenkins: TokenEndpoint;
let cognito: CognitoFake;

beforeAll(async () => {
  sts = await startStsFake();
  github = await startTokenEndpoint();
  jenkins = await startTokenEndpoint({
    issuer: await createTestIssuer(`https://${PROVIDER}`),
    query: null,
    claims: { sub: 'job/deploy' },
  });
  cognito = await startCognitoFake({ providers: { [PROVIDER]: ['cognito-identity.amazonaws.com'] } });
});
afterAll(async () => {
  cleanupCliDirs();
  cleanupRuns();
  await Promise.all([sts.close(), github.close(), jenkins.close(), cognito.close()]);
});
beforeEach(() => {
  sts.reset();
  github.reset();
  jenkins.reset();
});

function secrets(): string[] {
  return [...sts.secrets(), ...github.secrets(), ...jenkins.secrets(), ...cognito.issued.map((issued) => issued.token)];
}

function debugLines(run: CliRun): string[] {
  return run.stderr.split('\n').filter((line) => line.startsWith('keyless-aws: debug: '));
}

function cliRun(args: readonly string[], extra: Record<string, string | undefined>): Promise<CliRun> {
  const dir = cliDir();
  return runCli(args, {
    env: { ...cliEnv(dir), AWS_ENDPOINT_URL_STS: sts.url, AWS_REGION: 'eu-west-1', AWS_ROLE_ARN: ROLE, ...extra },
  });
}

test('--debug: settings and their origin, the token source and why, each request, the flow, the sink', async () => {
  const run = await cliRun(['exec', '--debug', '--audience', 'sts.amazonaws.com', '--', ...PRINT_KEY_ID], github.env());
  expect(run.code).toBe(0);
  const lines = debugLines(run);
  expect(lines).toEqual(
    expect.arrayContaining([
      `keyless-aws: debug: setting role-to-assume from environment variable AWS_ROLE_ARN (--role-to-assume): ${ROLE}`,
      'keyless-aws: debug: setting audience from --audience: sts.amazonaws.com',
      'keyless-aws: debug: every other setting: its default',
      expect.stringMatching(/^keyless-aws: debug: credentials: web identity/),
      expect.stringMatching(
        /^keyless-aws: debug: token source: github \(ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN present\); auto order: web-identity-token-file, github, jenkins/,
      ),
      'keyless-aws: debug: attempt 1 of 12',
      // The URL without its query (which names the audience here, and could carry anything elsewhere).
      expect.stringMatching(
        new RegExp(
          `^keyless-aws: debug: HTTP GET ${escapeRegExp(new URL(github.url).origin)}/\\S* \\(the GitHub ID-token endpoint\\): HTTP 200, \\d+ bytes in \\d+ ms$`,
        ),
      ),
      'keyless-aws: debug: flow: STS AssumeRoleWithWebIdentity',
      expect.stringMatching(
        new RegExp(
          `^keyless-aws: debug: HTTP POST ${escapeRegExp(sts.url)} \\(STS\\): HTTP 200, \\d+ bytes in \\d+ ms$`,
        ),
      ),
      'keyless-aws: debug: sink: AWS_* variables in the environment of node only; no file written',
    ]),
  );
  expect(run.stderr).not.toContain('?');
  assertNoSecretLeak(run.stdout + run.stderr, secrets());
});

test('KEYLESS_AWS_DEBUG=1 in the Cognito flow: GetId, GetOpenIdToken and STS, each with its request line', async () => {
  const run = await cliRun(['exec', '--token-source', 'jenkins', '--', ...PRINT_KEY_ID], {
    ...jenkins.env('jenkins'),
    KEYLESS_AWS_DEBUG: '1',
    JENKINS_URL: 'https://jenkins.example.com/',
    JOB_NAME: 'team/deploy',
    BUILD_NUMBER: '7',
    AWS_ENDPOINT_URL_COGNITO_IDENTITY: cognito.url,
    COGNITO_IDENTITY_POOL_ID: cognito.poolId,
  });
  expect(run.stderr).not.toContain('error');
  expect(run.code).toBe(0);
  const lines = debugLines(run);
  const flow = lines
    .filter((line) => /debug: (flow:|HTTP) /.test(line))
    .map((line) => line.replace(/ \d+ bytes in \d+ ms$/, ''));
  expect(flow).toEqual([
    expect.stringMatching(
      /^keyless-aws: debug: HTTP GET http:\/\/127\.0\.0\.1:\d+\/\S* \(the Jenkins ID-token endpoint\): HTTP 200,$/,
    ),
    'keyless-aws: debug: flow: Cognito GetId',
    `keyless-aws: debug: HTTP POST ${cognito.url} (Cognito): HTTP 200,`,
    'keyless-aws: debug: flow: Cognito GetOpenIdToken',
    `keyless-aws: debug: HTTP POST ${cognito.url} (Cognito): HTTP 200,`,
    'keyless-aws: debug: flow: STS AssumeRoleWithWebIdentity',
    `keyless-aws: debug: HTTP POST ${sts.url} (STS): HTTP 200,`,
  ]);
  expect(lines).toContain(
    'keyless-aws: debug: token source: jenkins (JENKINS_ID_TOKEN_REQUEST_URL and _TOKEN present); asked for by --token-source',
  );
  expect(lines).toContain(
    'keyless-aws: debug: credentials: web identity (a CI ID token for STS AssumeRoleWithWebIdentity) through Cognito GetId and GetOpenIdToken',
  );
  assertNoSecretLeak(run.stdout + run.stderr, secrets());
});

test('a failing flow: each attempt, its request and status, whether it is retried, and why not', async () => {
  sts.next(stsError.internalFailure(503), stsError.accessDenied());
  const run = await cliRun(['env', '--debug', '--format', 'json'], github.env());
  expect(run.code).not.toBe(0);
  const lines = debugLines(run);
  const http = lines.filter((line) => line.includes('(STS)'));
  expect(http).toEqual([
    expect.stringMatching(/\(STS\): HTTP 503, \d+ bytes in \d+ ms$/),
    expect.stringMatching(/\(STS\): HTTP 403, \d+ bytes in \d+ ms$/),
  ]);
  expect(lines).toContain('keyless-aws: debug: attempt 2 of 12');
  expect(run.stderr).toMatch(/keyless-aws: Attempt 1 failed \(.*\); retrying in \d+ ms with a fresh token\./);
  expect(lines).toContainEqual(
    expect.stringMatching(/^keyless-aws: debug: attempt 2 failed \(.+\); not retried: not a transient failure$/),
  );
  expect(run.stdout).toBe('');
  assertNoSecretLeak(run.stdout + run.stderr, secrets());
});

test('a refused connection: the request line names the failure class, and the last attempt is not retried', async () => {
  const run = await cliRun(['env', '--debug', '--retry-max-attempts', '2'], {
    ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token?api-version=2.0',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token-that-must-not-show',
  });
  expect(run.code).not.toBe(0);
  const lines = debugLines(run);
  expect(lines.filter((line) => line.includes('HTTP GET'))).toEqual([
    expect.stringMatching(
      /HTTP GET http:\/\/127\.0\.0\.1:1\/token \(the GitHub ID-token endpoint\): failed, ConnectionRefused in \d+ ms$/,
    ),
    expect.stringMatching(
      /HTTP GET http:\/\/127\.0\.0\.1:1\/token \(the GitHub ID-token endpoint\): failed, ConnectionRefused in \d+ ms$/,
    ),
  ]);
  expect(lines).toContainEqual(expect.stringMatching(/attempt 2 failed \(.*\); not retried: the last of 2 attempts$/));
  assertNoSecretLeak(run.stdout + run.stderr, ['request-token-that-must-not-show']);
});

test('token --debug: the same source line and request line as exec would print', async () => {
  const run = await cliRun(['token', '--debug', '--token-source', 'github'], github.env());
  expect(run.code).toBe(0);
  const lines = debugLines(run);
  expect(lines).toContain(
    'keyless-aws: debug: token source: github (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN present); asked for by --token-source',
  );
  expect(lines).toContainEqual(
    expect.stringMatching(/^keyless-aws: debug: HTTP GET \S+ \(the GitHub ID-token endpoint\): HTTP 200, \d+ bytes/),
  );
  assertNoSecretLeak(run.stdout + run.stderr, secrets());
});

test("the CLI in a job re-run with the runner's debug logging (RUNNER_DEBUG=1) prints them too", async () => {
  const run = await cliRun(['exec', '--', ...PRINT_KEY_ID], { ...github.env(), RUNNER_DEBUG: '1' });
  expect(run.code).toBe(0);
  expect(debugLines(run)).toContain('keyless-aws: debug: flow: STS AssumeRoleWithWebIdentity');
  assertNoSecretLeak(run.stdout + run.stderr, secrets());
});

test('without debug, none of these lines', async () => {
  const run = await cliRun(['exec', '--', ...PRINT_KEY_ID], github.env());
  expect(run.code).toBe(0);
  expect(run.stderr).not.toContain('debug');
});

test('the action under RUNNER_DEBUG=1: ::debug:: lines, escaped, and no secret', async () => {
  const forged = 'sts.amazonaws.com%0A::error::forged';
  const run = await runAction({
    inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, audience: forged },
    env: { ...github.env(), AWS_ENDPOINT_URL_STS: sts.url, RUNNER_DEBUG: '1' },
  });
  expect(run.code).toBe(0);
  const lines = run.stdout.split('\n').filter((line) => line.startsWith('::debug::'));
  expect(lines).toEqual(
    expect.arrayContaining([
      `::debug::setting role-to-assume from input "role-to-assume": ${ROLE}`,
      // The runner would decode %0A into a line break; escaped, it stays part of the one debug message.
      '::debug::setting audience from input "audience": sts.amazonaws.com%250A::error::forged',
      '::debug::token source: github (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN present); auto: the action takes web-identity-token-file, else the GitHub token',
      '::debug::flow: STS AssumeRoleWithWebIdentity',
      expect.stringMatching(/^::debug::HTTP POST http:\/\/127\.0\.0\.1:\d+ \(STS\): HTTP 200, \d+ bytes in \d+ ms$/),
      expect.stringMatching(
        /^::debug::sink: AWS_REGION, .*AWS_SESSION_TOKEN.* to GITHUB_ENV; outputs to GITHUB_OUTPUT/,
      ),
    ]),
  );
  expect(run.stdout).not.toMatch(/^::error::/m);
  assertNoSecretLeak(run.stdout + run.stderr, secrets());
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

test('the action with access keys: the secret input named but not shown, each AssumeRole attempt and call', async () => {
  const secretKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYdebug';
  const run = await runAction({
    inputs: {
      'aws-region': 'us-east-1',
      'role-to-assume': ROLE,
      'aws-access-key-id': 'AKIAIOSFODNN7DEBUGXX',
      'aws-secret-access-key': secretKey,
    },
    env: { AWS_ENDPOINT_URL_STS: sts.url, RUNNER_DEBUG: '1' },
  });
  expect(run.code).toBe(0);
  const lines = run.stdout.split('\n').filter((line) => line.startsWith('::debug::'));
  expect(lines).toEqual(
    expect.arrayContaining([
      '::debug::setting aws-secret-access-key from input "aws-secret-access-key": (secret, not shown)',
      '::debug::credentials: the access keys given, which sign STS AssumeRole',
      '::debug::attempt 1 of 12',
      '::debug::flow: STS AssumeRole',
    ]),
  );
  assertNoSecretLeak(run.stdout + run.stderr, [...secrets(), secretKey]);
});
