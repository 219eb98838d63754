/**
 * Black box (issue 10 §5): values from outside (token claims, STS error text) that hold line breaks and workflow
 * commands are printed inert. stdout and stderr are read the way the runner reads them (one command per line, both
 * command syntaxes) and nothing but our own commands may appear. Build first: `node scripts/build.mjs index`.
 */
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { cleanupRuns, type RunResult, runAction } from '../support/run-dist';
import { runnerCommands } from '../support/runner-commands';
import { type StsFake, startStsFake, stsError } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const HOSTILE_CLAIMS = {
  sub: 'repo:octo-org/octo-repo:ref:refs/heads/main\n::add-mask::repo',
  repository: '::stop-commands::pwned',
  ref: 'refs/heads/x\r::add-path::/tmp/evil',
  environment: 'prod%0A::set-env name=NODE_OPTIONS::--require=/tmp/evil.js',
  job_workflow_ref: 'o/r/.github/workflows/x.yml@##[set-output name=role]arn:aws:iam::999999999999:role/admin',
  actor: '  ::error::fake',
};

let sts: StsFake;
let github: TokenEndpoint;

beforeAll(async () => {
  sts = await startStsFake();
  github = await startTokenEndpoint({ claims: HOSTILE_CLAIMS });
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

const run = (inputs: Record<string, string> = {}) =>
  runAction({
    inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, ...inputs },
    env: { ...github.env(), AWS_ENDPOINT_URL_STS: sts.url },
  });

/** Our commands only: masks of the secrets we were handed, and the one annotation of a failure. */
function expectOnlyOurCommands(result: RunResult, annotations: string[]): void {
  const commands = runnerCommands(`${result.stdout}\n${result.stderr}`);
  const secrets = new Set([...github.secrets(), ...sts.secrets()]);
  for (const command of commands.filter((c) => c.name === 'add-mask')) expect(secrets).toContain(command.data);
  expect(commands.filter((c) => c.name !== 'add-mask').map((c) => c.name)).toEqual(annotations);
}

test('a successful run prints hostile claims inert', async () => {
  const result = await run();
  expect(result.code).toBe(0);
  expectOnlyOurCommands(result, []);
  expect(result.stdout).toContain('sub repo:octo-org/octo-repo:ref:refs/heads/main\\n::add-mask::repo)');
});

test('a denial shows the hostile claims and STS text inside its one ::error:: annotation only', async () => {
  sts.setDefault(
    stsError.accessDenied('Not authorized\n::add-mask::111122223333\n::stop-commands::t\n##[add-path]/tmp/evil'),
  );
  const result = await run();
  expect(result.code).toBe(1);
  expectOnlyOurCommands(result, ['error']);
  const [error] = runnerCommands(result.stdout).filter((c) => c.name === 'error');
  // Decoded, the annotation still shows every claim, each on its own line of the explanation.
  expect(error!.data).toContain('repository: ::stop-commands::pwned');
  expect(error!.data).toContain('sub: repo:octo-org/octo-repo:ref:refs/heads/main\\n::add-mask::repo');
  expect(error!.data).not.toMatch(/\n::add-mask::repo/);
});

test('the CLI inside a GitHub job prints the same claims inert (token command, text and JSON)', async () => {
  const dir = cliDir();
  const env = { ...cliEnv(dir), ...github.env(), GITHUB_ACTIONS: 'true' };
  const text = await runCli(['token'], { env });
  expect(text.code).toBe(0);
  expect(runnerCommands(`${text.stdout}\n${text.stderr}`)).toEqual([]);
  expect(text.stdout).toContain('  sub: repo:octo-org/octo-repo:ref:refs/heads/main\\n::add-mask::repo\n');
  expect(text.stdout).toContain('  job_workflow_ref: o/r/.github/workflows/x.yml@##%5Bset-output');
  const json = await runCli(['token', '--format', 'json'], { env });
  expect(json.code).toBe(0);
  expect(runnerCommands(json.stdout)).toEqual([]);
  expect(JSON.parse(json.stdout).claims).toMatchObject(HOSTILE_CLAIMS);
});

test('a CLI failure on stderr carries the hostile STS text inert', async () => {
  sts.setDefault(stsError.accessDenied('Not authorized\n::add-mask::111122223333\n::stop-commands::t'));
  const dir = cliDir();
  const result = await runCli(['credential-process', '--role-to-assume', ROLE, '--aws-region', 'us-east-1'], {
    env: { ...cliEnv(dir), ...github.env(), AWS_ENDPOINT_URL_STS: sts.url, GITHUB_ACTIONS: 'true' },
  });
  expect(result.code).toBe(4);
  expect(runnerCommands(`${result.stdout}\n${result.stderr}`)).toEqual([]);
  expect(result.stderr).toContain('Not authorized\\n::add-mask::111122223333');
});

test('every line the CLI prints on stderr is one of its own lines, whatever the claims hold', async () => {
  const dir = cliDir();
  const result = await runCli(['env', '--format', 'json', '--role-to-assume', ROLE, '--aws-region', 'us-east-1'], {
    env: { ...cliEnv(dir), ...github.env(), AWS_ENDPOINT_URL_STS: sts.url, GITHUB_ACTIONS: 'true' },
  });
  expect(result.code).toBe(0);
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line).toMatch(/^keyless-aws: /);
  expect(runnerCommands(result.stderr)).toEqual([]);
});
