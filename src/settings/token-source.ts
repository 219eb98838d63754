import { isAbsolute, resolve } from 'node:path';
import { InputError, TokenError } from '../errors';
import { shownValue } from '../secrets';
import { azureDevOpsSource, entraRequested, entraSource, inAzurePipelines } from './microsoft-sources';
import type { TokenSourceSpec } from './types';
import type { SettingsReader } from './values';

/** Kubernetes projects service-account tokens through a chain of symlinks (`..data/token`); those are safe. */
const KUBERNETES_TOKEN_PATH = /^\/var\/run\/secrets\/[^/]+\/serviceaccount\/token$/;

/** Conventional variables of the CIs whose tokens arrive in the environment. */
export const ENV_SHORTHANDS: Readonly<Record<string, readonly string[]>> = {
  gitlab: ['GITLAB_OIDC_TOKEN', 'AWS_ID_TOKEN', 'ID_TOKEN'],
  circleci: ['CIRCLE_OIDC_TOKEN_V2', 'CIRCLE_OIDC_TOKEN'],
  bitbucket: ['BITBUCKET_STEP_OIDC_TOKEN'],
};

export const TOKEN_SOURCE_NAMES = [
  'auto',
  'github',
  'jenkins',
  'file',
  'env:<VAR>',
  'gitlab',
  'circleci',
  'bitbucket',
  'buildkite',
  'azure-devops',
  'entra',
];

function fileSource(path: string, base: string): TokenSourceSpec {
  const absolute = isAbsolute(path) ? path : resolve(base, path);
  return { kind: 'file', path: absolute, allowSymlink: KUBERNETES_TOKEN_PATH.test(absolute) };
}

/** Where a chosen source takes its token from, for the debug line; names and paths only, never a value. */
function describeSpec(spec: TokenSourceSpec): string {
  switch (spec.kind) {
    case 'github':
      return 'github (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN present)';
    case 'jenkins':
      return 'jenkins (JENKINS_ID_TOKEN_REQUEST_URL and _TOKEN present)';
    case 'file':
      return `file ${spec.path}`;
    case 'env':
      return `environment variable ${spec.variable}`;
    default:
      return spec.kind;
  }
}

const AUTO_ORDER = 'web-identity-token-file, github, jenkins, GitLab/CircleCI/Bitbucket variables, buildkite';

/**
 * Turns `token-source` (and the environment) into one concrete source. Only names and where to look are decided
 * here; nothing is fetched. `auto` follows a documented order and, when it finds nothing, says what it looked for.
 */
export function resolveTokenSource(read: SettingsReader, fileBase: string): TokenSourceSpec {
  const spec = chooseTokenSource(read, fileBase);
  const choice = read.string('token-source');
  const why = choice
    ? `asked for by ${read.label('token-source')}`
    : read.source.mode === 'action'
      ? 'auto: the action takes web-identity-token-file, else the GitHub token'
      : `auto order: ${AUTO_ORDER}`;
  read.decide(`token source: ${describeSpec(spec)}; ${why}`);
  return spec;
}

