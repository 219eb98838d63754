/**
 * Black box: the AWS CLI as a real consumer of every way `node dist/index.js` delivers credentials — exec, a dotenv
 * file, a static profile and a credential_process profile. Each time the AWS CLI (botocore, a signer independent of
 * the JavaScript SDK) calls `sts get-caller-identity` against the emulator, which verifies the SigV4 signature with
 * the secret it issued and answers with the assumed role's ARN.
 *
 * The token comes from the keyless-aws token service on loopback, once as GitHub's endpoint (`--token-source github`,
 * `ACTIONS_ID_TOKEN_REQUEST_URL=<token_url>?api-version=2.0`, claims of a GitHub run) and once as the Jenkins one.
 * Every child gets a constructed environment (nothing from this machine's AWS_* variables or ~/.aws), a HOME in a
 * temp dir and AWS_EC2_METADATA_DISABLED=true.
 *
 * CI installs the AWS CLI (.ci/run: Debian's awscli v2 at /usr/bin/aws); without it these tests fail with the install
 * command (__tests__/support/aws-cli.ts), never skip.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { awsCliPath } from '../support/aws-cli';
import {
  assertNothingSecret,
  assumedRoleArn,
  closeAll,
  credentialsFromVariables,
  GITHUB_ISSUER,
  githubRunClaims,
  JENKINS_ISSUER,
  parseDotenv,
  physicalId,
  REGION,
  type Registration,
  startTemplates,
  startTokenService,
  type TokenService,
  template,
} from './support/chain';

interface AwsRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let aws: string;
let github: TokenService;
let jenkins: TokenService;
let emulatorUrl: string;
let githubRole: string;
let jenkinsRole: string;

beforeAll(async () => {
  aws = awsCliPath();
  github = await startTokenService('github', ['sts.amazonaws.com'], GITHUB_ISSUER);
  jenkins = await startTokenService('jenkins', ['sts.amazonaws.com'], JENKINS_ISSUER);
  const emulator = await startTemplates([
    template('github-oidc.yml', github),
    template('jenkins/jenkins-oidc.yml', jenkins),
  ]);
  emulatorUrl = emulator.url;
  githubRole = physicalId(emulator, 'GitHubDeployRole');
  jenkinsRole = physicalId(emulator, 'JenkinsDeployRole');
}, 30_000);

afterAll(async () => {
  cleanupCliDirs();
  await closeAll();
});

/** PATH for children: the AWS CLI's directory, node's, and the system's (the CLI's interpreter lives there). */
function childPath(): string {
  return [dirname(aws), dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter);
}

/**
 * The environment the AWS CLI runs with: only what is given, plus a private HOME (so no ~/.aws of this machine is
 * read), no instance-metadata probing and no pager. A pyenv shim (an `aws` found on PATH) needs its root.
 */
function awsEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: childPath(),
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    ...extra,
  };
  return env;
}

