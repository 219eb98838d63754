import { KeylessError } from '../../src/errors';
import { parseSettings, parseTokenSettings } from '../../src/settings/parse';
import { actionSource, cliSource, settingsError } from '../support/settings';

const OIDC_ENV = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token?api-version=2.0',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token-value',
  GITHUB_REPOSITORY: 'octo-org/octo-repo',
};
const CN_ROLE = 'arn:aws-cn:iam::111122223333:role/deploy';
const GOV_ROLE = 'arn:aws-us-gov:iam::111122223333:role/deploy';
const POOL = '11111111-2222-3333-4444-555555555555';

const action = (inputs: Record<string, string>) => parseSettings(actionSource(inputs, OIDC_ENV));

describe('settings: the partition follows the region and the role', () => {
  it('defaults the audience to the partition of the region', () => {
    expect(action({ 'aws-region': 'cn-north-1', 'role-to-assume': CN_ROLE }).audience).toBe('sts.amazonaws.com.cn');
    expect(action({ 'aws-region': 'us-gov-west-1', 'role-to-assume': GOV_ROLE }).audience).toBe('sts.amazonaws.com');
    expect(
      action({ 'aws-region': 'eusc-de-east-1', 'role-to-assume': 'arn:aws-eusc:iam::111122223333:role/d' }).audience,
    ).toBe('sts.amazonaws.eu');
    expect(action({ 'aws-region': 'us-east-1', 'role-to-assume': 'arn:aws:iam::111122223333:role/d' }).audience).toBe(
      'sts.amazonaws.com',
    );
  });

  it('keeps an audience the user set, and the Cognito convention in the Cognito flow', () => {
    const set = action({ 'aws-region': 'cn-north-1', 'role-to-assume': CN_ROLE, audience: 'my-aud' });
    expect(set.audience).toBe('my-aud');
    const pool = action({
      'aws-region': 'cn-north-1',
      'role-to-assume': CN_ROLE,
      'cognito-identity-pool-id': `cn-north-1:${POOL}`,
    });
    expect(pool.audience).toBe('cognito-identity.amazonaws.com');
  });

  it('takes identity pools of every partition, European Sovereign Cloud included', () => {
    const settings = action({
      'aws-region': 'eusc-de-east-1',
      'role-to-assume': 'arn:aws-eusc:iam::111122223333:role/d',
      'cognito-identity-pool-id': `eusc-de-east-1:${POOL}`,
    });
    expect(settings.cognito?.region).toBe('eusc-de-east-1');
  });

  it('the CLI token command asks for the audience of the region given', () => {
    const token = parseTokenSettings(
      cliSource({ 'token-source': 'env:TOKEN' }, { AWS_REGION: 'cn-northwest-1', TOKEN: 'a.b.c' }),
    );
    expect(token.audience).toBe('sts.amazonaws.com.cn');
  });

  it('refuses a role of another partition than the region, naming both (exit 2)', () => {
    const error = settingsError(() => action({ 'aws-region': 'us-east-1', 'role-to-assume': CN_ROLE }));
    expect(error).toBeInstanceOf(KeylessError);
    expect((error as KeylessError).exitCode).toBe(2);
    expect(error.message).toBe(
      `Input "role-to-assume" "${CN_ROLE}" is in partition aws-cn, but input "aws-region" "us-east-1" is in partition aws.`,
    );
    expect((error as KeylessError).hint).toBe(
      'Use a region of aws-cn (e.g. cn-north-1), or an ARN of aws (arn:aws:…).',
    );
  });

  it('names the environment variables the CLI took the values from', () => {
    const error = settingsError(() =>
      parseSettings(
        cliSource(
          { 'token-source': 'env:TOKEN' },
          { AWS_REGION: 'cn-north-1', AWS_ROLE_ARN: GOV_ROLE, TOKEN: 'a.b.c' },
        ),
      ),
    );
    expect(error.message).toContain('Environment variable AWS_ROLE_ARN (--role-to-assume)');
    expect(error.message).toContain('partition aws-us-gov');
    expect(error.message).toContain(
      'environment variable AWS_REGION (--aws-region) "cn-north-1" is in partition aws-cn',
    );
  });

  it('refuses managed session policies and an identity pool of another partition', () => {
    const policies = settingsError(() =>
      action({
        'aws-region': 'cn-north-1',
        'role-to-assume': CN_ROLE,
        'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      }),
    );
    expect(policies.message).toContain('Input "managed-session-policies" "arn:aws:iam::aws:policy/ReadOnlyAccess"');
    expect(policies.message).toContain(
      'is in partition aws, but input "aws-region" "cn-north-1" is in partition aws-cn',
    );
    const pool = settingsError(() =>
      action({
        'aws-region': 'cn-north-1',
        'role-to-assume': CN_ROLE,
        'cognito-identity-pool-id': `us-east-1:${POOL}`,
      }),
    );
    expect(pool.message).toContain('The identity pool\'s region "us-east-1"');
    expect(pool.message).toContain('is in partition aws, but input "aws-region" "cn-north-1" is in partition aws-cn');
  });
});
