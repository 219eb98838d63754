/**
 * What makes two credential-process calls share a cache entry: everything that decides the credentials, and the
 * identity of the CI token, must separate them; what only changes how the call is made must not.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheNameOf } from '../../src/cache/cache-key';
import { parseSettings } from '../../src/settings/parse';
import { cliSource } from '../support/settings';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const JENKINS = {
  JENKINS_ID_TOKEN_REQUEST_URL: 'https://jenkins-oidc.example.com/token',
  JENKINS_ID_TOKEN_REQUEST_TOKEN: 'req-one',
};

const nameOf = (flags: Record<string, string>, env: Record<string, string> = JENKINS) =>
  cacheNameOf(parseSettings(cliSource({ 'role-to-assume': ROLE, 'aws-region': 'eu-west-1', ...flags }, env)));

const base = nameOf({})!;

test.each([
  ['role', { 'role-to-assume': 'arn:aws:iam::111122223333:role/other' }],
  ['session name', { 'role-session-name': 'other' }],
  ['duration', { 'role-duration-seconds': '7200' }],
  ['inline session policy', { 'inline-session-policy': '{"Version":"2012-10-17","Statement":[]}' }],
  ['managed session policy', { 'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
  ['region', { 'aws-region': 'us-east-1' }],
  ['STS endpoint', { 'sts-endpoint': 'https://sts.eu-west-1.amazonaws.com' }],
  ['audience', { audience: 'other-audience' }],
  ['allowed accounts', { 'allowed-account-ids': '111122223333' }],
  ['Cognito pool', { 'cognito-identity-pool-id': 'eu-west-1:12345678-1234-1234-1234-123456789012' }],
])('another %s is another entry of the same build', (_what, flags) => {
  const name = nameOf(flags)!;
  expect(name.key).not.toBe(base.key);
  expect(name.build).toBe(base.build);
});

test.each([
  ['retries', { 'retry-max-attempts': '3' }],
  ['timeout', { 'action-timeout-s': '60' }],
  ['masking', { 'mask-aws-account-id': 'true' }],
])('%s do not change the entry', (_what, flags) => {
  expect(nameOf(flags)).toEqual(base);
});

test('another request token, or another token URL, is another build', () => {
  const other = nameOf({}, { ...JENKINS, JENKINS_ID_TOKEN_REQUEST_TOKEN: 'req-two' })!;
  const moved = nameOf({}, { ...JENKINS, JENKINS_ID_TOKEN_REQUEST_URL: 'https://other.example.com/token' })!;
  for (const name of [other, moved]) {
    expect(name.build).not.toBe(base.build);
    expect(name.key).not.toBe(base.key);
  }
  // The name never carries the request token itself.
  expect(JSON.stringify(base)).not.toContain('req-one');
});

test('a token file is identified by its content: a new token is a new build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cache-key-'));
  try {
    const file = join(dir, 'token');
    const flags = { 'token-source': 'file', 'web-identity-token-file': file };
    writeFileSync(file, 'eyJ.first.token\n');
    const first = nameOf(flags, {})!;
    writeFileSync(file, 'eyJ.second.token\n');
    const second = nameOf(flags, {})!;
    expect(second.build).not.toBe(first.build);
    expect(second.key).not.toBe(first.key);
    // An unreadable file gives no name: nothing is cached, and the exchange reports the file.
    rmSync(file);
    expect(nameOf(flags, {})).toBeUndefined();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a token in a variable is identified by its value', () => {
  const one = nameOf({ 'token-source': 'env:ID_TOKEN' }, { ID_TOKEN: 'eyJ.one' })!;
  const two = nameOf({ 'token-source': 'env:ID_TOKEN' }, { ID_TOKEN: 'eyJ.two' })!;
  expect(two.build).not.toBe(one.build);
});

test('Buildkite is identified by its job id', () => {
  const env = { BUILDKITE: 'true', BUILDKITE_AGENT_ACCESS_TOKEN: 'agent', BUILDKITE_JOB_ID: 'job-1' };
  const one = nameOf({ 'token-source': 'buildkite' }, env)!;
  const two = nameOf({ 'token-source': 'buildkite' }, { ...env, BUILDKITE_JOB_ID: 'job-2' })!;
  expect(two.build).not.toBe(one.build);
});

test('credentials not from a CI token are never cached', () => {
  const keys = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE12', AWS_SECRET_ACCESS_KEY: 'secret/example/key' };
  expect(nameOf({ 'role-chaining': 'true' }, keys)).toBeUndefined();
});
