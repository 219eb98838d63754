import type { CiContext } from './types';

/** Variables later stages may need (session tags, default session names); copied once so nothing reads env again. */
const CONTEXT_VARS = [
  'GITHUB_REPOSITORY',
  'GITHUB_WORKFLOW',
  'GITHUB_ACTION',
  'GITHUB_ACTOR',
  'GITHUB_SHA',
  'GITHUB_REF',
  'GITHUB_EVENT_NAME',
  'GITHUB_BASE_REF',
  'GITHUB_HEAD_REF',
  'GITHUB_RUN_ID',
  'GITHUB_JOB',
  'GITHUB_TRIGGERING_ACTOR',
  'GITHUB_WORKSPACE',
  'RUNNER_TEMP',
  'JENKINS_URL',
  'JOB_NAME',
  'JOB_BASE_NAME',
  'BUILD_NUMBER',
  'GIT_COMMIT',
  'WORKSPACE_TMP',
  'GITLAB_CI',
  'CI_PROJECT_PATH_SLUG',
  'CI_JOB_ID',
  'CIRCLECI',
  'CIRCLE_PROJECT_REPONAME',
  'CIRCLE_BUILD_NUM',
  'BITBUCKET_BUILD_NUMBER',
  'BITBUCKET_REPO_SLUG',
  'BUILDKITE',
  'BUILDKITE_PIPELINE_SLUG',
  'BUILDKITE_BUILD_NUMBER',
  'BUILDKITE_JOB_ID',
] as const;

export function detectCi(env: Readonly<Record<string, string | undefined>>): CiContext {
  const vars: Record<string, string> = {};
  for (const name of CONTEXT_VARS) {
    const value = env[name];
    if (value !== undefined && value !== '') vars[name] = value;
  }
  // JENKINS_ID_TOKEN_REQUEST_URL is set by the keyless-aws Jenkins step (withAwsIdToken) and by nothing else: on its
  // own it marks a Jenkins build, as ACTIONS_ID_TOKEN_REQUEST_URL marks a GitHub job (whose GITHUB_ACTIONS wins).
  const kind: CiContext['kind'] =
    env.GITHUB_ACTIONS === 'true'
      ? 'github'
      : env.JENKINS_URL || (env.BUILD_NUMBER && env.JOB_NAME) || env.JENKINS_ID_TOKEN_REQUEST_URL
        ? 'jenkins'
        : env.GITLAB_CI
          ? 'gitlab'
          : env.CIRCLECI
            ? 'circleci'
            : env.BITBUCKET_BUILD_NUMBER
              ? 'bitbucket'
              : env.BUILDKITE
                ? 'buildkite'
                : 'none';
  return { kind, vars };
}

const SESSION_NAME_CHAR = /[^\w+=,.@-]/g;

/** STS accepts 2-64 characters of [\w+=,.@-]; a default built from CI names must be made to fit. */
export function sanitizeSessionName(raw: string): string {
  const cleaned = raw.replace(SESSION_NAME_CHAR, '-').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : 'keyless-aws';
}

/**
 * Default role session name. In the Cognito flow on GitHub it is `<run_id>@<sha>` (52 characters), which a trust
 * policy can pin with `sts:RoleSessionName = ${aws:RequestTag/run_id}@${aws:RequestTag/sha}`.
 */
export function defaultSessionName(ci: CiContext, cognito: boolean): string {
  const v = ci.vars;
  switch (ci.kind) {
    case 'github':
      if (cognito && v.GITHUB_RUN_ID && v.GITHUB_SHA) return sanitizeSessionName(`${v.GITHUB_RUN_ID}@${v.GITHUB_SHA}`);
      return 'GitHubActions';
    case 'jenkins':
      if (cognito && v.BUILD_NUMBER && v.GIT_COMMIT) return sanitizeSessionName(`${v.BUILD_NUMBER}@${v.GIT_COMMIT}`);
      return sanitizeSessionName(`Jenkins-${v.JOB_BASE_NAME ?? v.JOB_NAME ?? 'job'}-${v.BUILD_NUMBER ?? '0'}`);
    case 'gitlab':
      return sanitizeSessionName(`GitLab-${v.CI_PROJECT_PATH_SLUG ?? 'project'}-${v.CI_JOB_ID ?? '0'}`);
    case 'circleci':
      return sanitizeSessionName(`CircleCI-${v.CIRCLE_PROJECT_REPONAME ?? 'project'}-${v.CIRCLE_BUILD_NUM ?? '0'}`);
    case 'bitbucket':
      return sanitizeSessionName(`Bitbucket-${v.BITBUCKET_REPO_SLUG ?? 'repo'}-${v.BITBUCKET_BUILD_NUMBER ?? '0'}`);
    case 'buildkite':
      return sanitizeSessionName(
        `Buildkite-${v.BUILDKITE_PIPELINE_SLUG ?? 'pipeline'}-${v.BUILDKITE_BUILD_NUMBER ?? '0'}`,
      );
    default:
      return 'keyless-aws';
  }
}
