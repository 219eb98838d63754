/**
 * Black box: credentials that outlive one STS session. A real consumer — the AWS SDK for JavaScript's
 * process-credentials provider — runs the credential_process line keyless-aws wrote, gets short-lived credentials,
 * and after they expire gets new ones, minted from a new CI token. Both for the CLI's `profile --refreshable` (a
 * Jenkins agent) and the action's `refreshable-credentials` (a later workflow step).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { assertNoSecretLeak } from '../support/leak-check';
import { cleanupRuns, DIST_MAIN, ROOT, runAction, runPost } from '../support/run-dist';
import { type StsFake, startStsFake } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const execFileAsync = promisify(execFile);
const ROLE = 'arn:aws:iam::111122223333:role/long-job';
const SHORT_SESSION_SECONDS = 2;

let sts: StsFake;
let github: TokenEndpoint;
let jenkins: TokenEndpoint;

beforeAll(async () => {
  sts = await startStsFake();
  github = await startTokenEndpoint();
  jenkins = await startTokenEndpoint({ query: null, claims: { sub: 'https://jenkins.example.com/job/long/' } });
});
afterAll(async () => {
  cleanupCliDirs();
  cleanupRuns();
  await Promise.all([sts.close(), github.close(), jenkins.close()]);
});
beforeEach(() => {
  sts.reset();
  github.reset();
  jenkins.reset();
  // Every session lasts two seconds: long enough for the SDK to accept it, short enough to watch it lapse.
  sts.setDefault({ kind: 'allow', expiresIn: SHORT_SESSION_SECONDS });
});

function secrets(): string[] {
  return [...sts.secrets(), ...github.secrets(), ...jenkins.secrets()];
}

const minted = (endpoint: TokenEndpoint) => endpoint.requests.filter((r) => r.jwt !== undefined).length;

interface Refresh {
  readonly first: { accessKeyId: string; sessionToken: string; expiration: string; accountId?: string };
  readonly second: { accessKeyId: string; sessionToken: string; expiration: string };
  readonly checkedAt: string;
}

/**
 * A program of the job using the SDK the way a long-running client does: credentials from the profile's
 * credential_process, then, once they have expired, credentials again from a new provider instance. It runs as its
 * own process because the SDK starts credential_process with its process's environment, which is the job's.
 */
async function refreshInSdk(env: Record<string, string>, cwd: string, profile?: string): Promise<Refresh> {
  const sdk = join(ROOT, 'node_modules', '@aws-sdk', 'credential-provider-process');
  const script = `
    const { fromProcess } = require(${JSON.stringify(sdk)});
    const init = ${JSON.stringify(profile ? { profile } : {})};
    const pick = (c) => ({ accessKeyId: c.accessKeyId, sessionToken: c.sessionToken, expiration: c.expiration.toISOString(), accountId: c.accountId });
    (async () => {
      const first = await fromProcess(init)();
      if (first.expiration.getTime() <= Date.now()) throw new Error('already expired');
      await new Promise((r) => setTimeout(r, first.expiration.getTime() - Date.now() + 50));
      const second = await fromProcess(init)();
      process.stdout.write(JSON.stringify({ first: pick(first), second: pick(second), checkedAt: new Date().toISOString() }));
    })().catch((e) => { process.stderr.write(String(e.message)); process.exit(1); });`;
  const { stdout, stderr } = await execFileAsync(process.execPath, ['-e', script], { env, cwd, encoding: 'utf8' });
  assertNoSecretLeak(stderr, secrets());
  return JSON.parse(stdout) as Refresh;
}

test('CLI profile --refreshable: the SDK gets new credentials after the first ones expire', async () => {
  const dir = cliDir();
  const configFile = join(dir, 'aws', 'config');
  const credentialsFile = join(dir, 'aws', 'credentials');
  const written = await runCli(
    ['profile', '--aws-profile', 'long-job', '--refreshable', '--token-source', 'jenkins', '--role-to-assume', ROLE],
    {
      env: {
        ...cliEnv(dir),
        ...jenkins.env('jenkins'),
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_STS: sts.url,
        AWS_CONFIG_FILE: configFile,
        AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      },
    },
  );
  expect(written.code).toBe(0);
  assertNoSecretLeak(written.stdout + written.stderr + readFileSync(configFile, 'utf8'), secrets());
  const mintedAtStart = minted(jenkins);

  const { first, second, checkedAt } = await refreshInSdk(
    {
      ...cliEnv(dir),
      ...jenkins.env('jenkins'),
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    },
    dir,
    'long-job',
  );
  // The first credentials had expired when the second were fetched.
  expect(Date.parse(first.expiration)).toBeLessThan(Date.parse(checkedAt));
  expect(first.accountId).toBe('111122223333');
  expect(second.accessKeyId).not.toBe(first.accessKeyId);
  expect(second.sessionToken).not.toBe(first.sessionToken);
  expect(Date.parse(second.expiration)).toBeGreaterThan(Date.parse(checkedAt) - 1000);
  // Each refresh was a new exchange from a new CI token.
  expect(minted(jenkins)).toBe(mintedAtStart + 2);
  const jtis = sts.requests.map((r) => r.jti);
  expect(new Set(jtis).size).toBe(jtis.length);
  const byKey = new Map(sts.issued.map((c) => [c.accessKeyId, c]));
  expect(byKey.get(second.accessKeyId)?.sessionToken).toBe(second.sessionToken);
});

