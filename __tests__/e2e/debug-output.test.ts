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
          `^keyless-aws: debug: HTTP GET ${escape(new URL(github.url).origin)}/\\S* \\(the GitHub ID-token endpoint\\): HTTP 200, \\d+ bytes in \\d+ ms$`,
        ),
      ),
      'keyless-aws: debug: flow: STS AssumeRoleWithWebIdentity',
      expect.stringMatching(
        new RegExp(`^keyless-aws: debug: HTTP POST ${escape(sts.url)} \\(STS\\): HTTP 200, \\d+ bytes in \\d+ ms$`),
      ),
      'keyless-aws: debug: sink: AWS_* variables in the environment of node only; no file written',
    ]),
  );
  expect(run.stderr).not.toContain('?');
  assertNoSecretLeak(run.stdout + run.stderr, secrets());
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
