/**
 * Black box, failures: dist/index.js against loopback fakes that deny, throttle and hang. What must hold on every
 * failure: one ::error:: line, a non-zero exit, runner files and profile files untouched, no secret printed.
 * Build first: `node scripts/build.mjs index cleanup`.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoSecretLeak } from '../support/leak-check';
import { cleanupRuns, makeRunDir, type RunOptions, type RunResult, runAction } from '../support/run-dist';
import { type StsFake, startStsFake, stsError } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';

let endpoint: TokenEndpoint;
let sts: StsFake;

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
  env: Record<string, string | undefined> = {},
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await runAction({
    ...options,
    inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, ...inputs },
    env: { ...endpoint.env(), AWS_ENDPOINT_URL_STS: sts.url, GITHUB_REPOSITORY: 'octo-org/octo-repo', ...env },
  });
  assertNoSecretLeak(result.stdout + result.stderr, [...endpoint.secrets(), ...sts.secrets(), 'given-secret-key-0001']);
  return result;
}

const errorLines = (r: RunResult) => r.stdout.split('\n').filter((l) => l.startsWith('::error::'));
const decoded = (line: string) =>
  line
    .replace(/^::error::/, '')
    .replace(/%0A/g, '\n')
    .replace(/%0D/g, '\r')
    .replace(/%25/g, '%');

/** The common contract of every failure. */
function expectCleanFailure(r: RunResult): string {
  expect(r.code).not.toBe(0);
  expect(r.raw.env).toBe('');
  expect(r.raw.output).toBe('');
  expect(r.raw.state).toBe('');
  const errors = errorLines(r);
  expect(errors).toHaveLength(1);
  expect(r.stdout).not.toMatch(/^\s+at /m);
  return decoded(errors[0]!);
}

describe('fail fast', () => {
  it.each([
    ['AccessDenied', stsError.accessDenied()],
    ['ValidationError', stsError.validationError()],
    ['MalformedPolicyDocument', stsError.malformedPolicyDocument()],
  ])('%s is reported after one request, without waiting for a retry', async (code, behaviour) => {
    sts.setDefault(behaviour);
    const r = await run();
    const message = expectCleanFailure(r);
    expect(sts.requests).toHaveLength(1);
    expect(endpoint.requests).toHaveLength(1);
    // One request proves there was no retry; the wall time only has to stay clear of the first backoff (timing is a
    // benchmark, `npm run bench` reports it, and a loaded CI machine must not fail this).
    expect(r.durationMs).toBeLessThan(10_000);
    expect(message).toContain(`sts:AssumeRoleWithWebIdentity failed: ${code}: `);
  });

  it('the AccessDenied explanation names the role, claims, trust-policy keys and likely causes', async () => {
    sts.setDefault(stsError.accessDenied());
    const message = expectCleanFailure(await run());
    expect(message).toContain(`Role: ${ROLE}`);
    for (const claim of ['iss', 'aud', 'sub', 'exp', 'repository', 'ref', 'environment', 'job_workflow_ref']) {
      expect(message).toMatch(new RegExp(`^  ${claim}: `, 'm'));
    }
    expect(message).toContain('token.actions.githubusercontent.com:aud = sts.amazonaws.com');
    expect(message).toContain('token.actions.githubusercontent.com:sub = repo:octo-org/octo-repo:environment:prod');
    expect(message).toContain('Likely causes:');
  });

  it('RUNNER_DEBUG=1 adds the stack trace, still in the one error line', async () => {
    sts.setDefault(stsError.accessDenied());
    const r = await run({}, { RUNNER_DEBUG: '1' });
    expect(r.code).not.toBe(0);
    const errors = errorLines(r);
    expect(errors).toHaveLength(1);
    expect(decoded(errors[0]!)).toMatch(/^\s+at /m);
  });
});

describe('transient failures are retried with fresh tokens', () => {
  it('two Throttling answers, then success: three distinct tokens reached STS', async () => {
    sts.throttle(2);
    const r = await run();
    expect(r.code).toBe(0);
    expect(sts.requests).toHaveLength(3);
    expect(new Set(sts.requests.map((q) => q.jti)).size).toBe(3);
    expect(r.env.AWS_ACCESS_KEY_ID).toBe(sts.issued.at(-1)?.accessKeyId);
  });

  it('exhausting retry-max-attempts fails cleanly with the last error', async () => {
    sts.setDefault(stsError.internalFailure(503));
    const message = expectCleanFailure(await run({ 'retry-max-attempts': '2' }));
    expect(sts.requests).toHaveLength(2);
    expect(message).toContain('ServiceUnavailable');
  });
});

