/**
 * Black box: the `sh -x` warning. One warning on stderr, naming the case and the fix, wherever a shell's xtrace would
 * print a secret we hand over; none for the safe uses (`exec -- aws …`, a traced script that never expands a secret).
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type CliRun, cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { assertNoSecretLeak } from '../support/leak-check';
import { DIST_MAIN } from '../support/run-dist';
import { type StsFake, startStsFake } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const execFileAsync = promisify(execFile);
const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const PATH = `${dirname(process.execPath)}:/usr/bin:/bin`;
const WARNING = /^keyless-aws: warning: the shell traces commands/;

let sts: StsFake;
let github: TokenEndpoint;

beforeAll(async () => {
  sts = await startStsFake();
  github = await startTokenEndpoint();
});
afterAll(async () => {
  cleanupCliDirs();
  await Promise.all([sts.close(), github.close()]);
});

function env(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...cliEnv(dir),
    PATH,
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_REGION: 'eu-west-1',
    AWS_ROLE_ARN: ROLE,
    ...github.env(),
    ...extra,
  };
}

function warnings(stderr: string): string[] {
  return stderr.split('\n').filter((line) => WARNING.test(line));
}

async function cli(args: readonly string[], extra: Record<string, string> = {}): Promise<CliRun> {
  const dir = cliDir();
  const run = await runCli(args, { env: env(dir, extra), cwd: join(dir, 'workspace') });
  expect(run.code).toBe(0);
  assertNoSecretLeak(run.stderr, [...sts.secrets(), ...github.secrets()]);
  return run;
}

describe('env (export lines for eval or .)', () => {
  test('under Jenkins', async () => {
    const run = await cli(['env'], { JENKINS_URL: 'https://jenkins.example.com/', BUILD_NUMBER: '1', JOB_NAME: 'j' });
    expect(warnings(run.stderr)).toEqual([
      expect.stringMatching(/\(Jenkins runs sh steps with sh -x\): eval or `\.` .*\{ set \+x; \} 2>\/dev\/null.*exec/),
    ]);
  });

  test('with xtrace in SHELLOPTS', async () => {
    const run = await cli(['env'], { SHELLOPTS: 'braceexpand:hashall:interactive-comments:xtrace' });
    expect(warnings(run.stderr)).toEqual([expect.stringMatching(/\(SHELLOPTS has xtrace\)/)]);
  });

  test('called from a shell started with -x (eval "$(keyless-aws env)")', async () => {
    const dir = cliDir();
    const errFile = join(dir, 'stderr');
    await execFileAsync('sh', ['-xc', 'out=$(node "$1" env 2>"$2"); exit 0', 'sh', DIST_MAIN, errFile], {
      env: env(dir),
    });
    const stderr = readFileSync(errFile, 'utf8');
    expect(warnings(stderr)).toEqual([expect.stringMatching(/\(the calling shell runs with -x\)/)]);
    assertNoSecretLeak(stderr, [...sts.secrets(), ...github.secrets()]);
  });

  test('not from a shell without -x, nor for formats nobody evals', async () => {
    const dir = cliDir();
    const errFile = join(dir, 'stderr');
    await execFileAsync('sh', ['-c', 'out=$(node "$1" env 2>"$2"); exit 0', 'sh', DIST_MAIN, errFile], {
      env: env(dir),
    });
    expect(readFileSync(errFile, 'utf8')).not.toContain('warning');
    const json = await cli(['env', '--format', 'json'], { SHELLOPTS: 'xtrace' });
    expect(json.stderr).not.toContain('warning');
  });
});

describe('exec starting a traced shell that expands a secret', () => {
  // Each script exits before the expansion, so the trace itself holds no secret and the leak check stays meaningful.
  test('sh -xc', async () => {
    const run = await cli(['exec', '--', 'sh', '-xc', 'exit 0; curl -H "x: $AWS_SECRET_ACCESS_KEY" x']);
    expect(warnings(run.stderr)).toEqual([
      expect.stringMatching(/\(sh runs with -x\) and its script expands \$AWS_SECRET_ACCESS_KEY: .*Drop -x/),
    ]);
  });

  test('set -x inside a bash -c script', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's ${…}, not a template.
    const run = await cli(['exec', '--', 'bash', '-c', 'set -eux; exit 0; echo "${AWS_SESSION_TOKEN}"']);
    expect(warnings(run.stderr)).toEqual([expect.stringMatching(/\(the script runs set -x\).*\$AWS_SESSION_TOKEN/)]);
  });

  test('sh -x with a script file', async () => {
    const dir = cliDir();
    const script = join(dir, 'workspace', 'deploy.sh');
    writeFileSync(script, 'exit 0\ndocker login -p "$AWS_SECRET_ACCESS_KEY"\n');
    const run = await runCli(['exec', '--', 'sh', '-xe', 'deploy.sh'], {
      env: env(dir),
      cwd: join(dir, 'workspace'),
    });
    expect(run.code).toBe(0);
    expect(warnings(run.stderr)).toEqual([expect.stringMatching(/\(sh runs with -x\)/)]);
  });

  test('bash with xtrace in SHELLOPTS', async () => {
    const run = await cli(['exec', '--', 'bash', '-c', 'exit 0; echo $AWS_SESSION_TOKEN'], { SHELLOPTS: 'xtrace' });
    expect(warnings(run.stderr)).toEqual([expect.stringMatching(/\(SHELLOPTS has xtrace, which bash takes on\)/)]);
  });

  test("a script on stdin (sh -xs) stays the program's: not read to look for the variables", async () => {
    const dir = cliDir();
    const run = await runCli(['exec', '--', 'sh', '-xs'], {
      env: env(dir),
      stdin: 'echo ran-from-stdin\nexit 0\necho "$AWS_SECRET_ACCESS_KEY"\n',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ran-from-stdin\n');
    expect(run.stderr).not.toContain('warning');
  });

  test('never for the safe uses', async () => {
    for (const program of [
      ['node', '-e', 'process.env.AWS_SECRET_ACCESS_KEY'],
      ['sh', '-xc', 'exit 0; aws sts get-caller-identity'],
      ['sh', '-c', 'exit 0; echo "$AWS_SECRET_ACCESS_KEY"'],
    ]) {
      const run = await cli(['exec', '--', ...program]);
      expect(run.stderr).not.toContain('warning');
    }
  });
});
