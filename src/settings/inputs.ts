/**
 * The one table of settings. The GitHub Action reads them as `INPUT_<NAME>`, the CLI as `--<name>`. The CLI falls back
 * to the environment variables listed in `env`; the action only to those configure-aws-credentials reads (see
 * `actionEnv`). A test keeps action.yml and this table in step.
 */
export interface InputSpec {
  readonly name: string;
  readonly description: string;
  /** Environment variables the CLI consults, in order, when the flag is empty. */
  readonly env: readonly string[];
  /** Environment variables the action consults when the input is empty (a subset of `env`). */
  readonly actionEnv: readonly string[];
  /** Secret-bearing inputs are refused as CLI flags (argv is visible in `ps` and `sh -x`). */
  readonly secret?: boolean;
  /** Only meaningful inside GitHub Actions. */
  readonly actionOnly?: boolean;
  readonly boolean?: boolean;
}

const upperSnake = (name: string) => name.toUpperCase().replace(/-/g, '_');

/**
 * The inputs configure-aws-credentials (v6, `translateEnvVariables`) also takes from the UPPER_SNAKE variable of the
 * same name. The action reads exactly these and nothing else from the environment: on a self-hosted runner in
 * Kubernetes, AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and friends are the pod's identity, not the workflow's.
 */
const PEER_ENV_INPUTS: ReadonlySet<string> = new Set([
  'aws-region',
  'role-to-assume',
  'web-identity-token-file',
  'role-chaining',
  'audience',
  'mask-aws-account-id',
  'role-duration-seconds',
  'role-external-id',
  'role-session-name',
  'role-skip-session-tagging',
  'transitive-tag-keys',
  'inline-session-policy',
  'managed-session-policies',
  'output-credentials',
  'unset-current-credentials',
  'disable-retry',
  'retry-max-attempts',
  'special-characters-workaround',
  'use-existing-credentials',
  'overwrite-aws-profile',
  'http-proxy',
  'no-proxy',
]);

function input(name: string, description: string, extra: Partial<Omit<InputSpec, 'actionEnv'>> = {}): InputSpec {
  const env = extra.env ?? [upperSnake(name)];
  const actionEnv = PEER_ENV_INPUTS.has(name) ? [upperSnake(name)] : [];
  return { name, description, ...extra, env, actionEnv };
}

