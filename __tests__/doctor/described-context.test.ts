/** The claims a described GitHub or Jenkins context builds, in the formats those issuers use. */
import { githubClaims, jenkinsClaims } from '../../src/doctor/described-context';

const NOW = Date.UTC(2026, 0, 1);

describe('GitHub sub formats', () => {
  test.each([
    [{ repository: 'o/r' }, 'repo:o/r:ref:refs/heads/main'],
    [{ repository: 'o/r', ref: 'refs/tags/v1.2' }, 'repo:o/r:ref:refs/tags/v1.2'],
    [{ repository: 'o/r', environment: 'prod' }, 'repo:o/r:environment:prod'],
    [{ repository: 'o/r', event: 'pull_request', ref: 'refs/pull/7/merge' }, 'repo:o/r:pull_request'],
    // An environment wins over the event, as in GitHub's tokens.
    [{ repository: 'o/r', event: 'pull_request', environment: 'prod' }, 'repo:o/r:environment:prod'],
    [
      {
        repository: 'o/r',
        environment: 'prod',
        subClaimKeys: ['repo', 'context', 'job_workflow_ref'],
        jobWorkflowRef: 'o/w/.github/workflows/d.yml@refs/heads/main',
      },
      'repo:o/r:environment:prod:job_workflow_ref:o/w/.github/workflows/d.yml@refs/heads/main',
    ],
    [{ repository: 'o/r', subClaimKeys: ['repository_owner', 'context'] }, 'repository_owner:o:ref:refs/heads/main'],
  ])('%j → %s', (context, sub) => {
    expect(githubClaims(context, 'sts.amazonaws.com', NOW).sub).toBe(sub);
  });

  test('claims GitHub sends alongside sub', () => {
    const claims = githubClaims({ repository: 'o/r', ref: 'refs/tags/v1' }, 'aud-x', NOW);
    expect(claims).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'aud-x',
      repository_owner: 'o',
      ref_type: 'tag',
    });
  });

  test('a customised subject naming a claim the context lacks is refused, not dropped', () => {
    expect(() => githubClaims({ repository: 'o/r', subClaimKeys: ['repo', 'environment'] }, 'a', NOW)).toThrow(
      /github-sub-claims names "environment"/,
    );
  });

  test('bad repository and ref name the flag', () => {
    expect(() => githubClaims({ repository: 'just-a-name' }, 'a', NOW)).toThrow(/--github-repository/);
    expect(() => githubClaims({ repository: 'o/r', ref: 'main' }, 'a', NOW)).toThrow(/--github-ref/);
  });
});

describe('Jenkins (keyless-aws token service) sub', () => {
  test('job:<job>:build:<n>, with : and % in the job escaped', () => {
    expect(jenkinsClaims({ issuer: 'https://j/oidc', job: 'team/app/main', build: '42' }, 'a', NOW).sub).toBe(
      'job:team/app/main:build:42',
    );
    expect(jenkinsClaims({ issuer: 'https://j/oidc', job: 'a:b%c', build: '1' }, 'a', NOW).sub).toBe(
      'job:a%3Ab%25c:build:1',
    );
  });
});