describe('never hang', () => {
  it('an STS that accepts and never answers is bounded by action-timeout-s', async () => {
    sts.hang();
    const r = await run({ 'action-timeout-s': '2' });
    const message = expectCleanFailure(r);
    expect(message).toContain('Getting AWS credentials did not finish in time.');
    expect(r.durationMs).toBeGreaterThan(1900);
    expect(r.durationMs).toBeLessThan(5000);
  });
});

describe('nothing half done', () => {
  it('allowed-account-ids mismatch: nothing exported', async () => {
    const message = expectCleanFailure(
      await run({ 'allowed-account-ids': '444455556666', 'output-credentials': 'true' }),
    );
    expect(message).toContain('not in allowed-account-ids');
    expect(sts.requests).toHaveLength(1);
  });

  it('a denial in profile mode leaves the profile files untouched', async () => {
    const dir = makeRunDir();
    const aws = join(dir, 'home', '.aws');
    mkdirSync(aws, { recursive: true });
    writeFileSync(join(aws, 'credentials'), '[other]\naws_access_key_id = AKIAOTHER\n');
    sts.setDefault(stsError.accessDenied());
    expectCleanFailure(await run({ 'aws-profile': 'ci' }, {}, { dir }));
    expect(readFileSync(join(aws, 'credentials'), 'utf8')).toBe('[other]\naws_access_key_id = AKIAOTHER\n');
  });
});

describe('input errors: one message, before any network call', () => {
  const cases: Array<[string, Record<string, string>, Record<string, string | undefined>, string]> = [
    [
      'bad region',
      { 'aws-region': 'Mars' },
      {},
      'Input "aws-region" must match ^[a-z0-9-]+$ (e.g. us-east-1), got "Mars".',
    ],
    [
      'bad boolean',
      { 'output-credentials': 'yes' },
      {},
      'Input "output-credentials" must be true or false, got "yes".',
    ],
    [
      'bad duration',
      { 'role-duration-seconds': '60' },
      {},
      'Input "role-duration-seconds" must be a whole number between 900 and 43200, got "60".',
    ],
    [
      'bare role name with OIDC',
      { 'role-to-assume': 'deploy' },
      {},
      'Input "role-to-assume" "deploy" is a bare role name',
    ],
    [
      'keys without the secret',
      { 'aws-access-key-id': 'AKIAGIVENKEY0001' },
      {},
      'Input "aws-access-key-id" and input "aws-secret-access-key" must be given together.',
    ],
    [
      'custom-tags clash',
      {
        'custom-tags': '{"GitHub":"x"}',
        'aws-access-key-id': 'AKIAGIVENKEY0001',
        'aws-secret-access-key': 'given-secret-key-0001',
      },
      {},
      'Input "custom-tags": tag key "GitHub" clashes with a tag this action sets',
    ],
    ['missing GITHUB_ENV', {}, { GITHUB_ENV: undefined }, 'GITHUB_ENV is not set or its file does not exist'],
  ];

  it.each(cases)('%s', async (...row) => {
    const [, inputs, env, expected] = row;
    const r = await run(inputs, env);
    expect(r.code).not.toBe(0);
    const errors = errorLines(r);
    expect(errors).toHaveLength(1);
    expect(decoded(errors[0]!)).toContain(expected);
    expect(endpoint.requests).toHaveLength(0);
    expect(sts.requests).toHaveLength(0);
    expect(r.raw.output).toBe('');
  });

  it('an existing profile without overwrite-aws-profile fails before any network call', async () => {
    const dir = makeRunDir();
    const aws = join(dir, 'home', '.aws');
    mkdirSync(aws, { recursive: true });
    const original = '# mine\n[ci]\naws_access_key_id = AKIAOLD\n';
    writeFileSync(join(aws, 'credentials'), original);
    const message = expectCleanFailure(await run({ 'aws-profile': 'ci' }, {}, { dir }));
    expect(message).toContain(`Profile "ci" already exists in ${join(aws, 'credentials')}.`);
    expect(message).toContain('Set overwrite-aws-profile to true');
    expect(sts.requests).toHaveLength(0);
    expect(endpoint.requests).toHaveLength(0);
    expect(readFileSync(join(aws, 'credentials'), 'utf8')).toBe(original);
  });

  it('a symlinked profile file is refused before any network call', async () => {
    const dir = makeRunDir();
    const aws = join(dir, 'home', '.aws');
    mkdirSync(aws, { recursive: true });
    writeFileSync(join(dir, 'elsewhere'), '');
    symlinkSync(join(dir, 'elsewhere'), join(aws, 'credentials'));
    const message = expectCleanFailure(await run({ 'aws-profile': 'ci' }, {}, { dir }));
    expect(message).toContain('is a symbolic link; refusing to write through it.');
    expect(sts.requests).toHaveLength(0);
    expect(readFileSync(join(dir, 'elsewhere'), 'utf8')).toBe('');
  });
});