function chooseTokenSource(read: SettingsReader, fileBase: string): TokenSourceSpec {
  const env = read.source.env;
  const choice = read.string('token-source') ?? 'auto';
  const tokenFile = read.string('web-identity-token-file');

  const endpoint = (kind: 'github' | 'jenkins'): TokenSourceSpec | undefined => {
    const prefix = kind === 'github' ? 'ACTIONS' : 'JENKINS';
    const url = env[`${prefix}_ID_TOKEN_REQUEST_URL`];
    const requestToken = env[`${prefix}_ID_TOKEN_REQUEST_TOKEN`];
    return url && requestToken ? { kind, url, requestToken } : undefined;
  };
  const fromEnv = (variables: readonly string[]): TokenSourceSpec | undefined => {
    for (const variable of variables) {
      const value = env[variable]?.trim();
      if (value) return { kind: 'env', variable, value };
    }
    return undefined;
  };
  const buildkite = (): TokenSourceSpec | undefined =>
    env.BUILDKITE_AGENT_ACCESS_TOKEN && env.BUILDKITE_JOB_ID
      ? { kind: 'buildkite', command: 'buildkite-agent' }
      : undefined;

  const need = (found: TokenSourceSpec | undefined, what: string): TokenSourceSpec => {
    if (found) return found;
    throw new TokenError('NoToken', `token source "${choice}" found no token: ${what} is not set.`, {
      hint:
        read.source.mode === 'action'
          ? 'Give the job permissions: id-token: write, or set the web-identity-token-file or token-source input.'
          : 'Check that the CI grants an ID token to this job, or choose another --token-source.',
    });
  };

  if (choice.startsWith('env:')) {
    const variable = choice.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
      throw new InputError(
        `${read.label('token-source')}: ${shownValue(variable)} is not a valid environment variable name.`,
      );
    }
    return need(fromEnv([variable]), variable);
  }
  switch (choice) {
    case 'github':
      return need(endpoint('github'), 'ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN');
    case 'jenkins':
      return need(endpoint('jenkins'), 'JENKINS_ID_TOKEN_REQUEST_URL / JENKINS_ID_TOKEN_REQUEST_TOKEN');
    case 'file':
      if (!tokenFile) {
        const variables = read.fallbacks('web-identity-token-file');
        throw new InputError(
          `token source "file" needs ${read.label('web-identity-token-file')}${variables.length > 0 ? ` (or ${variables.join(' / ')})` : ''}.`,
        );
      }
      return fileSource(tokenFile, fileBase);
    case 'gitlab':
    case 'circleci':
    case 'bitbucket': {
      const variables = ENV_SHORTHANDS[choice] ?? [];
      return need(fromEnv(variables), variables.join(' / '));
    }
    case 'buildkite':
      return need(buildkite(), 'BUILDKITE_AGENT_ACCESS_TOKEN / BUILDKITE_JOB_ID');
    case 'azure-devops':
      return azureDevOpsSource(read);
    case 'entra':
      return entraSource(read, fileBase);
    case 'auto': {
      if (tokenFile) return fileSource(tokenFile, fileBase);
      if (read.source.mode === 'action') {
        // The action takes the workflow's GitHub token only: other CIs' variables (and a pod's AWS_* token file) on a
        // self-hosted runner belong to the machine, not to the workflow. token-source and web-identity-token-file
        // remain the explicit ways to use another token.
        const github = endpoint('github');
        if (github) return github;
        throw new TokenError('NoToken', 'No CI OIDC token found.', {
          hint:
            'The action uses the GitHub ID token (ACTIONS_ID_TOKEN_REQUEST_URL + ACTIONS_ID_TOKEN_REQUEST_TOKEN, present when the job has permissions: id-token: write) or the file in the web-identity-token-file input. ' +
            "It never takes AWS_WEB_IDENTITY_TOKEN_FILE or another CI's variables from the environment: on a self-hosted runner those belong to the machine.",
        });
      }
      const found =
        endpoint('github') ?? endpoint('jenkins') ?? fromEnv(Object.values(ENV_SHORTHANDS).flat()) ?? buildkite();
      if (found) return found;
      // In a pipeline without System.AccessToken mapped, say which YAML lines to add rather than "nothing found".
      if (inAzurePipelines(env)) return azureDevOpsSource(read);
      // A machine's managed identity never wins on its own: only a run that names the Entra resource gets one.
      if (entraRequested(read)) return entraSource(read, fileBase);
      throw new TokenError('NoToken', 'No CI OIDC token found.', {
        hint:
          'Looked for, in order: --web-identity-token-file / WEB_IDENTITY_TOKEN_FILE / AWS_WEB_IDENTITY_TOKEN_FILE; ACTIONS_ID_TOKEN_REQUEST_URL + ACTIONS_ID_TOKEN_REQUEST_TOKEN (GitHub, needs permissions: id-token: write); JENKINS_ID_TOKEN_REQUEST_URL + JENKINS_ID_TOKEN_REQUEST_TOKEN (keyless-aws token service); ' +
          `${Object.values(ENV_SHORTHANDS).flat().join(', ')}; BUILDKITE_AGENT_ACCESS_TOKEN + BUILDKITE_JOB_ID; TF_BUILD + SYSTEM_OIDCREQUESTURI (Azure Pipelines); entra-resource / ENTRA_RESOURCE (Entra ID, CLI only). ` +
          'Set one of them, or pass --token-source env:<VAR> for a token in another variable.',
      });
    }
    default:
      throw new InputError(
        `${read.label('token-source')} must be one of ${TOKEN_SOURCE_NAMES.join(', ')}; got ${shownValue(choice)}.`,
      );
  }
}
