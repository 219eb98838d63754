/**
 * Black box: dist/index.js and dist/cleanup/index.js run as the Actions runner runs them (INPUT_* variables, runner
 * files parsed with the runner's rules) against the loopback token endpoint and STS. Build first:
 * `node scripts/build.mjs index cleanup`. Every run's stdout+stderr goes through the leak check.
 */
import { chmodSync, lstatSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertMasked, assertNoSecretLeak } from '../support/leak-check';
import { cleanupRuns, makeRunDir, type RunOptions, type RunResult, runAction, runPost } from '../support/run-dist';
import { type StsFake, startStsFake } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const GITHUB_VARS = {
  GITHUB_REPOSITORY: 'octo-org/octo-repo',
  GITHUB_WORKFLOW: 'deploy',
  GITHUB_ACTION: '__run',
  GITHUB_ACTOR: 'octocat',
  GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_RUN_ID: '9876543210',
};

let endpoint: TokenEndpoint;
let sts: StsFake;
const extraSecrets: string[] = [];

beforeAll(async () => {
  endpoint = await startTokenEndpoint();
  sts = await startStsFake();
});
afterAll(async () => {
  cleanupRuns();
  await Promise.all([endpoint.close(), sts.close()]);
});
beforeEach(() => {
  endpoint.reset();
  sts.reset();
});

async function run(
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await runAction({
    ...options,
    inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, ...inputs },
    env: { ...endpoint.env(), AWS_ENDPOINT_URL_STS: sts.url, ...GITHUB_VARS, ...env },
  });
  assertNoSecretLeak(result.stdout + result.stderr, [...endpoint.secrets(), ...sts.secrets(), ...extraSecrets]);
  return result;
}

const errorLines = (r: RunResult) => r.stdout.split('\n').filter((l) => l.startsWith('::error::'));

describe('the OIDC flow', () => {
  let result: RunResult;
  let tokenRequests: TokenEndpoint['requests'];
  let stsRequests: StsFake['requests'];
  beforeAll(async () => {
    endpoint.reset();
    sts.reset();
    result = await run();
    tokenRequests = [...endpoint.requests];
    stsRequests = [...sts.requests];
  });

  it('exits 0 with nothing on stderr and no error line', () => {
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(errorLines(result)).toEqual([]);
  });

  it('exports the variables configure-aws-credentials exports', () => {
    const issued = sts.issued.at(-1)!;
    expect(result.env).toEqual({
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: issued.accessKeyId,
      AWS_SECRET_ACCESS_KEY: issued.secretAccessKey,
      AWS_SESSION_TOKEN: issued.sessionToken,
      AWS_CREDENTIAL_EXPIRATION: issued.expiration,
    });
    expect(result.env.AWS_CREDENTIAL_EXPIRATION).toMatch(ISO);
  });

  it('sets the account and ARN outputs, and no credential outputs unless asked', () => {
    expect(result.outputs).toEqual({
      'aws-account-id': '111122223333',
      'authenticated-arn': 'arn:aws:sts::111122223333:assumed-role/deploy/GitHubActions',
    });
  });

  it('masks the ID token, key id, secret and session token before any other line', () => {
    const issued = sts.issued.at(-1)!;
    for (const secret of [endpoint.issued.at(-1)!, issued.accessKeyId, issued.secretAccessKey, issued.sessionToken]) {
      assertMasked(result.stdout, secret);
    }
  });

  it('asked the endpoint for audience sts.amazonaws.com after its own query, with the bearer', () => {
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]?.rawQuery).toBe('api-version=2.0&audience=sts.amazonaws.com');
    expect(tokenRequests[0]?.authorized).toBe(true);
  });

  it('called only AssumeRoleWithWebIdentity, unsigned (no GetCallerIdentity)', () => {
    expect(stsRequests.map((r) => r.action)).toEqual(['AssumeRoleWithWebIdentity']);
    expect(stsRequests[0]?.signed).toBe(false);
    expect(stsRequests[0]?.headers.authorization).toBeUndefined();
    expect(stsRequests[0]?.params.RoleSessionName).toBe('GitHubActions');
    expect(stsRequests[0]?.params.DurationSeconds).toBe('3600');
  });

  it('the post step blanks every exported variable', async () => {
    const post = await runPost(result);
    expect(post.code).toBe(0);
    expect(post.env).toEqual(Object.fromEntries(Object.keys(result.env).map((k) => [k, ''])));
    assertNoSecretLeak(post.stdout + post.stderr, sts.secrets());
  });
});

