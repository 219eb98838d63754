/**
 * The `profiles` input (action) and repeated --profiles flag (CLI): one further role per line, with per-line
 * overrides, parsed before any network call; every error names the line and the key.
 */
import { parseSettings } from '../../src/settings/parse';
import { actionSource, cliSource, settingsError } from '../support/settings';

const ROLE = 'arn:aws:iam::111111111111:role/deploy';
const PROD = 'arn:aws:iam::222222222222:role/deploy';
const AUDIT = 'arn:aws:iam::222222222222:role/audit';
const GITHUB = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/x',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token-value',
};

const action = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  parseSettings(actionSource({ 'aws-region': 'us-east-1', 'role-to-assume': ROLE, ...inputs }, { ...GITHUB, ...env }));

test('each line becomes a profile; keys a line does not give take the run values', () => {
  const settings = action({
    profiles: `
      staging=arn:aws:iam::333333333333:role/deploy
      prod=${PROD} region=eu-west-1 duration=1800 session-name=release audience=prod-aud chain=${AUDIT}
    `,
    'role-duration-seconds': '2400',
    'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  });
  expect(settings.roleToAssume).toBe(ROLE);
  expect(settings.profiles).toEqual([
    {
      name: 'staging',
      roleArn: 'arn:aws:iam::333333333333:role/deploy',
      region: 'us-east-1',
      durationSeconds: 2400,
      roleSessionName: 'GitHubActions',
      audience: 'sts.amazonaws.com',
      managedSessionPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    },
    {
      name: 'prod',
      roleArn: PROD,
      region: 'eu-west-1',
      durationSeconds: 1800,
      roleSessionName: 'release',
      audience: 'prod-aud',
      managedSessionPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      chainRoleArn: AUDIT,
    },
  ]);
});

test('no profiles input: no further roles', () => {
  expect(action({}).profiles).toEqual([]);
});

test.each([
  ['prod', /^Input "profiles" line 1 must start with <profile-name>=<role-arn>/],
  [`=${PROD}`, /line 1 must start with <profile-name>=<role-arn>/],
  ['prod=arn:aws:iam::2222:role/x', /line 1: the role of profile "prod" must be a role ARN/],
  [`prod=${PROD} colour=blue`, /line 1: unknown setting "colour"/],
  [`prod=${PROD} region=EU`, /line 1: region must be a region name/],
  [`prod=${PROD} duration=60`, /line 1: duration must be a whole number between 900 and 43200/],
  [`prod=${PROD} duration=900 duration=1000`, /line 1: duration is given twice/],
  [`prod=${PROD} session-name=a`, /line 1: session-name must be 2-64 characters/],
  [`prod=${PROD} chain=audit`, /line 1: chain must be a role ARN/],
  [
    `prod=${PROD} managed-session-policies=ReadOnly`,
    /line 1: managed-session-policies: "ReadOnly" is not a policy ARN/,
  ],
  [`prod=${PROD} region=`, /line 1: region is empty/],
])('refuses %s with the line and the key', (line, message) => {
  const error = settingsError(() => action({ profiles: line }));
  expect(error.message).toMatch(message);
  expect(error.kind).toBe('input');
});

test('the line number counts the lines given, and a name may appear once', () => {
  const error = settingsError(() => action({ profiles: `a=${PROD}\nb=${PROD}\na=${AUDIT}` }));
  expect(error.message).toMatch(/line 3: profile "a" is named twice/);
});

test('a chained role lasts at most an hour (AWS role chaining limit), checked before any request', () => {
  const error = settingsError(() =>
    action({ profiles: `prod=${PROD} chain=${AUDIT}`, 'role-duration-seconds': '7200' }),
  );
  expect(error.message).toMatch(/line 1: a chained role session lasts at most 3600 seconds.*duration is 7200/);
  expect(error.hint).toMatch(/duration=3600/);
  expect(
    action({ profiles: `prod=${PROD} duration=3600 chain=${AUDIT}`, 'role-duration-seconds': '7200' }).profiles[0]
      ?.durationSeconds,
  ).toBe(3600);
});

test('a profile may not take the name of aws-profile', () => {
  const error = settingsError(() => action({ 'aws-profile': 'prod', profiles: `prod=${PROD}` }));
  expect(error.message).toMatch(/line 1: profile "prod" is also input "aws-profile"/);
});

test.each([
  [{ 'aws-access-key-id': 'AKIAEXAMPLE', 'aws-secret-access-key': 'secret' }, /needs a CI OIDC token/],
  [{ 'cognito-identity-pool-id': 'eu-west-1:11111111-2222-3333-4444-555555555555' }, /Cognito flow/],
  [{ 'use-existing-credentials': 'true' }, /use-existing-credentials/],
])('profiles need the plain web-identity flow (%o)', (inputs, message) => {
  const error = settingsError(() => action({ profiles: `prod=${PROD}`, ...inputs }));
  expect(error.message).toMatch(/^Input "profiles" /);
  expect(error.message).toMatch(message);
});

test('on the command line the repeated flag is named', () => {
  const error = settingsError(() =>
    parseSettings(
      cliSource(
        { 'role-to-assume': ROLE, 'aws-region': 'us-east-1', profiles: `prod=${PROD}\nstaging=x` },
        { AWS_WEB_IDENTITY_TOKEN_FILE: '/tmp/none' },
      ),
    ),
  );
  expect(error.message).toMatch(/^--profiles line 2: the role of profile "staging" must be a role ARN/);
});

test('with mask-aws-account-id the account ids of the lines are masked too', () => {
  const settings = action({ profiles: `prod=${PROD}`, 'mask-aws-account-id': 'true' });
  expect(settings.maskAwsAccountId).toBe(true);
  const { shownValue } = require('../../src/secrets') as typeof import('../../src/secrets');
  expect(shownValue('222222222222')).not.toContain('222222222222');
});

describe('a line is held to its own region’s partition, as role-to-assume is', () => {
  const CN_ROLE = 'arn:aws-cn:iam::222222222222:role/deploy';

  test('a role of another partition than the line’s region is refused before any call, naming the line', () => {
    const { message } = settingsError(() => action({ profiles: `cn=${CN_ROLE}` }));
    expect(message).toContain('"profiles" line 1: the role of profile "cn"');
    expect(message).toContain('is in partition aws-cn');
    expect(message).toContain('us-east-1');
  });

  test('a chained role or a policy of another partition is refused too', () => {
    expect(
      settingsError(() => action({ profiles: `cn=${CN_ROLE} region=cn-north-1 chain=${AUDIT}` })).message,
    ).toContain('"profiles" line 1: chain');
    expect(
      settingsError(() =>
        action({
          profiles: `cn=${CN_ROLE} region=cn-north-1 managed-session-policies=arn:aws:iam::aws:policy/ReadOnlyAccess`,
        }),
      ).message,
    ).toContain('managed-session-policies');
  });

  test('a line wholly in its region’s partition is accepted', () => {
    const settings = action({
      profiles: `cn=${CN_ROLE} region=cn-north-1 chain=arn:aws-cn:iam::222222222222:role/audit`,
    });
    expect(settings.profiles[0]).toMatchObject({ roleArn: CN_ROLE, region: 'cn-north-1' });
  });
});
