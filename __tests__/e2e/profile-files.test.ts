/**
 * Black box: the profile files and the runner files as shared, fallible resources. Sixteen `dist/index.js profile`
 * processes writing one pair of files at the same instant; a write that fails part-way (a name too long for the
 * temp file, a runner file that is a directory) leaving every file byte for byte as it was; and the post step
 * (`dist/cleanup/index.js`) putting back what the action overwrote and leaving nothing it created.
 */

import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { assertNoSecretLeak } from '../support/leak-check';
import { cleanupRuns, makeRunDir, runAction, runPost } from '../support/run-dist';
import { type StsFake, startStsFake } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const WRITERS = 16;

let sts: StsFake;
let github: TokenEndpoint;

beforeAll(async () => {
  sts = await startStsFake();
  github = await startTokenEndpoint();
});
afterAll(async () => {
  cleanupCliDirs();
  cleanupRuns();
  await Promise.all([sts.close(), github.close()]);
});
beforeEach(() => {
  sts.reset();
  github.reset();
});

const secrets = () => [...sts.secrets(), ...github.secrets()];

function cliProfileEnv(dir: string, files: { config: string; credentials: string }, stsUrl = sts.url) {
  return {
    ...cliEnv(dir),
    ...github.env(),
    AWS_ENDPOINT_URL_STS: stsUrl,
    AWS_REGION: 'eu-west-1',
    AWS_ROLE_ARN: ROLE,
    AWS_CONFIG_FILE: files.config,
    AWS_SHARED_CREDENTIALS_FILE: files.credentials,
  };
}

/**
 * A loopback relay in front of STS that holds every request until `count` have arrived (or 10 s passed), then lets
 * them all through at once: the writers then reach their profile files within the same few milliseconds.
 */
async function startBarrier(count: number, target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const waiting: Array<() => void> = [];
  const releaseAll = () => {
    for (const go of waiting.splice(0)) go();
  };
  const timer = setTimeout(releaseAll, 10_000);
  const server: Server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      waiting.push(() => {
        const forward = request(target, { method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        forward.on('error', () => res.destroy());
        forward.end(Buffer.concat(body));
      });
      if (waiting.length >= count) releaseAll();
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      clearTimeout(timer);
      return new Promise((done) => server.close(() => done()));
    },
  };
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

test(`${WRITERS} concurrent profile writers: every section present once, comments and other profiles kept, CRLF kept`, async () => {
  const dir = cliDir();
  const aws = join(dir, 'aws');
  mkdirSync(aws);
  const files = { config: join(aws, 'config'), credentials: join(aws, 'credentials') };
  // Written on Windows, and large enough (a few hundred profiles) that a read-modify-write takes a while.
  const filler = Array.from({ length: 400 }, (_, i) => `[team-${i}]\r\naws_access_key_id = AKIATEAM${i}\r\n`).join('');
  const credentialsBefore = `# team credentials, keep me\r\n[other]\r\naws_access_key_id = AKIAOTHER\r\n${filler}`;
  const configBefore = '; shared config\r\n[profile other]\r\nregion = us-west-2\r\n';
  writeFileSync(files.credentials, credentialsBefore);
  writeFileSync(files.config, configBefore);

  const barrier = await startBarrier(WRITERS, sts.url);
  try {
    const runs = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        runCli(['profile', '--aws-profile', `writer-${i}`], {
          env: cliProfileEnv(dir, files, barrier.url),
          killAfterMs: 60_000,
        }),
      ),
    );
    for (const run of runs) {
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      assertNoSecretLeak(run.stdout + run.stderr, secrets());
    }
  } finally {
    await barrier.close();
  }

  const credentials = readFileSync(files.credentials, 'utf8');
  const config = readFileSync(files.config, 'utf8');
  expect(credentials.startsWith(credentialsBefore)).toBe(true);
  expect(config.startsWith(configBefore)).toBe(true);
  for (let i = 0; i < WRITERS; i++) {
    expect(count(credentials, `[writer-${i}]\r\n`)).toBe(1);
    expect(count(config, `[profile writer-${i}]\r\n`)).toBe(1);
  }
  // Each writer's keys are the ones STS issued to some writer, every issued key id is there exactly once.
  for (const issued of sts.issued) expect(count(credentials, `aws_access_key_id = ${issued.accessKeyId}\r\n`)).toBe(1);
  for (const text of [credentials, config]) expect(text.replace(/\r\n/g, '')).not.toContain('\n');
  // No lock, guard or temp file left behind.
  expect(readdirSync(aws).sort()).toEqual(['config', 'credentials']);
});