function runAws(args: readonly string[], env: Record<string, string>): Promise<AwsRun> {
  return new Promise((done) => {
    execFile(aws, [...args], { env, timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

const callerIdentityArgs = () => [
  'sts',
  'get-caller-identity',
  '--endpoint-url',
  emulatorUrl,
  '--region',
  REGION,
  '--output',
  'json',
];

function arnOf(stdout: string): string {
  return (JSON.parse(stdout) as { Arn?: string }).Arn ?? '(no Arn)';
}

/** A GitHub job's step environment: the runner's ID-token request pair (the URL carries a query already). */
function githubStepEnv(dir: string, build: Registration): Record<string, string> {
  return {
    ...cliEnv(dir),
    PATH: childPath(),
    ACTIONS_ID_TOKEN_REQUEST_URL: `${build.token_url}?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: build.request_token,
    AWS_ENDPOINT_URL_STS: emulatorUrl,
  };
}

/** The variables a Jenkins `sh` step sees inside withAwsIdToken. */
function jenkinsBuildVariables(build: Registration, buildNumber: number): Record<string, string> {
  return {
    JENKINS_URL: 'https://jenkins.example.com/',
    JOB_NAME: 'payments/deploy',
    JOB_BASE_NAME: 'deploy',
    BUILD_NUMBER: String(buildNumber),
    JENKINS_ID_TOKEN_REQUEST_URL: build.token_url,
    JENKINS_ID_TOKEN_REQUEST_TOKEN: build.request_token,
  };
}

function secrets(): string[] {
  return [...github.secrets(), ...jenkins.secrets()];
}

test('exec -- aws: the AWS CLI signs with the exec’d credentials; the CLI exits with aws’s exit code', async () => {
  const dir = cliDir();
  const build = await github.register(githubRunClaims('acme/app'));
  const env = githubStepEnv(dir, build);
  const flags = ['--token-source', 'github', '--role-to-assume', githubRole, '--aws-region', REGION];

  const ok = await runCli(
    ['exec', ...flags, '--role-session-name', 'aws-cli-exec', '--', aws, ...callerIdentityArgs()],
    { env, killAfterMs: 60_000 },
  );
  expect(ok.stderr).not.toMatch(/error/i);
  expect(ok.code).toBe(0);
  expect(arnOf(ok.stdout)).toBe(assumedRoleArn(githubRole, 'aws-cli-exec'));
  assertNothingSecret(ok.stderr, secrets());

  // A call the emulator refuses (the role trusts only web identities): aws fails with its service-error code, and
  // exec hands that code back unchanged. The same command run by aws directly, with credentials from `env`, agrees.
  const refused = [
    'sts',
    'assume-role',
    '--role-arn',
    githubRole,
    '--role-session-name',
    'nested',
    '--endpoint-url',
    emulatorUrl,
    '--region',
    REGION,
  ];
  const viaExec = await runCli(['exec', ...flags, '--', aws, ...refused], { env, killAfterMs: 60_000 });
  const printed = await runCli(['env', '--format', 'json', ...flags], { env });
  expect(printed.code).toBe(0);
  const direct = await runAws(refused, awsEnv(join(dir, 'home'), JSON.parse(printed.stdout) as Record<string, string>));
  expect(direct.stderr).toContain('AccessDenied');
  expect(direct.code).not.toBe(0);
  expect(viaExec.code).toBe(direct.code);
  expect(viaExec.stderr).toContain('AccessDenied');
  assertNothingSecret(viaExec.stderr + direct.stderr, secrets());
}, 60_000);

test('env --format dotenv --output-file: the file’s variables are all the AWS CLI needs', async () => {
  const dir = cliDir();
  const build = await jenkins.register({ job: 'payments/deploy', build_number: 101, branch: 'main' });
  const file = join(dir, 'workspace', 'aws.env');
  const run = await runCli(
    [
      'env',
      '--format',
      'dotenv',
      '--output-file',
      file,
      '--token-source',
      'jenkins',
      '--role-to-assume',
      jenkinsRole,
      '--aws-region',
      REGION,
    ],
    { env: { ...cliEnv(dir), ...jenkinsBuildVariables(build, 101), AWS_ENDPOINT_URL_STS: emulatorUrl } },
  );
  expect(run.code).toBe(0);
  expect(run.stdout).toBe('');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const vars = parseDotenv(readFileSync(file, 'utf8'));
  expect(Object.keys(vars).sort()).toEqual([
    'AWS_ACCESS_KEY_ID',
    'AWS_CREDENTIAL_EXPIRATION',
    'AWS_DEFAULT_REGION',
    'AWS_REGION',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
  ]);

  const result = await runAws(callerIdentityArgs(), awsEnv(join(dir, 'home'), vars));
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(arnOf(result.stdout)).toBe(assumedRoleArn(jenkinsRole, 'Jenkins-deploy-101'));
  const { secretAccessKey, sessionToken } = credentialsFromVariables(vars);
  assertNothingSecret(run.stderr, [...secrets(), secretAccessKey, sessionToken]);
}, 60_000);

test('profile --aws-profile ci: `aws --profile ci` signs with the static keys written to the shared files', async () => {
  const dir = cliDir();
  mkdirSync(join(dir, 'aws'));
  const files = {
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws', 'credentials'),
    AWS_CONFIG_FILE: join(dir, 'aws', 'config'),
  };
  const build = await github.register(githubRunClaims('acme/app'));
  const run = await runCli(
    [
      'profile',
      '--aws-profile',
      'ci',
      '--token-source',
      'github',
      '--role-to-assume',
      githubRole,
      '--aws-region',
      REGION,
      '--role-session-name',
      'aws-cli-profile',
    ],
    { env: { ...githubStepEnv(dir, build), ...files } },
  );
  expect(run.code).toBe(0);
  expect(run.stdout).toBe('');
  const credentials = readFileSync(files.AWS_SHARED_CREDENTIALS_FILE, 'utf8');
  expect(credentials).toMatch(/^\[ci\]$/m);
  expect(credentials).toMatch(/^aws_session_token\s*=/m);
  expect(readFileSync(files.AWS_CONFIG_FILE, 'utf8')).toMatch(/^\[profile ci\]$/m);

  // The profile carries the region too; only the endpoint is given.
  const result = await runAws(
    ['--profile', 'ci', 'sts', 'get-caller-identity', '--endpoint-url', emulatorUrl, '--output', 'json'],
    awsEnv(join(dir, 'home'), files),
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(arnOf(result.stdout)).toBe(assumedRoleArn(githubRole, 'aws-cli-profile'));
  assertNothingSecret(run.stderr, secrets());
}, 60_000);

test('profile --refreshable: the AWS CLI runs credential-process itself, which mints a fresh token; no secret on disk', async () => {
  const dir = cliDir();
  mkdirSync(join(dir, 'aws'));
  const files = {
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws', 'credentials'),
    AWS_CONFIG_FILE: join(dir, 'aws', 'config'),
  };
  const build = await jenkins.register({ job: 'payments/deploy', build_number: 102, branch: 'main' });
  const buildVariables = jenkinsBuildVariables(build, 102);
  const run = await runCli(
    [
      'profile',
      '--aws-profile',
      'ci',
      '--refreshable',
      '--token-source',
      'jenkins',
      '--role-to-assume',
      jenkinsRole,
      '--aws-region',
      REGION,
    ],
    { env: { ...cliEnv(dir), ...buildVariables, ...files, AWS_ENDPOINT_URL_STS: emulatorUrl } },
  );
  expect(run.code).toBe(0);
  const config = readFileSync(files.AWS_CONFIG_FILE, 'utf8');
  expect(config).toMatch(/^\[profile ci\]$/m);
  expect(config).toMatch(/^credential_process\s*=.*credential-process .*--token-source jenkins/m);
  // Paths and settings only: no key, no session token, no request token, nothing shaped like a JWT.
  expect(config).not.toMatch(/aws_secret_access_key|aws_session_token|aws_access_key_id/);
  assertNothingSecret(config, secrets());
  expect(
    existsSync(files.AWS_SHARED_CREDENTIALS_FILE) ? readFileSync(files.AWS_SHARED_CREDENTIALS_FILE, 'utf8') : '',
  ).not.toMatch(/\[ci\]/);

  // A later `sh` step: the build's variables and the file paths, and not AWS_ENDPOINT_URL_STS — the line carries
  // every setting of the exchange, the STS endpoint included.
  const mintedBefore = jenkins.minted();
  const result = await runAws(
    ['--profile', 'ci', 'sts', 'get-caller-identity', '--endpoint-url', emulatorUrl, '--output', 'json'],
    awsEnv(join(dir, 'home'), { ...buildVariables, ...files }),
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(arnOf(result.stdout)).toBe(assumedRoleArn(jenkinsRole, 'Jenkins-deploy-102'));
  expect(jenkins.minted()).toBe(mintedBefore + 1);
  assertNothingSecret(run.stderr + result.stderr, secrets());
}, 60_000);
