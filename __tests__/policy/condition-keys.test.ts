// The condition keys a verified web-identity token contributes, per issuer, as STS exposes them.
import { ConditionContext, claimKeysOf, evaluateTrustPolicy, webIdentityConditionKeys } from '../../src/policy';

const GH = 'token.actions.githubusercontent.com';

const githubClaims = {
  iss: `https://${GH}`,
  aud: 'sts.amazonaws.com',
  sub: 'repo:acme/app:environment:prod',
  repository: 'acme/app',
  repository_id: '123456',
  repository_owner: 'acme',
  repository_owner_id: '42',
  job_workflow_ref: 'acme/app/.github/workflows/deploy.yml@refs/heads/main',
  environment: 'prod',
  actor: 'octocat',
  actor_id: 7,
  ref: 'refs/heads/main',
  workflow: 'deploy',
  enterprise_id: '9',
  run_id: '1234',
  sha: 'abc',
};

describe('web-identity condition keys', () => {
  it('exposes the GitHub claims STS documents, and no others (custom claims are unavailable)', () => {
    const keys = Object.fromEntries(webIdentityConditionKeys(GH, githubClaims));
    expect(keys).toEqual({
      [`${GH}:aud`]: ['sts.amazonaws.com'],
      [`${GH}:sub`]: ['repo:acme/app:environment:prod'],
      [`${GH}:actor`]: ['octocat'],
      [`${GH}:actor_id`]: ['7'],
      [`${GH}:job_workflow_ref`]: ['acme/app/.github/workflows/deploy.yml@refs/heads/main'],
      [`${GH}:repository`]: ['acme/app'],
      [`${GH}:repository_id`]: ['123456'],
      [`${GH}:repository_owner_id`]: ['42'],
      [`${GH}:workflow`]: ['deploy'],
      [`${GH}:ref`]: ['refs/heads/main'],
      [`${GH}:environment`]: ['prod'],
      [`${GH}:enterprise_id`]: ['9'],
    });
  });

  it('a GitHub Enterprise issuer with a slug exposes the same claims', () => {
    expect(claimKeysOf(`${GH}/acme`)).toContain('repository_id');
  });

  it('other issuers expose the default claims only (aud, sub, amr, azp, email, oaud)', () => {
    const keys = webIdentityConditionKeys('jenkins.example/oidc', {
      aud: ['sts.amazonaws.com', 'other'],
      sub: 'job/app',
      azp: 'client',
      email: 'ci@example.com',
      build_number: 7,
    });
    expect(Object.fromEntries(keys)).toEqual({
      'jenkins.example/oidc:aud': ['sts.amazonaws.com', 'other'],
      'jenkins.example/oidc:sub': ['job/app'],
      'jenkins.example/oidc:azp': ['client'],
      'jenkins.example/oidc:email': ['ci@example.com'],
    });
  });

  it('Google: aud holds azp when present and oaud the original audience', () => {
    const keys = Object.fromEntries(
      webIdentityConditionKeys('accounts.google.com', { aud: 'https://app', azp: '1000186', sub: '1000186' }),
    );
    expect(keys['accounts.google.com:aud']).toEqual(['1000186']);
    expect(keys['accounts.google.com:oaud']).toEqual(['https://app']);
  });

  it('a condition on a claim STS does not expose sees an absent key, as in AWS', () => {
    const context = new ConditionContext();
    for (const [k, v] of webIdentityConditionKeys(GH, githubClaims)) context.set(k, v);
    const provider = `arn:aws:iam::123456789012:oidc-provider/${GH}`;
    const judge = (condition: Record<string, unknown>) =>
      evaluateTrustPolicy(
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: provider },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: condition,
            },
          ],
        },
        { principal: { kind: 'Federated', provider }, actions: [{ action: 'sts:AssumeRoleWithWebIdentity' }], context },
      );
    // repository_owner is a GitHub claim but not an STS condition key.
    expect(judge({ StringEquals: { [`${GH}:repository_owner`]: 'acme' } })).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('(key absent from the request)'),
    });
    expect(
      judge({ StringEquals: { [`${GH}:repository_owner_id`]: '42', [`${GH}:sub`]: 'repo:acme/app:environment:prod' } })
        .allowed,
    ).toBe(true);
  });
});