test('a profile write that fails at the second file leaves the first as it was (CLI)', async () => {
  const dir = cliDir();
  const aws = join(dir, 'aws');
  mkdirSync(aws);
  // The credentials file is written first and succeeds; the config file's name leaves no room for the temp file
  // beside it (NAME_MAX is 255), so its write fails after the credentials file was already replaced.
  const files = { credentials: join(aws, 'credentials'), config: join(aws, 'c'.repeat(240)) };
  const credentialsBefore = '# keep\n[other]\naws_access_key_id = AKIAOTHER\n';
  const configBefore = '[profile other]\nregion = us-west-2\n';
  writeFileSync(files.credentials, credentialsBefore);
  writeFileSync(files.config, configBefore);
  chmodSync(files.credentials, 0o640);

  const run = await runCli(['profile', '--aws-profile', 'ci'], { env: cliProfileEnv(dir, files) });
  expect(run.code).not.toBe(0);
  expect(sts.requests).toHaveLength(1);
  expect(run.stderr).toContain(files.config);
  expect(run.stderr).toContain('ENAMETOOLONG');
  assertNoSecretLeak(run.stdout + run.stderr, secrets());
  expect(readFileSync(files.credentials, 'utf8')).toBe(credentialsBefore);
  expect(statSync(files.credentials).mode & 0o777).toBe(0o640);
  expect(readFileSync(files.config, 'utf8')).toBe(configBefore);
  expect(readdirSync(aws).sort()).toEqual(['c'.repeat(240), 'credentials']);
});

