// Registration parsing in isolation: the sub format, which claim names a registration may use, and the limits
// that are awkward to reach over HTTP.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSubjectSegment, parseRegistration, type RegistrationPolicy } from '../../src/issuer/build-claims';
import { parseCommandLine } from '../../src/issuer/cli';
import { resolveIssuerOptions } from '../../src/issuer/config';
import { ConfigError, HttpError } from '../../src/issuer/errors';
import { removeTempDirs, tempDir } from './support';

afterAll(removeTempDirs);

const policy: RegistrationPolicy = {
  allowedAudiences: ['sts.amazonaws.com', 'other'],
  maxLifetimeSeconds: 3600,
  allowedClaimNames: ['sub', 'text', 'n', 'release'],
};
const strict: RegistrationPolicy = { ...policy, allowedClaimNames: [] };
const JENKINS = {
  job: 'team/app',
  build_number: 7,
  build_url: 'https://jenkins.example.com/job/team/job/app/7/',
  branch: 'main',
  commit: '0123456789abcdef0123456789abcdef01234567',
  node: 'linux-1',
  triggered_by: 'alice',
};

function refused(body: unknown, by: RegistrationPolicy = policy): string {
  try {
    parseRegistration(body, by);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    return (error as HttpError).message;
  }
  throw new Error('expected a refusal');
}

test('sub is derived from job and build number, or taken as given when the operator allows "sub"', () => {
  expect(parseRegistration({ job: 'a/b', build_number: 3 }, strict)).toEqual({
    sub: 'job:a/b:build:3',
    claims: { job: 'a/b', build_number: 3 },
    audiences: ['sts.amazonaws.com', 'other'],
    lifetimeSeconds: 3600,
  });
  expect(parseRegistration({ sub: 'x', job: 'ignored-for-sub' }, policy).sub).toBe('x');
  expect(encodeSubjectSegment('a:b%c')).toBe('a%3Ab%25c');
});

test('the Jenkins identity claims are accepted without configuration; sub always agrees with job and build', () => {
  const parsed = parseRegistration(JENKINS, strict);
  expect(parsed.sub).toBe('job:team/app:build:7');
  expect(parsed.claims).toEqual(JENKINS);
});

test('by default a registration cannot choose its own sub', () => {
  const message = refused({ ...JENKINS, sub: 'job:prod/deploy:build:1' }, strict);
  expect(message).toMatch(/"sub" is derived from "job" and "build_number"/);
  expect(message).toMatch(/--allow-claim sub/);
  expect(refused({ sub: 'x' }, strict)).toMatch(/--allow-claim sub/);
});

test('a claim name that is neither a Jenkins claim nor allowed by the operator is refused, naming --allow-claim', () => {
  expect(refused({ ...JENKINS, environment: 'prod' }, strict)).toMatch(
    /Claim "environment" is not allowed: .*--allow-claim environment/,
  );
  const allowed = parseRegistration(
    { ...JENKINS, environment: 'prod' },
    { ...strict, allowedClaimNames: ['environment'] },
  );
  expect(allowed.claims.environment).toBe('prod');
  // Names compare exactly: allowing "environment" does not allow "Environment".
  expect(refused({ ...JENKINS, Environment: 'prod' }, { ...strict, allowedClaimNames: ['environment'] })).toMatch(
    /not allowed/,
  );
});

test('reserved names stay refused even when a policy lists them', () => {
  const permissive = { ...strict, allowedClaimNames: ['aud', 'exp', 'Iss'] };
  for (const name of ['aud', 'exp', 'Iss']) {
    expect(refused({ ...JENKINS, [name]: 'x' }, permissive)).toMatch(new RegExp(`"${name}" is reserved`));
  }
});

test('identity claims have the types Jenkins gives them', () => {
  for (const name of ['job', 'build_url', 'branch', 'commit', 'node', 'triggered_by']) {
    expect(refused({ ...JENKINS, [name]: 1 }, strict)).toMatch(new RegExp(`"${name}" must be a (non-empty )?string`));
  }
});

test('the operator cannot allow a reserved, malformed, Jenkins or repeated claim name', () => {
  const settings = (allowedClaims: string[]) =>
    resolveIssuerOptions({ keysDir: '/tmp/k', adminSecret: 'x'.repeat(32), allowedClaims });
  expect(settings(['environment', 'sub']).allowedClaims).toEqual(['environment', 'sub']);
  expect(settings([]).allowedClaims).toEqual([]);
  for (const [names, message] of [
    [['aud'], /"aud" is reserved/],
    [['JTI'], /"JTI" is reserved/],
    [['bad name'], /invalid/],
    [['job'], /Jenkins claim/],
    [['x', 'x'], /listed twice/],
  ] as const) {
    let error: unknown;
    try {
      settings([...names]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/allow-claim/);
    expect((error as ConfigError).message).toMatch(message);
  }
});

test('--allow-claim is repeatable on the command line and a string or list in the config file', async () => {
  const dir = await tempDir();
  const configFile = join(dir, 'issuer.json');
  const base = ['--issuer-url', 'https://o.example.com', '--keys-dir', 'k', '--admin-secret-file', 'a'];
  const allowed = (args: string[]) => {
    const command = parseCommandLine(['serve', ...base, ...args]);
    return command.kind === 'serve' ? command.options.allowedClaims : 'not serve';
  };
  expect(allowed(['--allow-claim', 'environment', '--allow-claim=sub'])).toEqual(['environment', 'sub']);
  expect(allowed([])).toBeUndefined();
  writeFileSync(configFile, JSON.stringify({ 'allow-claim': ['team', 'tier'] }));
  expect(allowed(['--config', configFile])).toEqual(['team', 'tier']);
  writeFileSync(configFile, JSON.stringify({ 'allow-claim': 'team' }));
  expect(allowed(['--config', configFile])).toEqual(['team']);
  const help = parseCommandLine(['serve', '--help']);
  expect(help.kind === 'help' && help.text).toMatch(/--allow-claim NAME/);
});

test('controls are not claims; audiences are de-duplicated in order', () => {
  const parsed = parseRegistration(
    { sub: 's', lifetime: 600, audiences: ['other', 'other', 'sts.amazonaws.com'] },
    policy,
  );
  expect(parsed.claims).toEqual({});
  expect(parsed.audiences).toEqual(['other', 'sts.amazonaws.com']);
  expect(parsed.lifetimeSeconds).toBe(600);
});

test('limits', () => {
  expect(refused({ sub: 'x'.repeat(256) })).toMatch(/at most 255/);
  expect(refused({ job: 'j'.repeat(300), build_number: 1 })).toMatch(/derived sub is longer/);
  expect(refused({ sub: 's', text: 'x'.repeat(2049) })).toMatch(/longer than 2048/);
  expect(refused({ sub: 's', ...Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`c${i}`, i])) })).toMatch(
    /At most 50/,
  );
  expect(refused({ sub: 's', 'bad name': 1 })).toMatch(/Claim name "bad name" is invalid/);
  expect(refused({ sub: 's', n: Number.NaN })).toMatch(/finite/);
  expect(refused({ sub: 3 })).toMatch(/"sub" must be a non-empty string/);
  expect(refused({ job: 'j', build_number: 'latest' })).toMatch(/build_number/);
  expect(refused({ sub: 's', lifetime: 59 })).toMatch(/lifetime/);
  expect(refused({ sub: 's', audiences: [] })).toMatch(/non-empty array/);
});
