/** The smallest change that would allow a refused request, derived from the engine's own decision. */
import { ConditionContext, evaluateTrustPolicy, smallestChange } from '../../src/policy';

const HOST = 'token.actions.githubusercontent.com';
const PROVIDER = `arn:aws:iam::123456789012:oidc-provider/${HOST}`;

function decide(condition: Record<string, unknown>, sub: string, extra: Record<string, unknown> = {}) {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: PROVIDER },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: condition,
        ...extra,
      },
    ],
  };
  return evaluateTrustPolicy(policy, {
    principal: { kind: 'Federated', provider: PROVIDER },
    actions: [{ action: 'sts:AssumeRoleWithWebIdentity' }],
    context: new ConditionContext().set(`${HOST}:sub`, sub),
  });
}

test('StringEquals with a * that StringLike would match: use StringLike', () => {
  const fix = smallestChange(
    decide({ StringEquals: { [`${HOST}:sub`]: 'repo:o/r:*' } }, 'repo:o/r:ref:refs/heads/main'),
  );
  expect(fix).toBe('StringEquals compares "*" and "?" literally: use StringLike for repo:o/r:*');
});

test('a different sub: the value against the expected one, and the value to add', () => {
  const fix = smallestChange(
    decide({ StringEquals: { [`${HOST}:sub`]: 'repo:o/r:ref:refs/heads/main' } }, 'repo:o/r:environment:prod'),
  );
  expect(fix).toContain('sub is repo:o/r:environment:prod, the policy expects repo:o/r:ref:refs/heads/main');
});

test('a key the request does not have', () => {
  const fix = smallestChange(decide({ StringEquals: { [`${HOST}:environment`]: 'prod' } }, 'repo:o/r:pull_request'));
  expect(fix).toContain(`the request has no ${HOST}:environment`);
});

test('an allowed request needs no change', () => {
  expect(
    smallestChange(decide({ StringLike: { [`${HOST}:sub`]: 'repo:o/r:*' } }, 'repo:o/r:pull_request')),
  ).toBeUndefined();
});