test('action refreshable-credentials: a later step’s SDK refreshes through the GitHub token endpoint', async () => {
  const main = await runAction({
    inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, 'refreshable-credentials': 'true' },
    env: { ...github.env(), AWS_ENDPOINT_URL_STS: sts.url },
  });
  expect(main.code).toBe(0);
  // Fail fast: the role was assumed once in the action itself.
  expect(sts.requests).toHaveLength(1);
  assertNoSecretLeak(main.stdout + main.stderr, secrets());

  const runnerTemp = main.childEnv.RUNNER_TEMP!;
  const configFile = main.env.AWS_CONFIG_FILE!;
  expect(dirname(dirname(configFile))).toBe(runnerTemp);
  expect(configFile).toMatch(/\/keyless-aws-[0-9a-f]{16}\/config$/);
  expect(statSync(configFile).mode & 0o777).toBe(0o600);
  expect(statSync(dirname(configFile)).mode & 0o777).toBe(0o700);
  expect(main.env.AWS_PROFILE).toBe('keyless-aws');
  expect(main.env.AWS_SHARED_CREDENTIALS_FILE).toBe(join(dirname(configFile), 'credentials'));
  // No static keys: blank ones override any an earlier step exported.
  expect(main.env.AWS_ACCESS_KEY_ID).toBe('');
  expect(main.env.AWS_SECRET_ACCESS_KEY).toBe('');
  expect(main.env.AWS_SESSION_TOKEN).toBe('');
  const config = readFileSync(configFile, 'utf8');
  assertNoSecretLeak(config, secrets());
  const line = /^credential_process = (.*)$/m.exec(config)![1]!;
  expect(line.startsWith(`${process.execPath} ${DIST_MAIN} credential-process `)).toBe(true);
  expect(line).toContain('--token-source github');
  expect(line).toContain('--role-session-name GitHubActions');
  expect(config).toMatch(/^\[profile keyless-aws\]\nregion = us-east-1\n/);

  // A later step: the job environment (ACTIONS_ID_TOKEN_REQUEST_* are per-job) plus what the action exported.
  const laterStep: Record<string, string> = { ...main.childEnv, ...main.env };
  for (const name of ['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STATE']) delete laterStep[name];
  for (const [name, value] of Object.entries(laterStep)) if (value === '') delete laterStep[name];
  const mintedBefore = minted(github);
  const { first, second } = await refreshInSdk(laterStep, main.dir);
  expect(first.accessKeyId).not.toBe(second.accessKeyId);
  expect(sts.issued.map((c) => c.accessKeyId)).toEqual(expect.arrayContaining([first.accessKeyId, second.accessKeyId]));
  expect(minted(github)).toBe(mintedBefore + 2);
  expect(github.requests.at(-1)!.audience).toBe('sts.amazonaws.com');
  expect(sts.requests.at(-1)!.params.RoleSessionName).toBe('GitHubActions');

  // The post step removes the profile file and its private directory.
  expect(existsSync(dirname(configFile))).toBe(true);
  const post = await runPost(main);
  expect(post.code).toBe(0);
  expect(existsSync(dirname(configFile))).toBe(false);
});

test('action refreshable-credentials without an ID token fails before anything is written', async () => {
  const main = await runAction({
    inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, 'refreshable-credentials': 'true' },
    env: { AWS_ENDPOINT_URL_STS: sts.url },
  });
  expect(main.code).not.toBe(0);
  expect(main.stdout).toContain('Refreshable credentials need a CI OIDC token');
  expect(main.raw.env).toBe('');
  expect(readdirSync(main.childEnv.RUNNER_TEMP!)).toEqual([]);
  expect(sts.requests).toHaveLength(0);
});