export const INPUTS: readonly InputSpec[] = [
  input('aws-region', 'AWS region for STS and the exported AWS_REGION/AWS_DEFAULT_REGION (required).', {
    env: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
  }),
  input(
    'role-to-assume',
    'ARN of the role to assume (a bare role name only when source credentials give the account).',
    {
      env: ['ROLE_TO_ASSUME', 'AWS_ROLE_ARN'],
    },
  ),
  input(
    'audience',
    "Audience of the requested OIDC token (default: the STS audience of the region's partition, sts.amazonaws.com or sts.amazonaws.com.cn in China; cognito-identity.amazonaws.com in the Cognito flow).",
  ),
  input(
    'role-session-name',
    'Role session name (default GitHubActions on GitHub; Jenkins-<job>-<build> on Jenkins; <run_id>@<sha> in the Cognito flow).',
    {
      env: ['ROLE_SESSION_NAME', 'AWS_ROLE_SESSION_NAME'],
    },
  ),
  input('role-duration-seconds', 'Session duration in seconds, 900-43200 (default 3600).'),
  input(
    'web-identity-token-file',
    'File holding the OIDC token (relative paths are relative to GITHUB_WORKSPACE in the action).',
    {
      env: ['WEB_IDENTITY_TOKEN_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE'],
    },
  ),
  input('role-chaining', 'Assume role-to-assume with the credentials already in the environment.', { boolean: true }),
  input('aws-access-key-id', 'Access key id to assume the role with (or to export as is when no role is given).', {
    env: [],
    secret: true,
    actionOnly: true,
  }),
  input('aws-secret-access-key', 'Secret access key that goes with aws-access-key-id.', {
    env: [],
    secret: true,
    actionOnly: true,
  }),
  input('aws-session-token', 'Session token that goes with temporary access keys.', {
    env: [],
    secret: true,
    actionOnly: true,
  }),
  // No AWS_PROFILE fallback: that variable selects the profile to read, and a job-level AWS_PROFILE must not turn
  // every run into a profile write.
  input(
    'aws-profile',
    'Write the credentials to this named profile instead of (or as well as) environment variables.',
    {
      env: [],
    },
  ),
  input(
    'profiles',
    'Further roles, one profile per line: <name>=<role-arn> [region=…] [duration=…] [session-name=…] [audience=…] [managed-session-policies=…] [chain=<role-arn>]. All or nothing.',
    { env: [] },
  ),
  input('overwrite-aws-profile', 'Replace the profile when it already exists.', { boolean: true }),
  input('http-proxy', 'Proxy for every HTTP request (default: HTTPS_PROXY/HTTP_PROXY).'),
  input('no-proxy', 'Comma-separated hosts that bypass the proxy (default: NO_PROXY).'),
  input('mask-aws-account-id', 'Mask the account id and role ARN in logs, failure messages included.', {
    boolean: true,
  }),
  input('role-external-id', 'External id for AssumeRole with access keys or role chaining.'),
  input('role-skip-session-tagging', 'Do not send the GitHub session tags on AssumeRole.', { boolean: true }),
  input('transitive-tag-keys', 'Session tag keys to make transitive, one per line.'),
  input('inline-session-policy', 'Inline session policy (JSON).'),
  input('managed-session-policies', 'Managed session policy ARNs, one per line.'),
  input('output-credentials', 'Also set the credentials as step outputs.', { boolean: true, actionOnly: true }),
  input(
    'output-env-credentials',
    'Export the credentials as environment variables (default true unless aws-profile is set).',
    {
      boolean: true,
      actionOnly: true,
    },
  ),
  input('unset-current-credentials', 'Ignore the credentials already in the environment.', { boolean: true }),
  input('disable-retry', 'Make one attempt only.', { boolean: true }),
  input('retry-max-attempts', 'Attempts for transient failures (default 12).'),
  input('special-characters-workaround', 'Re-assume until the secret access key is alphanumeric.', { boolean: true }),
  input('use-existing-credentials', 'Keep valid credentials already in the environment instead of assuming again.', {
    boolean: true,
  }),
  input('allowed-account-ids', 'Comma-separated account ids the credentials must belong to.'),
  input('force-skip-oidc', 'Do not use GitHub OIDC even when an ID token can be requested.', { boolean: true }),
  input('action-timeout-s', 'Upper bound for the whole run in seconds (default 300).'),
  input(
    'network-timeout-s',
    'Stop retrying an endpoint that does not answer after this many seconds (default 30; each attempt waits at most 10 s).',
  ),
  input('custom-tags', 'Extra session tags for AssumeRole with access keys, as a JSON object.'),
  input('sts-endpoint', 'STS endpoint URL (wins over AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL).'),
  input('cognito-identity-pool-id', 'Cognito identity pool id (<region>:<uuid>); selects the Cognito classic flow.'),
  input('cognito-provider-name', 'Logins key for Cognito (default: the CI token iss without https://).'),
  input('cognito-region', 'Region of the Cognito calls (default: the pool id prefix).'),
  input('cognito-endpoint', 'Cognito Identity endpoint URL (wins over AWS_ENDPOINT_URL_COGNITO_IDENTITY).'),
  input('aws-account-id', 'Account id passed to Cognito GetId.'),
  input(
    'token-source',
    'Where the CI token comes from: auto, github, jenkins, file, env:<VAR>, gitlab, circleci, bitbucket, buildkite, azure-devops, entra.',
  ),
  input(
    'azure-service-connection-id',
    'Azure Pipelines: id of the service connection whose token to request (default: the pipeline token).',
    { env: ['AZURE_SERVICE_CONNECTION_ID', 'AZURESUBSCRIPTION_SERVICE_CONNECTION_ID'] },
  ),
  input(
    'entra-resource',
    'Entra ID: App ID URI or client id of the application that stands for AWS (token source entra).',
  ),
  input('entra-client-id', 'Entra ID: client id of the user-assigned managed identity or app registration.', {
    env: ['ENTRA_CLIENT_ID', 'AZURE_CLIENT_ID'],
  }),
  input('entra-tenant-id', 'Entra ID: tenant id, for a federated assertion or a certificate.', {
    env: ['ENTRA_TENANT_ID', 'AZURE_TENANT_ID'],
  }),
  input('entra-certificate-file', "Entra ID: PEM file with the app registration's private key and certificate.", {
    env: ['ENTRA_CERTIFICATE_FILE', 'AZURE_CLIENT_CERTIFICATE_PATH'],
  }),
  input(
    'refreshable-credentials',
    'Export a credential_process profile that refreshes itself instead of static keys.',
    {
      boolean: true,
    },
  ),
];

export const INPUT_NAMES: ReadonlySet<string> = new Set(INPUTS.map((i) => i.name));

export function inputSpec(name: string): InputSpec {
  const spec = INPUTS.find((i) => i.name === name);
  if (!spec) throw new Error(`unknown input ${name}`);
  return spec;
}
