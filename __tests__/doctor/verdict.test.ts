/** Verdict kinds beyond the STS agreement table: Cognito, near-miss providers, the fix for each refusal. */

import { judgeRole } from '../../src/doctor/verdict';
import { IamModel } from '../../src/emulator/iam-model';

const COGNITO = 'cognito-identity.amazonaws.com';
const COGNITO_ISS = `https://${COGNITO}`;
const POOL = 'us-east-1:11111111-2222-3333-4444-555555555555';
const OPTIONS = { sessionName: 's', now: Date.UTC(2026, 0, 1), cognitoIssuer: COGNITO_ISS };

function cognitoModel(allowClassicFlow: boolean | undefined) {
  const model = new IamModel('123456789012', 'us-east-1');
  model.addIdentityPool({ id: POOL, name: 'pool', ...(allowClassicFlow === undefined ? {} : { allowClassicFlow }) });
  const role = model.addRole({
    name: 'abac',
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: COGNITO },
          Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
          Condition: {
            StringEquals: { [`${COGNITO}:aud`]: POOL },
            'ForAnyValue:StringLike': { [`${COGNITO}:amr`]: 'authenticated' },
          },
        },
      ],
    },
  });
  return { model, role };
}

const cognitoClaims = (amr: string[]) => ({ iss: COGNITO_ISS, aud: POOL, sub: 'us-east-1:abc', amr });

test('Cognito: allowed for an authenticated identity of the pool when the classic flow is enabled', () => {
  const { model, role } = cognitoModel(true);
  expect(
    judgeRole(model, role, cognitoClaims(['authenticated', 'token.actions.githubusercontent.com']), OPTIONS),
  ).toMatchObject({ allowed: true });
});

test('Cognito: refused when the pool does not allow the classic flow, with the property to set', () => {
  const { model, role } = cognitoModel(false);
  const verdict = judgeRole(model, role, cognitoClaims(['authenticated']), OPTIONS);
  expect(verdict).toMatchObject({
    allowed: false,
    stage: 'cognito',
    fix: 'set AllowClassicFlow: true on the identity pool',
  });
});

test('Cognito: an unauthenticated identity fails the amr condition, named with its values', () => {
  const { model, role } = cognitoModel(true);
  const verdict = judgeRole(model, role, cognitoClaims(['unauthenticated']), OPTIONS);
  expect(verdict).toMatchObject({ allowed: false, stage: 'trust-policy' });
  expect(verdict.condition).toMatchObject({
    key: `${COGNITO}:amr`,
    actual: ['unauthenticated'],
    expected: ['authenticated'],
  });
});

test('a provider differing from iss only by a trailing slash is named (STS compares exactly)', () => {
  const model = new IamModel('123456789012', 'us-east-1');
  model.addOidcProvider({ url: 'https://jenkins.example.com/oidc/', clientIds: ['sts.amazonaws.com'] });
  const role = model.addRole({
    name: 'r',
    assumeRolePolicyDocument: {
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: 'x' },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'jenkins.example.com/oidc/:sub': 'x' } },
        },
      ],
    },
  });
  const verdict = judgeRole(
    model,
    role,
    { iss: 'https://jenkins.example.com/oidc', aud: 'sts.amazonaws.com', sub: 'job:a:build:1' },
    OPTIONS,
  );
  expect(verdict).toMatchObject({ allowed: false, stage: 'provider' });
  expect(verdict.reason).toContain('differs from iss only by scheme or trailing slash');
});

test('a missing sts:TagSession is named as the action to add', () => {
  const model = new IamModel('123456789012', 'us-east-1');
  model.addOidcProvider({ url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'] });
  const host = 'token.actions.githubusercontent.com';
  const role = model.addRole({
    name: 'r',
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${host}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${host}:sub`]: 'repo:o/r:ref:refs/heads/main' } },
        },
      ],
    },
  });
  const claims = {
    iss: `https://${host}`,
    aud: 'sts.amazonaws.com',
    sub: 'repo:o/r:ref:refs/heads/main',
    'https://aws.amazon.com/tags': { principal_tags: { team: ['a'] } },
  };
  const verdict = judgeRole(model, role, claims, OPTIONS);
  expect(verdict).toMatchObject({ allowed: false, stage: 'trust-policy' });
  expect(verdict.fix).toContain('add sts:TagSession to the Action');
});
