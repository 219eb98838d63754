/**
 * Black box: the credential cache of `credential-process`, with real processes of the built bundle against the STS
 * fake and a token endpoint (Jenkins token-service style). STS calls are counted at the fake.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type CliRun, cleanupCliDirs, cliDir, cliEnv, runCli, startCli, waitFor } from '../cli/support/run-cli';
import { assertNoSecretLeak } from '../support/leak-check';
import { cleanupRuns, DIST_MAIN, runAction, runPost } from '../support/run-dist';
import { type StsFake, startStsFake } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const execFileAsync = promisify(execFile);
const ROLE = 'arn:aws:iam::111122223333:role/cached';
const OTHER_ROLE = 'arn:aws:iam::111122223333:role/other';

let sts: StsFake;
let jenkins: TokenEndpoint;
let otherBuild: TokenEndpoint;
let github: TokenEndpoint;

beforeAll(async () => {
  sts = await startStsFake();
  jenkins = await startTokenEndpoint({ query: null, claims: { sub: 'https://jenkins.example.com/job/a/1/' } });
  otherBuild = await startTokenEndpoint({ query: null, claims: { sub: 'https://jenkins.example.com/job/b/7/' } });
  github = await startTokenEndpoint();
});
afterAll(async () => {
  cleanupCliDirs();
  cleanupRuns();
  await Promise.all([sts.close(), jenkins.close(), otherBuild.close(), github.close()]);
});
beforeEach(() => {
  sts.reset();
  jenkins.reset();
  otherBuild.reset();
  github.reset();
});

const stsCalls = () => sts.requests.filter((r) => r.action === 'AssumeRoleWithWebIdentity').length;
const secrets = () => [...sts.secrets(), ...jenkins.secrets(), ...otherBuild.secrets(), ...github.secrets()];

interface Document {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

function envFor(dir: string, endpoint: TokenEndpoint = jenkins): Record<string, string> {
  return { ...cliEnv(dir), ...endpoint.env('jenkins'), AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_STS: sts.url };
}

const cacheDir = (dir: string) => join(dir, 'home', '.cache', 'keyless-aws');
const entries = (dir: string) => readdirSync(cacheDir(dir)).filter((n) => n.endsWith('.json'));

async function credentialProcess(
  dir: string,
  extra: readonly string[] = [],
  env: Record<string, string | undefined> = envFor(dir),
): Promise<Document> {
  const run = await runCli(['credential-process', '--role-to-assume', ROLE, ...extra], { env });
  expectClean(run);
  return JSON.parse(run.stdout) as Document;
}

function expectClean(run: CliRun): void {
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  assertNoSecretLeak(run.stderr, secrets());
}

test('16 processes started together make one STS call and print the same credentials', async () => {
  const dir = cliDir();
  const documents = await Promise.all(Array.from({ length: 16 }, () => credentialProcess(dir)));
  expect(stsCalls()).toBe(1);
  expect(new Set(documents.map((d) => d.AccessKeyId)).size).toBe(1);
  expect(documents[0]!.AccessKeyId).toBe(sts.issued.at(-1)!.accessKeyId);
  // The entry: a private directory, one 0600 file, no lock or temp file left behind.
  expect(statSync(cacheDir(dir)).mode & 0o777).toBe(0o700);
  expect(readdirSync(cacheDir(dir))).toEqual(entries(dir));
  expect(entries(dir)).toHaveLength(1);
  expect(statSync(join(cacheDir(dir), entries(dir)[0]!)).mode & 0o777).toBe(0o600);
}, 60_000);

test('50 sequential calls make one STS call', async () => {
  const dir = cliDir();
  const keys = new Set<string>();
  for (let i = 0; i < 50; i++) keys.add((await credentialProcess(dir)).AccessKeyId);
  expect(stsCalls()).toBe(1);
  expect(keys.size).toBe(1);
}, 120_000);

test('--debug says where the credentials came from, and never prints them', async () => {
  const dir = cliDir();
  await credentialProcess(dir);
  const run = await runCli(['credential-process', '--role-to-assume', ROLE, '--debug'], { env: envFor(dir) });
  expectClean(run);
  expect(run.stderr).toContain(`Credentials from the cache (${cacheDir(dir)}/`);
  expect(stsCalls()).toBe(1);
});

test('a cache hit loads neither the AWS SDK nor the token sources', async () => {
  const dir = cliDir();
  await credentialProcess(dir);
  // A preload that records every file the bundle requires (its lazily loaded chunks).
  const trace = join(dir, 'required.txt');
  const preload = join(dir, 'trace.js');
  writeFileSync(
    preload,
    `const Module = require('node:module'); const fs = require('node:fs'); const load = Module._load;
     Module._load = function (request, parent, isMain) {
       const found = load.apply(this, arguments);
       try { fs.appendFileSync(${JSON.stringify(trace)}, Module._resolveFilename(request, parent, isMain) + '\\n'); } catch {}
       return found;
     };`,
  );
  const run = await runCli(['credential-process', '--role-to-assume', ROLE], {
    env: { ...envFor(dir), NODE_OPTIONS: `--require ${preload}` },
  });
  expectClean(run);
  expect(stsCalls()).toBe(1);
  const chunks = readFileSync(trace, 'utf8')
    .split('\n')
    .filter((path) => /\/dist\/\d+\.index\.js$/.test(path));
  expect(chunks.length).toBeGreaterThan(0);
  const code = chunks.map((path) => readFileSync(path, 'utf8')).join('\n');
  // The SDK's STS client and the token sources' HTTP client are what a miss loads; a hit must not.
  expect(code).not.toContain('AssumeRoleWithWebIdentityCommand');
  expect(code).not.toContain('did not answer within');
  expect(code).not.toMatch(/@smithy|@aws-sdk/);
  expect(Buffer.byteLength(code)).toBeLessThan(100 * 1024);
});

test('--no-cache exchanges every time and creates no cache directory', async () => {
  const dir = cliDir();
  const first = await credentialProcess(dir, ['--no-cache']);
  const second = await credentialProcess(dir, ['--no-cache']);
  expect(stsCalls()).toBe(2);
  expect(second.AccessKeyId).not.toBe(first.AccessKeyId);
  expect(existsSync(cacheDir(dir))).toBe(false);
});

test('an entry is used only while more than the margin of its lifetime remains', async () => {
  const dir = cliDir();
  sts.setDefault({ kind: 'allow', expiresIn: 1200 });
  const first = await credentialProcess(dir);
  // About 1199 s remain: a margin below that reuses the entry, one above it does not.
  expect((await credentialProcess(dir, ['--cache-margin-s', '1190'])).AccessKeyId).toBe(first.AccessKeyId);
  expect(stsCalls()).toBe(1);
  const renewed = await credentialProcess(dir, ['--cache-margin-s', '1205']);
  expect(renewed.AccessKeyId).not.toBe(first.AccessKeyId);
  expect(stsCalls()).toBe(2);
  // Credentials shorter-lived than the default margin (15 minutes) are never stored, so never served.
  const short = cliDir();
  sts.setDefault({ kind: 'allow', expiresIn: 890 });
  const a = await credentialProcess(short);
  const b = await credentialProcess(short);
  expect(b.AccessKeyId).not.toBe(a.AccessKeyId);
  expect(entries(short)).toEqual([]);
});

test('an expired entry is never served', async () => {
  const dir = cliDir();
  const first = await credentialProcess(dir);
  const file = join(cacheDir(dir), entries(dir)[0]!);
  const entry = JSON.parse(readFileSync(file, 'utf8')) as { expiration: string };
  entry.expiration = new Date(Date.now() - 1000).toISOString();
  writeFileSync(file, JSON.stringify(entry), { mode: 0o600 });
  const second = await credentialProcess(dir, ['--cache-margin-s', '0']);
  expect(second.AccessKeyId).not.toBe(first.AccessKeyId);
  expect(stsCalls()).toBe(2);
});

test('another role never gets the entry of the first, even when its file holds it', async () => {
  const dir = cliDir();
  const a = await credentialProcess(dir);
  const b = await runCli(['credential-process', '--role-to-assume', OTHER_ROLE], { env: envFor(dir) });
  expectClean(b);
  const other = JSON.parse(b.stdout) as Document;
  expect(other.AccessKeyId).not.toBe(a.AccessKeyId);
  expect(sts.requests.map((r) => r.params.RoleArn)).toEqual([ROLE, OTHER_ROLE]);
  expect(entries(dir)).toHaveLength(2);

  // Plant role A's entry under role B's name: it names another key, so B fetches its own.
  const bytesOf = (name: string) => readFileSync(join(cacheDir(dir), name));
  const [nameA, nameB] = entries(dir).sort((x, y) =>
    bytesOf(x).includes(a.AccessKeyId) ? -1 : bytesOf(y).includes(a.AccessKeyId) ? 1 : 0,
  );
  writeFileSync(join(cacheDir(dir), nameB!), bytesOf(nameA!), { mode: 0o600 });
  const again = await runCli(['credential-process', '--role-to-assume', OTHER_ROLE], { env: envFor(dir) });
  expectClean(again);
  expect((JSON.parse(again.stdout) as Document).AccessKeyId).not.toBe(a.AccessKeyId);
  expect(stsCalls()).toBe(3);
});

test('settings that decide the credentials get their own entries: policy, duration, session name', async () => {
  const dir = cliDir();
  await credentialProcess(dir);
  await credentialProcess(dir, ['--managed-session-policies', 'arn:aws:iam::aws:policy/ReadOnlyAccess']);
  await credentialProcess(dir, ['--role-duration-seconds', '7200']);
  await credentialProcess(dir, ['--role-session-name', 'other-session']);
  expect(stsCalls()).toBe(4);
  // Settings that only change how the call is made share the entry.
  await credentialProcess(dir, ['--retry-max-attempts', '3']);
  expect(stsCalls()).toBe(4);
});

test('two builds on one agent (different request tokens) never see each other’s entries', async () => {
  const dir = cliDir();
  const one = await credentialProcess(dir, [], envFor(dir, jenkins));
  const two = await credentialProcess(dir, [], envFor(dir, otherBuild));
  expect(two.AccessKeyId).not.toBe(one.AccessKeyId);
  expect(stsCalls()).toBe(2);
  const builds = new Set(entries(dir).map((n) => n.slice(0, 16)));
  expect(builds.size).toBe(2);
  // Each keeps being served its own.
  expect((await credentialProcess(dir, [], envFor(dir, jenkins))).AccessKeyId).toBe(one.AccessKeyId);
  expect((await credentialProcess(dir, [], envFor(dir, otherBuild))).AccessKeyId).toBe(two.AccessKeyId);
  expect(stsCalls()).toBe(2);
});

describe('an entry that is not exactly what keyless-aws writes is ignored and replaced', () => {
  const tamperings: Array<[string, (file: string, dir: string) => void]> = [
    ['corrupt', (file) => writeFileSync(file, '{"version":1,"key":', { mode: 0o600 })],
    ['readable by others', (file) => chmodSync(file, 0o644)],
    ['owned by another user', (file) => chownSync(file, 4242, 4242)],
    [
      'a symbolic link',
      (file, dir) => {
        const elsewhere = join(dir, 'planted.json');
        renameSync(file, elsewhere);
        symlinkSync(elsewhere, file);
      },
    ],
  ];
  test.each(tamperings)('%s', async (_what, tamper) => {
    const dir = cliDir();
    const first = await credentialProcess(dir);
    const file = join(cacheDir(dir), entries(dir)[0]!);
    tamper(file, dir);
    const second = await credentialProcess(dir);
    expect(second.AccessKeyId).not.toBe(first.AccessKeyId);
    expect(stsCalls()).toBe(2);
    // Replaced by a regular private file of ours that serves the new credentials.
    const info = lstatSync(file);
    expect(info.isFile()).toBe(true);
    expect(info.mode & 0o777).toBe(0o600);
    expect(info.uid).toBe(process.getuid!());
    expect((await credentialProcess(dir)).AccessKeyId).toBe(second.AccessKeyId);
    expect(stsCalls()).toBe(2);
  });
});

describe('a cache that cannot be used costs the cache, never the credentials', () => {
  const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.includes('warning')).length;

  test('a lock left by a killed process is broken without a wait or a warning', async () => {
    const dir = cliDir();
    // A call that dies holding the lock: STS never answers, and the process is killed (as a Jenkins abort may).
    sts.hang(1);
    const dying = startCli(['credential-process', '--role-to-assume', ROLE], { env: envFor(dir) });
    const lockOf = () => readdirSync(cacheDir(dir)).find((n) => n.endsWith('.json.lock'));
    await waitFor(() => stsCalls() === 1, 'the first call at STS');
    expect(lockOf()).toBeDefined();
    const lock = join(cacheDir(dir), lockOf()!);
    dying.child.kill('SIGKILL');
    await dying.result;
    expect(existsSync(lock)).toBe(true);

    const started = Date.now();
    const run = await runCli(['credential-process', '--role-to-assume', ROLE], { env: envFor(dir) });
    expectClean(run);
    expect(run.stderr).toBe('');
    expect(Date.now() - started).toBeLessThan(5000);
    expect((JSON.parse(run.stdout) as Document).AccessKeyId).toBe(sts.issued.at(-1)!.accessKeyId);
    expect(existsSync(lock)).toBe(false);
  });

  test.each([
    ['group-writable', (d: string) => chmodSync(d, 0o770), 'writable by group or others'],
    ['owned by another user', (d: string) => chownSync(d, 4242, 4242), 'belongs to user 4242'],
  ])('a cache directory %s is refused', async (_what, spoil, reason) => {
    const dir = cliDir();
    mkdirSync(cacheDir(dir), { recursive: true, mode: 0o700 });
    spoil(cacheDir(dir));
    const runs = [];
    for (let i = 0; i < 2; i++) {
      runs.push(await runCli(['credential-process', '--role-to-assume', ROLE], { env: envFor(dir) }));
    }
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(warnings(run.stderr)).toBe(1);
      expect(run.stderr).toContain(reason);
    }
    expect(stsCalls()).toBe(2);
    expect(readdirSync(cacheDir(dir))).toEqual([]);
  });

  test('a cache directory inside the workspace is refused', async () => {
    const dir = cliDir();
    const workspace = join(dir, 'workspace');
    const env = { ...envFor(dir), WORKSPACE: workspace, XDG_CACHE_HOME: join(workspace, '.cache') };
    const run = await runCli(['credential-process', '--role-to-assume', ROLE], { env });
    expect(run.code).toBe(0);
    expect(warnings(run.stderr)).toBe(1);
    expect(run.stderr).toContain('inside the workspace (WORKSPACE)');
    expect(existsSync(join(workspace, '.cache'))).toBe(false);
  });

  /**
   * A full disk and a read-only directory, for real: a tiny tmpfs in a private mount namespace (unshare works for
   * root in a container as for any user with user namespaces), so the bundle meets ENOSPC and EROFS from the kernel.
   */
  async function inMount(dir: string, setup: string, args: readonly string[] = []): Promise<CliRun> {
    const base = join(dir, 'mnt');
    mkdirSync(base);
    const script = `set -e; mount -t tmpfs -o size=16k,mode=0755 tmpfs "$BASE"; ${setup}; exec "$@"`;
    const env = { ...envFor(dir), XDG_CACHE_HOME: base, BASE: base };
    try {
      const { stdout, stderr } = await execFileAsync(
        'unshare',
        [
          '-rm',
          'sh',
          '-c',
          script,
          'sh',
          process.execPath,
          DIST_MAIN,
          'credential-process',
          '--role-to-assume',
          ROLE,
          ...args,
        ],
        { env, encoding: 'utf8' },
      );
      return { code: 0, signal: null, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, signal: null, stdout: e.stdout, stderr: e.stderr };
    }
  }

  test('a full disk', async () => {
    const dir = cliDir();
    const run = await inMount(
      dir,
      'mkdir -m 700 "$BASE/keyless-aws"; head -c 65536 /dev/zero > "$BASE/fill" 2>/dev/null || true',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).AccessKeyId).toBe(sts.issued.at(-1)!.accessKeyId);
    expect(warnings(run.stderr)).toBe(1);
    expect(run.stderr).toMatch(/credential cache not (used|written): .*ENOSPC/);
    assertNoSecretLeak(run.stderr, secrets());
  });

  test('a read-only cache directory', async () => {
    const dir = cliDir();
    const run = await inMount(dir, 'mkdir -m 700 "$BASE/keyless-aws"; mount -o remount,ro "$BASE"');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).AccessKeyId).toBe(sts.issued.at(-1)!.accessKeyId);
    expect(warnings(run.stderr)).toBe(1);
    expect(run.stderr).toContain('EROFS');
  });

  test('a cache directory that cannot be created', async () => {
    const dir = cliDir();
    const run = await inMount(dir, 'mount -o remount,ro "$BASE"');
    expect(run.code).toBe(0);
    expect(warnings(run.stderr)).toBe(1);
    expect(run.stderr).toContain('cannot create');
    expect(stsCalls()).toBe(1);
  });
});

