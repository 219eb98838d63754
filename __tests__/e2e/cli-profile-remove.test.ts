/**
 * Black box: `profile --aws-profile NAME --remove` through the built bundle. It takes out only the sections
 * keyless-aws wrote (refusing others without --overwrite-aws-profile), keeps everything else byte for byte (CRLF
 * too), removes the cached credentials of the profile's build and no other build's, and shares the write's lock.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { assertNoSecretLeak } from '../support/leak-check';
import { type StsFake, startStsFake } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111122223333:role/long-job';

let sts: StsFake;
let buildA: TokenEndpoint;
let buildB: TokenEndpoint;

beforeAll(async () => {
  sts = await startStsFake();
  buildA = await startTokenEndpoint({ query: null });
  buildB = await startTokenEndpoint({ query: null });
});
afterAll(async () => {
  cleanupCliDirs();
  await Promise.all([sts.close(), buildA.close(), buildB.close()]);
});

const secrets = () => [...sts.secrets(), ...buildA.secrets(), ...buildB.secrets()];

function files(dir: string) {
  return { config: join(dir, 'aws', 'config'), credentials: join(dir, 'aws', 'credentials') };
}

function envOf(dir: string, build: TokenEndpoint): Record<string, string> {
  const { config, credentials } = files(dir);
  return {
    ...cliEnv(dir),
    ...build.env('jenkins'),
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
  };
}

const cacheEntries = (dir: string) => {
  const cache = join(dir, 'home', '.cache', 'keyless-aws');
  return existsSync(cache) ? readdirSync(cache).filter((name) => name.endsWith('.json')) : [];
};
const buildOf = (entry: string) => entry.slice(0, 16);

async function run(dir: string, build: TokenEndpoint, args: string[]) {
  const result = await runCli(args, { env: envOf(dir, build) });
  // credential-process hands the SDK its credentials on stdout, which is its job; nothing else may show one.
  assertNoSecretLeak(args[0] === 'credential-process' ? result.stderr : result.stdout + result.stderr, secrets());
  return result;
}

const CONFIG_BEFORE =
  '# team settings\r\n[default]\r\nregion = us-east-1\r\n\r\n[profile other] ; kept\r\nregion = us-west-2\r\n';
const CREDENTIALS_BEFORE =
  '# long-lived keys, not ours\r\n[other]\r\naws_access_key_id = AKIAOTHER\r\naws_secret_access_key = s\r\n';

test('a refreshable profile is removed with its build’s cache entries; other profiles, comments, CRLF and builds stay', async () => {
  const dir = cliDir();
  const { config, credentials } = files(dir);
  mkdirSync(join(dir, 'aws'));
  writeFileSync(config, CONFIG_BEFORE);
  writeFileSync(credentials, CREDENTIALS_BEFORE);
  const written = await run(dir, buildA, [
    ...['profile', '--aws-profile', 'long-job', '--refreshable', '--token-source', 'jenkins'],
    ...['--role-to-assume', ROLE],
  ]);
  expect(written.code).toBe(0);
  expect(readFileSync(config, 'utf8')).toContain('[profile long-job]\r\n');
  const line = /^credential_process = (.*)\r$/m.exec(readFileSync(config, 'utf8'))![1]!;

  // Two builds on this agent use the same line; each caches its own entry.
  const processArgs = line.split(' ').slice(2);
  for (const build of [buildA, buildB]) expect((await run(dir, build, processArgs)).code).toBe(0);
  const before = cacheEntries(dir);
  expect(new Set(before.map(buildOf)).size).toBe(2);

  const removed = await run(dir, buildA, ['profile', '--aws-profile', 'long-job', '--remove']);
  expect(removed.code).toBe(0);
  expect(removed.stderr).toContain(`Removed profile "long-job": ${config} [profile long-job]`);
  expect(removed.stderr).toContain('Removed 1 cached credential entry of this build.');
  expect(readFileSync(config, 'utf8')).toBe(CONFIG_BEFORE);
  expect(readFileSync(credentials, 'utf8')).toBe(CREDENTIALS_BEFORE);
  // Build A's entry is gone, build B's (still running) is kept.
  const after = cacheEntries(dir);
  expect(after).toHaveLength(1);
  expect(before).toContain(after[0]);
  const stsCalls = sts.requests.length;
  expect((await run(dir, buildB, processArgs)).code).toBe(0);
  expect(sts.requests).toHaveLength(stsCalls); // B's entry still answers

  // Again: nothing there, exit 0 with a note, nothing changed.
  const again = await run(dir, buildA, ['profile', '--aws-profile', 'long-job', '--remove']);
  expect(again.code).toBe(0);
  expect(again.stderr).toContain('nothing to remove');
  expect(readFileSync(config, 'utf8')).toBe(CONFIG_BEFORE);
});

test('a static profile keyless-aws wrote goes from both files', async () => {
  const dir = cliDir();
  const { config, credentials } = files(dir);
  mkdirSync(join(dir, 'aws'));
  writeFileSync(credentials, CREDENTIALS_BEFORE);
  const written = await run(dir, buildA, [
    'profile',
    '--aws-profile',
    'deploy',
    '--token-source',
    'jenkins',
    '--role-to-assume',
    ROLE,
  ]);
  expect(written.code).toBe(0);
  expect(readFileSync(credentials, 'utf8')).toContain('[deploy]');

  const removed = await run(dir, buildA, ['profile', '--aws-profile', 'deploy', '--remove']);
  expect(removed.code).toBe(0);
  expect(readFileSync(credentials, 'utf8')).toBe(CREDENTIALS_BEFORE);
  expect(readFileSync(config, 'utf8')).not.toContain('deploy');
});

test.each([
  [
    'config',
    '[profile mine]\nregion = eu-west-1\ncredential_process = /usr/local/bin/other-tool creds\n',
    'profile mine',
  ],
  ['config', '[profile mine]\nregion = eu-west-1\n', 'profile mine'],
  ['credentials', '[mine]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = s\n', 'mine'],
] as const)(
  'a section keyless-aws did not write (%s: %j) is refused, then removed with --overwrite-aws-profile',
  async (which, text, section) => {
    const dir = cliDir();
    const paths = files(dir);
    await run(dir, buildA, ['profile', '--aws-profile', 'x', '--token-source', 'jenkins', '--role-to-assume', ROLE]);
    const other = which === 'config' ? paths.credentials : paths.config;
    const otherBefore = readFileSync(other, 'utf8');
    writeFileSync(paths[which], text);

    const refused = await run(dir, buildA, ['profile', '--aws-profile', 'mine', '--remove']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`section [${section}] in ${paths[which]} was not written by keyless-aws`);
    expect(refused.stderr).toContain('--overwrite-aws-profile');
    expect(readFileSync(paths[which], 'utf8')).toBe(text);

    const forced = await run(dir, buildA, ['profile', '--aws-profile', 'mine', '--remove', '--overwrite-aws-profile']);
    expect(forced.code).toBe(0);
    expect(readFileSync(paths[which], 'utf8')).toBe('');
    expect(readFileSync(other, 'utf8')).toBe(otherBefore);
  },
);

test('removing a profile absent from absent files is exit 0 and creates nothing', async () => {
  const dir = cliDir();
  const removed = await run(dir, buildA, ['profile', '--aws-profile', 'ghost', '--remove']);
  expect(removed.code).toBe(0);
  expect(removed.stderr).toContain('Profile "ghost" is in neither');
  expect(existsSync(join(dir, 'aws'))).toBe(false);
});

test('a remove and a write of different profiles at the same time both land', async () => {
  const dir = cliDir();
  const { config } = files(dir);
  const write = (name: string) =>
    run(dir, buildA, [
      'profile',
      '--aws-profile',
      name,
      '--refreshable',
      '--token-source',
      'jenkins',
      '--role-to-assume',
      ROLE,
    ]);
  for (let round = 0; round < 3; round++) {
    expect((await write(`gone${round}`)).code).toBe(0);
    const [removed, written] = await Promise.all([
      run(dir, buildA, ['profile', '--aws-profile', `gone${round}`, '--remove']),
      write(`new${round}`),
    ]);
    expect([removed.code, written.code]).toEqual([0, 0]);
    const text = readFileSync(config, 'utf8');
    expect(text).not.toContain(`[profile gone${round}]`);
    for (let kept = 0; kept <= round; kept++) expect(text).toContain(`[profile new${kept}]`);
  }
});

test("flags of a write are refused with --remove; without the build's token the sections still go, with a warning", async () => {
  const dir = cliDir();
  const { config } = files(dir);
  for (const flag of [['--profiles', `b=${ROLE}`], ['--refreshable']]) {
    const refused = await run(dir, buildA, ['profile', '--aws-profile', 'a', '--remove', ...flag]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`Profile --remove takes no ${flag[0]}`);
  }
  const write = [
    'profile',
    '--aws-profile',
    'a',
    '--refreshable',
    '--token-source',
    'jenkins',
    '--role-to-assume',
    ROLE,
  ];
  expect((await run(dir, buildA, write)).code).toBe(0);
  const { JENKINS_ID_TOKEN_REQUEST_TOKEN: _, ...withoutToken } = envOf(dir, buildA);
  const removed = await runCli(['profile', '--aws-profile', 'a', '--remove'], { env: withoutToken });
  expect(removed.code).toBe(0);
  expect(removed.stderr).toContain('warning: The cached credentials of this build were not removed');
  expect(readFileSync(config, 'utf8')).not.toContain('[profile a]');
});