describe('options of the OIDC flow', () => {
  it('output-credentials sets the credential outputs, aws-expiration plain ISO-8601', async () => {
    const result = await run({ 'output-credentials': 'true' });
    const issued = sts.issued.at(-1)!;
    expect(result.outputs).toMatchObject({
      'aws-access-key-id': issued.accessKeyId,
      'aws-secret-access-key': issued.secretAccessKey,
      'aws-session-token': issued.sessionToken,
      'aws-expiration': issued.expiration,
    });
    expect(result.outputs['aws-expiration']).toMatch(ISO);
  });

  it('mask-aws-account-id masks the account id and the ARN', async () => {
    const result = await run({ 'mask-aws-account-id': 'true' });
    assertMasked(result.stdout, '111122223333');
    assertMasked(result.stdout, 'arn:aws:sts::111122223333:assumed-role/deploy/GitHubActions');
    assertNoSecretLeak(result.stdout, ['111122223333']);
  });

  it('inputs fall back to their environment variables', async () => {
    const result = await run(
      { 'aws-region': '', 'role-to-assume': '' },
      { AWS_REGION: 'eu-west-3', ROLE_TO_ASSUME: ROLE, ROLE_DURATION_SECONDS: '900', AUDIENCE: 'custom-aud' },
    );
    expect(result.code).toBe(0);
    expect(result.env.AWS_REGION).toBe('eu-west-3');
    expect(sts.requests[0]?.params.DurationSeconds).toBe('900');
    expect(endpoint.requests[0]?.audience).toBe('custom-aud');
  });

  it('sts-endpoint wins over AWS_ENDPOINT_URL_STS', async () => {
    const result = await run(
      { 'sts-endpoint': sts.url },
      { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2' },
    );
    expect(result.code).toBe(0);
  });

  it('AWS_ENDPOINT_URL is honoured when nothing more specific is set', async () => {
    const result = await run({}, { AWS_ENDPOINT_URL_STS: '', AWS_ENDPOINT_URL: sts.url });
    expect(result.code).toBe(0);
    expect(sts.requests).toHaveLength(1);
  });

  it('reads a token file relative to GITHUB_WORKSPACE', async () => {
    const dir = makeRunDir();
    const jwt = await endpoint.issuer.sign({ sub: 'repo:o/r:ref:refs/heads/main', aud: 'sts.amazonaws.com' });
    extraSecrets.push(jwt);
    writeFileSync(join(dir, 'workspace', 'id.jwt'), `${jwt}\n`);
    const result = await run({ 'web-identity-token-file': 'id.jwt' }, {}, { dir });
    expect(result.code).toBe(0);
    expect(sts.requests[0]?.params.WebIdentityToken).toBe(jwt);
    expect(endpoint.requests).toHaveLength(0);
    assertMasked(result.stdout, jwt);
  });
});

describe('access keys', () => {
  const given = { 'aws-access-key-id': 'AKIAGIVENKEY0001', 'aws-secret-access-key': 'given-secret-key-0001' };
  beforeAll(() => extraSecrets.push('given-secret-key-0001', 'AKIAGIVENKEY0001', 'ambient-secret-key-01'));

  it('AssumeRole is signed with the given keys even when others are in the environment', async () => {
    const result = await run(given, {
      AWS_ACCESS_KEY_ID: 'AKIAAMBIENTKEY01',
      AWS_SECRET_ACCESS_KEY: 'ambient-secret-key-01',
    });
    expect(result.code).toBe(0);
    expect(sts.actions()).toEqual(['AssumeRole']);
    expect(sts.requests[0]?.accessKeyId).toBe('AKIAGIVENKEY0001');
    expect(sts.requests[0]?.params['Tags.member.1.Key']).toBe('GitHub');
    expect(sts.requests[0]?.params['Tags.member.1.Value']).toBe('Actions');
    assertMasked(result.stdout, 'given-secret-key-0001');
    expect(result.env.AWS_ACCESS_KEY_ID).toBe(sts.issued.at(-1)?.accessKeyId);
  });

  it('keys without a role are exported after GetCallerIdentity, with an empty session token', async () => {
    const result = await run({ ...given, 'role-to-assume': '' });
    expect(result.code).toBe(0);
    expect(sts.actions()).toEqual(['GetCallerIdentity']);
    expect(result.env).toMatchObject({
      AWS_ACCESS_KEY_ID: 'AKIAGIVENKEY0001',
      AWS_SECRET_ACCESS_KEY: 'given-secret-key-0001',
      AWS_SESSION_TOKEN: '',
    });
    expect(result.env.AWS_CREDENTIAL_EXPIRATION).toBeUndefined();
  });

  it('role chaining signs with the credentials an earlier step exported', async () => {
    const session = {
      AWS_ACCESS_KEY_ID: 'ASIAEARLIERSTEP1',
      AWS_SECRET_ACCESS_KEY: 'earlier-secret-0001',
      AWS_SESSION_TOKEN: 'earlier-session-token-1',
    };
    extraSecrets.push(...Object.values(session));
    const result = await run({ 'role-chaining': 'true' }, session);
    expect(result.code).toBe(0);
    expect(sts.actions()).toEqual(['AssumeRole']);
    expect(sts.requests[0]?.accessKeyId).toBe('ASIAEARLIERSTEP1');
    expect(sts.requests[0]?.securityToken).toBe('earlier-session-token-1');
  });

  it('use-existing-credentials keeps valid credentials: outputs set, nothing re-exported', async () => {
    const session = { AWS_ACCESS_KEY_ID: 'ASIAEXISTING0001', AWS_SECRET_ACCESS_KEY: 'existing-secret-0001' };
    extraSecrets.push(...Object.values(session));
    const result = await run({ 'use-existing-credentials': 'true', 'role-to-assume': '' }, session);
    expect(result.code).toBe(0);
    expect(sts.actions()).toEqual(['GetCallerIdentity']);
    expect(result.env).toEqual({});
    expect(result.outputs['aws-account-id']).toBe('111122223333');
  });
});

describe('profile mode', () => {
  // Written on Windows: CRLF line endings, which must survive both the write and the post step's removal.
  const OTHER_CREDENTIALS =
    '# team credentials, keep me\r\n[other]\r\naws_access_key_id = AKIAOTHER\r\n; a comment\r\naws_secret_access_key = other-secret\r\n';
  const OTHER_CONFIG = '[default]\nregion = eu-west-1\n# trailing comment\n\n[profile other]\nregion = us-west-2\n';

  function profileFiles() {
    const dir = makeRunDir();
    const aws = join(dir, 'home', '.aws');
    mkdirSync(aws, { recursive: true });
    const credentials = join(aws, 'credentials');
    const config = join(aws, 'config');
    writeFileSync(credentials, OTHER_CREDENTIALS);
    writeFileSync(config, OTHER_CONFIG);
    for (const file of [credentials, config]) chmodSync(file, 0o644);
    return { dir, credentials, config };
  }

  it('writes [name] and [profile name], keeps every other byte, 0600, atomically; the post step removes them', async () => {
    const files = profileFiles();
    const inodeBefore = statSync(files.credentials).ino;
    const result = await run({ 'aws-profile': 'ci' }, {}, { dir: files.dir });
    expect(result.code).toBe(0);
    const issued = sts.issued.at(-1)!;
    const credentials = readFileSync(files.credentials, 'utf8');
    expect(credentials).toBe(
      `${OTHER_CREDENTIALS}\r\n[ci]\r\naws_access_key_id = ${issued.accessKeyId}\r\naws_secret_access_key = ${issued.secretAccessKey}\r\naws_session_token = ${issued.sessionToken}\r\naws_credential_expiration = ${issued.expiration}\r\n`,
    );
    const config = readFileSync(files.config, 'utf8');
    expect(config.startsWith(OTHER_CONFIG)).toBe(true);
    expect(config).toContain('[profile ci]\nregion = us-east-1\n');
    // The credentials file (0644 before) now holds keys: owner-only. The config file keeps the mode it had.
    expect(statSync(files.credentials).mode & 0o777).toBe(0o600);
    expect(statSync(files.config).mode & 0o777).toBe(0o644);
    expect(statSync(files.credentials).ino).not.toBe(inodeBefore);
    expect(result.env).toEqual({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', AWS_PROFILE: 'ci' });

    const post = await runPost(result);
    expect(post.code).toBe(0);
    expect(readFileSync(files.credentials, 'utf8')).toBe(OTHER_CREDENTIALS);
    expect(readFileSync(files.config, 'utf8')).toBe(OTHER_CONFIG);
    expect(post.env).toEqual({ AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_PROFILE: '' });
  });

  it('the default profile goes to [default] in both files with overwrite-aws-profile', async () => {
    const files = profileFiles();
    const result = await run({ 'aws-profile': 'default', 'overwrite-aws-profile': 'true' }, {}, { dir: files.dir });
    expect(result.code).toBe(0);
    const config = readFileSync(files.config, 'utf8');
    expect(config).toContain('[default]\n# trailing comment\nregion = us-east-1\n');
    expect(config).toContain('[profile other]\nregion = us-west-2\n');
    expect(readFileSync(files.credentials, 'utf8')).toMatch(/\[default\]\r\naws_access_key_id = ASIA/);
    expect(lstatSync(files.credentials).isSymbolicLink()).toBe(false);
  });
});