test('--cache-margin-s must be a whole number of seconds', async () => {
  const dir = cliDir();
  const run = await runCli(['credential-process', '--role-to-assume', ROLE, '--cache-margin-s', '5m'], {
    env: envFor(dir),
  });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('--cache-margin-s must be a whole number of seconds');
  expect(stsCalls()).toBe(0);
});

test('the action’s post step removes the entries its job cached, and only those', async () => {
  const main = await runAction({
    inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, 'refreshable-credentials': 'true' },
    env: { ...github.env(), AWS_ENDPOINT_URL_STS: sts.url },
  });
  expect(main.code).toBe(0);
  // A later step of the job runs the profile's credential_process line, as the AWS CLI would (through sh -c).
  const laterStep: Record<string, string> = { ...main.childEnv, ...main.env };
  for (const name of ['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STATE']) delete laterStep[name];
  for (const [name, value] of Object.entries(laterStep)) if (value === '') delete laterStep[name];
  const line = /^credential_process = (.*)$/m.exec(readFileSync(main.env.AWS_CONFIG_FILE!, 'utf8'))![1]!;
  const first = await execFileAsync('sh', ['-c', line], { env: laterStep, encoding: 'utf8' });
  const second = await execFileAsync('sh', ['-c', line], { env: laterStep, encoding: 'utf8' });
  expect(JSON.parse(second.stdout).AccessKeyId).toBe(JSON.parse(first.stdout).AccessKeyId);
  // Another job on the same runner (its own request token) caches too.
  const home = main.childEnv.HOME!;
  const otherJob = await runCli(['credential-process', '--role-to-assume', ROLE, '--token-source', 'github'], {
    env: {
      ...cliEnv(main.dir),
      HOME: home,
      ...otherBuild.env('github'),
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_STS: sts.url,
    },
  });
  expectClean(otherJob);
  const cache = join(home, '.cache', 'keyless-aws');
  const before = readdirSync(cache);
  expect(before).toHaveLength(2);

  const post = await runPost(main);
  expect(post.code).toBe(0);
  expect(post.stdout).toContain('Removed 1 cached credential set(s) of this job.');
  const after = readdirSync(cache);
  expect(after).toHaveLength(1);
  // What is left is the other job's, still served to it.
  const again = await runCli(['credential-process', '--role-to-assume', ROLE, '--token-source', 'github'], {
    env: {
      ...cliEnv(main.dir),
      HOME: home,
      ...otherBuild.env('github'),
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_STS: sts.url,
    },
  });
  expect(JSON.parse(again.stdout).AccessKeyId).toBe(JSON.parse(otherJob.stdout).AccessKeyId);
});