describe('action: a runner file that cannot be written undoes everything', () => {
  function setup() {
    const dir = makeRunDir();
    const aws = join(dir, 'home', '.aws');
    mkdirSync(aws, { recursive: true });
    const credentials = join(aws, 'credentials');
    const config = join(aws, 'config');
    writeFileSync(credentials, '[other]\r\naws_access_key_id = AKIAOTHER\r\n');
    writeFileSync(config, '[profile other]\nregion = us-west-2\n');
    // Earlier steps of the job wrote to the runner files too.
    writeFileSync(join(dir, 'github_env'), 'EARLIER=1\n');
    writeFileSync(join(dir, 'github_output'), 'earlier=1\n');
    writeFileSync(join(dir, 'github_state'), 'earlier=1\n');
    return { dir, credentials, config };
  }

  const snapshot = (paths: string[]) =>
    Object.fromEntries(paths.map((p) => [p, existsSync(p) && statSync(p).isFile() ? readFileSync(p, 'utf8') : 'dir']));

  for (const broken of ['GITHUB_OUTPUT', 'GITHUB_STATE'] as const) {
    it(`${broken} is a directory: profile files and the other runner files byte for byte as before`, async () => {
      const files = setup();
      const runnerFiles = ['github_env', 'github_output', 'github_state'].map((f) => join(files.dir, f));
      const directory = join(files.dir, 'not-a-file');
      mkdirSync(directory);
      const before = snapshot([files.credentials, files.config, ...runnerFiles]);

      const result = await runAction({
        inputs: {
          'aws-region': 'us-east-1',
          'role-to-assume': ROLE,
          'aws-profile': 'ci',
          'output-credentials': 'true',
        },
        env: { ...github.env(), AWS_ENDPOINT_URL_STS: sts.url, [broken]: directory },
        dir: files.dir,
      });
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain(`Could not write ${broken} (${directory}): EISDIR`);
      expect(sts.requests).toHaveLength(1);
      expect(snapshot([files.credentials, files.config, ...runnerFiles])).toEqual(before);
      expect(readdirSync(directory)).toEqual([]);
      expect(readdirSync(join(files.dir, 'home', '.aws')).sort()).toEqual(['config', 'credentials']);
      expect(readdirSync(result.childEnv.RUNNER_TEMP!)).toEqual([]);
      assertNoSecretLeak(result.stdout + result.stderr, secrets());
    });
  }

  it('the config file cannot be written after the credentials file was: both as before, runner files untouched', async () => {
    const files = setup();
    const config = join(files.dir, 'home', '.aws', 'c'.repeat(240));
    writeFileSync(config, '[profile other]\nregion = us-west-2\n');
    const runnerFiles = ['github_env', 'github_output', 'github_state'].map((f) => join(files.dir, f));
    const before = snapshot([files.credentials, config, ...runnerFiles]);
    const result = await runAction({
      inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, 'aws-profile': 'ci' },
      env: { ...github.env(), AWS_ENDPOINT_URL_STS: sts.url, AWS_CONFIG_FILE: config },
      dir: files.dir,
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain('ENAMETOOLONG');
    expect(snapshot([files.credentials, config, ...runnerFiles])).toEqual(before);
    expect(readdirSync(result.childEnv.RUNNER_TEMP!)).toEqual([]);
    assertNoSecretLeak(result.stdout + result.stderr, secrets());
  });

  it('refreshable-credentials with GITHUB_STATE a directory leaves nothing in RUNNER_TEMP', async () => {
    const dir = makeRunDir();
    mkdirSync(join(dir, 'not-a-file'));
    const result = await runAction({
      inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, 'refreshable-credentials': 'true' },
      env: { ...github.env(), AWS_ENDPOINT_URL_STS: sts.url, GITHUB_STATE: join(dir, 'not-a-file') },
      dir,
    });
    expect(result.code).not.toBe(0);
    expect(result.raw.env).toBe('');
    expect(readdirSync(result.childEnv.RUNNER_TEMP!)).toEqual([]);
  });
});

