/**
 * A mistyped role ARN: the error names the input, flag or environment variable used, and the hint says what is wrong
 * and, where it can be derived, the corrected ARN.
 */
import { parseSettings } from '../../src/settings/parse';
import { actionSource, cliSource, settingsError } from '../support/settings';

const OIDC_ENV = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token?api-version=2.0',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token-value',
};

function actionError(role: string) {
  return settingsError(() =>
    parseSettings(actionSource({ 'aws-region': 'us-east-1', 'role-to-assume': role }, OIDC_ENV)),
  );
}

const cases: Array<[string, string, RegExp, string | undefined]> = [
  [
    'an 11-digit account id',
    'arn:aws:iam::12345678901:role/deploy',
    /11 digits, AWS account ids 12/,
    'arn:aws:iam::012345678901:role/deploy',
  ],
  ['a 10-digit account id', 'arn:aws:iam::1234567890:role/deploy', /has 10 digits; AWS account ids have 12/, undefined],
  ['the console dashes', 'arn:aws:iam::1234-5678-9012:role/deploy', /dashes/, 'arn:aws:iam::123456789012:role/deploy'],
  ['role/ missing', 'arn:aws:iam::123456789012:deploy', /"role\/" is missing/, 'arn:aws:iam::123456789012:role/deploy'],
  [
    'roles/ instead of role/',
    'arn:aws:iam::123456789012:roles/deploy',
    /spelled "role\/"/,
    'arn:aws:iam::123456789012:role/deploy',
  ],
  ['a user ARN', 'arn:aws:iam::123456789012:user/alice', /IAM user, which cannot be assumed/, undefined],
  [
    'an assumed-role ARN',
    'arn:aws:sts::123456789012:assumed-role/deploy/ci-session',
    /STS session's ARN \(what get-caller-identity prints\)/,
    'arn:aws:iam::123456789012:role/deploy',
  ],
  [
    'the partition missing',
    'arn::iam::123456789012:role/deploy',
    /partition is missing/,
    'arn:aws:iam::123456789012:role/deploy',
  ],
  [
    'the partition left out',
    'arn:iam::123456789012:role/deploy',
    /partition is missing/,
    'arn:aws:iam::123456789012:role/deploy',
  ],
  [
    'no arn: prefix',
    'aws:iam::123456789012:role/deploy',
    /lacks the arn: prefix/,
    'arn:aws:iam::123456789012:role/deploy',
  ],
  [
    'a region',
    'arn:aws:iam:us-east-1:123456789012:role/deploy',
    /IAM ARNs have no region \("us-east-1"\)/,
    'arn:aws:iam::123456789012:role/deploy',
  ],
  [
    'kept quotes',
    '"arn:aws:iam::123456789012:role/deploy"',
    /quotes are part of the value/,
    'arn:aws:iam::123456789012:role/deploy',
  ],
  [
    'inner spaces',
    'arn:aws:iam:: 123456789012:role/deploy',
    /contains spaces/,
    'arn:aws:iam::123456789012:role/deploy',
  ],
  [
    'GovCloud keeps its partition',
    'arn:aws-us-gov:iam:us-gov-west-1:123456789012:role/x',
    /no region/,
    'arn:aws-us-gov:iam::123456789012:role/x',
  ],
  [
    'two slips at once',
    "'arn:aws:sts::12345678901:assumed-role/deploy/s'",
    /quotes.*11 digits.*STS session/,
    'arn:aws:iam::012345678901:role/deploy',
  ],
];

describe.each(cases)('%s', (_name, role, problem, corrected) => {
  it('names the input, says what is wrong and, where derivable, the corrected ARN', () => {
    const error = actionError(role);
    expect(error.message).toMatch(/^Input "role-to-assume" must be a role ARN like /);
    expect(error.hint).toMatch(problem);
    if (corrected) expect(error.hint).toContain(`Set input "role-to-assume" to ${corrected}.`);
    else expect(error.hint).not.toMatch(/ to arn:/);
  });
});

it('names the environment variable the CLI read the ARN from', () => {
  const error = settingsError(() =>
    parseSettings(
      cliSource({}, { ...OIDC_ENV, AWS_REGION: 'eu-west-1', AWS_ROLE_ARN: 'arn:aws:iam::123456789012:deploy' }),
    ),
  );
  expect(error.message).toMatch(/^Environment variable AWS_ROLE_ARN \(--role-to-assume\) must be a role ARN/i);
  expect(error.hint).toContain(
    'Set environment variable AWS_ROLE_ARN (--role-to-assume) to arn:aws:iam::123456789012:role/deploy.',
  );
});

it('names the flag when the flag was used', () => {
  const error = settingsError(() =>
    parseSettings(
      cliSource(
        { 'role-to-assume': 'arn:aws:sts::123456789012:assumed-role/deploy/x' },
        { ...OIDC_ENV, AWS_REGION: 'eu-west-1' },
      ),
    ),
  );
  expect(error.hint).toContain('Set --role-to-assume to arn:aws:iam::123456789012:role/deploy.');
});

it('gives no hint that would repeat a value too secret to show', () => {
  const jwtLike = `eyJhbGciOiJSUzI1NiJ9.${'a'.repeat(40)}.${'b'.repeat(40)}`;
  const error = actionError(jwtLike);
  expect(error.message).toContain('not shown');
  expect(error.hint ?? '').not.toContain('aaaa');
});
