// Claims built from a described CI context, in the formats GitHub Actions and the keyless-aws Jenkins service issue.
// GitHub: `sub` is `repo:<owner>/<repo>:<context>` where the context is `environment:<name>` for a job with an
// environment, `pull_request` for a pull_request event, else `ref:<ref>`; an organisation or repository can customise
// it with `include_claim_keys` (each key becomes `<key>:<value>`, `repo` and `context` standing for the default parts).

import { InputError } from '../errors';
import { encodeSubjectSegment } from '../issuer/build-claims';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface GitHubContext {
  repository: string;
  ref?: string;
  environment?: string;
  event?: string;
  jobWorkflowRef?: string;
  /** `include_claim_keys` of a customised subject template. */
  subClaimKeys?: string[];
}

export interface JenkinsContext {
  issuer: string;
  job: string;
  build: string;
}

function githubSubjectContext(c: GitHubContext, ref: string): string {
  if (c.environment) return `environment:${c.environment}`;
  if (c.event === 'pull_request') return 'pull_request';
  return `ref:${ref}`;
}

export function githubClaims(c: GitHubContext, audience: string, now: number): Record<string, unknown> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(c.repository)) {
    throw new InputError(
      `--github-repository must be <owner>/<repo>; got "${c.repository}".`,
      'For example --github-repository octo-org/octo-repo.',
    );
  }
  const ref = c.ref ?? 'refs/heads/main';
  if (!ref.startsWith('refs/')) {
    throw new InputError(`--github-ref must be a full ref such as refs/heads/main or refs/tags/v1; got "${ref}".`);
  }
  const event = c.event ?? 'push';
  const claims: Record<string, unknown> = {
    iss: GITHUB_ISSUER,
    aud: audience,
    repository: c.repository,
    repository_owner: c.repository.split('/')[0],
    ref,
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    event_name: event,
    job_workflow_ref: c.jobWorkflowRef ?? `${c.repository}/.github/workflows/ci.yml@${ref}`,
    iat: Math.floor(now / 1000),
    exp: Math.floor(now / 1000) + 300,
  };
  if (c.environment) claims.environment = c.environment;
  const context = githubSubjectContext(c, ref);
  const keys = c.subClaimKeys ?? ['repo', 'context'];
  claims.sub = keys
    .map((key) => {
      if (key === 'repo') return `repo:${c.repository}`;
      if (key === 'context') return context;
      const value = claims[key];
      if (value === undefined) {
        throw new InputError(
          `--github-sub-claims names "${key}", a claim the described context does not have.`,
          'Use claim names GitHub issues (repo, context, repository_owner, job_workflow_ref, environment, ref, event_name, …).',
        );
      }
      return `${key}:${String(value)}`;
    })
    .join(':');
  return claims;
}

/** The keyless-aws Jenkins token service: `sub` is `job:<job>:build:<n>` with `%` and `:` in the job escaped. */
export function jenkinsClaims(c: JenkinsContext, audience: string, now: number): Record<string, unknown> {
  if (!/^\d+$/.test(c.build)) throw new InputError(`--jenkins-build must be a build number; got "${c.build}".`);
  return {
    iss: c.issuer,
    aud: audience,
    sub: `job:${encodeSubjectSegment(c.job)}:build:${c.build}`,
    job: c.job,
    build_number: Number(c.build),
    iat: Math.floor(now / 1000),
    exp: Math.floor(now / 1000) + 300,
  };
}