describe('the post step undoes the profile and leaves nothing it created', () => {
  const inputs = { 'aws-region': 'us-east-1', 'role-to-assume': ROLE };
  const env = () => ({ ...github.env(), AWS_ENDPOINT_URL_STS: sts.url });

  it('refreshable-credentials: RUNNER_TEMP is as empty afterwards as before', async () => {
    const main = await runAction({ inputs: { ...inputs, 'refreshable-credentials': 'true' }, env: env() });
    expect(main.code).toBe(0);
    expect(readFileSync(main.env.AWS_CONFIG_FILE!, 'utf8')).toContain('credential_process = ');
    const post = await runPost(main);
    expect(post.code).toBe(0);
    expect(readdirSync(main.childEnv.RUNNER_TEMP!)).toEqual([]);
    assertNoSecretLeak(post.stdout + post.stderr, secrets());
  });

  it('aws-profile in a fresh HOME: no ~/.aws directory, config or credentials file afterwards', async () => {
    const main = await runAction({ inputs: { ...inputs, 'aws-profile': 'ci' }, env: env() });
    expect(main.code).toBe(0);
    const home = main.childEnv.HOME!;
    expect(readFileSync(join(home, '.aws', 'credentials'), 'utf8')).toContain('[ci]');
    expect(statSync(join(home, '.aws')).mode & 0o777).toBe(0o700);
    const post = await runPost(main);
    expect(post.code).toBe(0);
    expect(readdirSync(home)).toEqual([]);
    expect(readdirSync(main.childEnv.RUNNER_TEMP!)).toEqual([]);
  });

  it('keeps a file that was there before, even one left empty, and the directory holding it', async () => {
    const dir = makeRunDir();
    const aws = join(dir, 'home', '.aws');
    mkdirSync(aws);
    writeFileSync(join(aws, 'credentials'), '');
    const main = await runAction({ inputs: { ...inputs, 'aws-profile': 'ci' }, env: env(), dir });
    expect(main.code).toBe(0);
    const post = await runPost(main);
    expect(post.code).toBe(0);
    expect(readdirSync(aws)).toEqual(['credentials']);
    expect(readFileSync(join(aws, 'credentials'), 'utf8')).toBe('');
  });

  it('overwrite-aws-profile: the post step puts the overwritten sections back byte for byte, later edits kept', async () => {
    const dir = makeRunDir();
    const aws = join(dir, 'home', '.aws');
    mkdirSync(aws);
    const credentialsBefore =
      '# mine\r\n[default]\r\naws_access_key_id = AKIAUSERDEFAULT0001\r\n; note\r\naws_secret_access_key = user-secret-0001\r\n\r\n[other]\r\naws_access_key_id = AKIAOTHER\r\n';
    const configBefore =
      '[default]\nregion = eu-west-1\n# trailing comment\noutput = json\n\n[profile other]\nregion = us-west-2\n';
    writeFileSync(join(aws, 'credentials'), credentialsBefore);
    writeFileSync(join(aws, 'config'), configBefore);
    chmodSync(join(aws, 'config'), 0o644);

    const main = await runAction({
      inputs: { ...inputs, 'aws-profile': 'default', 'overwrite-aws-profile': 'true' },
      env: env(),
      dir,
    });
    expect(main.code).toBe(0);
    expect(readFileSync(join(aws, 'credentials'), 'utf8')).not.toContain('AKIAUSERDEFAULT0001');
    // The overwritten keys are kept for the post step, but never in the runner's state or the log.
    expect(main.raw.state).not.toContain('user-secret-0001');
    expect(main.stdout + main.stderr).not.toContain('user-secret-0001');
    // A later step of the job adds a profile of its own: the post step must keep it.
    const later = `${readFileSync(join(aws, 'config'), 'utf8')}\n[profile later]\nregion = ap-south-1\n`;
    writeFileSync(join(aws, 'config'), later);

    const post = await runPost(main);
    expect(post.code).toBe(0);
    expect(readFileSync(join(aws, 'credentials'), 'utf8')).toBe(credentialsBefore);
    expect(readFileSync(join(aws, 'config'), 'utf8')).toBe(`${configBefore}\n[profile later]\nregion = ap-south-1\n`);
    expect(statSync(join(aws, 'config')).mode & 0o777).toBe(0o644);
    expect(readdirSync(main.childEnv.RUNNER_TEMP!)).toEqual([]);
    assertNoSecretLeak(post.stdout + post.stderr, secrets());
  });

  it('without its record (RUNNER_TEMP emptied) the post step warns and leaves the sections rather than guess', async () => {
    const main = await runAction({ inputs: { ...inputs, 'aws-profile': 'ci' }, env: env() });
    expect(main.code).toBe(0);
    const state = JSON.parse(main.state.profile!) as { undoFile: string };
    expect(state.undoFile.startsWith(main.childEnv.RUNNER_TEMP!)).toBe(true);
    rmSync(main.childEnv.RUNNER_TEMP!, { recursive: true });
    const post = await runPost(main);
    expect(post.code).toBe(0);
    expect(post.stdout).toContain('::warning::The record of profile "ci" is gone');
    expect(readFileSync(join(main.childEnv.HOME!, '.aws', 'credentials'), 'utf8')).toContain('[ci]');
    expect(post.env).toEqual(Object.fromEntries(Object.keys(main.env).map((k) => [k, ''])));
  });
});
