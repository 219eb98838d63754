// Advice names ARNs and endpoints of the partition the run is in, never the commercial ones by habit.
import { explainCognitoDenial, explainDenial } from '../../src/explain/denial';
import { decodeToken } from '../../src/token/token';
import { createTestIssuer, githubClaims } from '../support/jwt';

const NOW = new Date('2030-01-01T00:00:00Z');

async function token(claims: Record<string, unknown> = {}) {
  const issuer = await createTestIssuer();
  const nowS = NOW.getTime() / 1000;
  return decodeToken(
    await issuer.sign(githubClaims(claims), { issuedAt: nowS - 10, expiresIn: 310 }),
    'the GitHub ID-token endpoint',
  );
}

describe('explanations follow the partition', () => {
  it('a denied China role is told to trust an arn:aws-cn OIDC provider', async () => {
    const { details } = explainDenial(
      { code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity', status: 403 },
      { roleArn: 'arn:aws-cn:iam::111122223333:role/deploy', token: await token(), now: NOW },
    );
    expect(details).toContain(
      '{"Federated": "arn:aws-cn:iam::<account>:oidc-provider/token.actions.githubusercontent.com"}',
    );
    expect(details).not.toContain('arn:aws:iam::');
  });

  it('a GovCloud identity pool that refuses the token names an arn:aws-us-gov provider', async () => {
    const { hint, details } = explainCognitoDenial(
      { code: 'NotAuthorizedException', message: 'Invalid login token.', status: 400 },
      {
        identityPoolId: 'us-gov-west-1:11111111-2222-3333-4444-555555555555',
        region: 'us-gov-west-1',
        providerName: 'token.actions.githubusercontent.com',
        token: await token({ aud: 'cognito-identity.amazonaws.com' }),
        accountId: '111122223333',
        now: NOW,
      },
    );
    expect(hint).toContain('add arn:aws-us-gov:iam::111122223333:oidc-provider/token.actions.githubusercontent.com');
    expect(`${hint}${details}`).not.toContain('arn:aws:iam::');
  });

  it('STS not activated in a China region: the China endpoint, and no global endpoint that China lacks', () => {
    const { hint, details } = explainDenial(
      { code: 'RegionDisabledException', message: 'STS is not activated in this region', status: 403 },
      { roleArn: 'arn:aws-cn:iam::111122223333:role/deploy', request: { region: 'cn-northwest-1' } },
    );
    expect(details).toContain('STS endpoint: https://sts.cn-northwest-1.amazonaws.com.cn');
    expect(hint).toContain('an aws-region where STS is active.');
    expect(hint).not.toContain('https://sts.amazonaws.com');
  });
});
