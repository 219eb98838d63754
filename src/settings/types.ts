/** Static access keys given as inputs or found in the environment. Secret: never print. */
export interface StaticKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where the CI's OIDC token comes from. `auto` is resolved to one of these while parsing settings. */
export type TokenSourceSpec =
  | { readonly kind: 'github'; readonly url: string; readonly requestToken: string }
  | { readonly kind: 'jenkins'; readonly url: string; readonly requestToken: string }
  | { readonly kind: 'file'; readonly path: string; readonly allowSymlink: boolean }
  | { readonly kind: 'env'; readonly variable: string; readonly value: string }
  | { readonly kind: 'buildkite'; readonly command: string }
  /** A person's ID token from `auth <provider>` (never from settings: the auth command puts it here). */
  | { readonly kind: 'signed-in'; readonly provider: string; readonly value: string };

/** How the first credentials of the run are obtained. */
export type CredentialSource =
  /** OIDC token → (Cognito) → AssumeRoleWithWebIdentity. */
  | { readonly kind: 'web-identity'; readonly token: TokenSourceSpec }
  /** AssumeRole signed with the given keys, or the keys exported as they are when no role is given. */
  | { readonly kind: 'access-keys'; readonly keys: StaticKeys }
  /** AssumeRole signed with the credentials already exported by an earlier step. */
  | { readonly kind: 'role-chaining'; readonly keys: StaticKeys }
  /** AssumeRole signed with whatever the SDK's default chain finds (self-hosted runner, instance profile). */
  | { readonly kind: 'ambient' };

export interface CognitoSettings {
  readonly identityPoolId: string;
  /** Logins key; undefined means "the token's iss without https://", known only once the token is fetched. */
  readonly providerName?: string;
  readonly region: string;
  readonly endpoint?: string;
  readonly accountId?: string;
}

/** The CI the run happens in, for defaults and session tags. Values are not secret. */
export interface CiContext {
  readonly kind: 'github' | 'jenkins' | 'gitlab' | 'circleci' | 'bitbucket' | 'buildkite' | 'none';
  /** GITHUB_*, JOB_BASE_NAME, BUILD_NUMBER, … as found; only what later stages need. */
  readonly vars: Readonly<Record<string, string>>;
}

export interface Settings {
  readonly region: string;
  /** Full role ARN, or a bare role name when the source account is only known after GetCallerIdentity. */
  readonly roleToAssume?: string;
  readonly audience: string;
  readonly roleSessionName: string;
  readonly roleDurationSeconds: number;
  readonly source: CredentialSource;
  readonly cognito?: CognitoSettings;

  readonly roleExternalId?: string;
  readonly roleSkipSessionTagging: boolean;
  readonly transitiveTagKeys: readonly string[];
  readonly customTags: Readonly<Record<string, string>>;
  readonly inlineSessionPolicy?: string;
  readonly managedSessionPolicies: readonly string[];

  readonly awsProfile?: string;
  readonly overwriteAwsProfile: boolean;
  readonly outputCredentials: boolean;
  readonly outputEnvCredentials: boolean;
  readonly refreshableCredentials: boolean;
  readonly maskAwsAccountId: boolean;
  readonly allowedAccountIds: readonly string[];

  readonly useExistingCredentials: boolean;
  /** Credentials found in the environment (for use-existing-credentials); never used to sign unless chaining. */
  readonly existingCredentials?: StaticKeys;
  /** unset-current-credentials: the SDK's default chain must not pick up the environment's keys either. */
  readonly unsetCurrentCredentials: boolean;
  readonly specialCharactersWorkaround: boolean;

  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly requestTimeoutMs: number;
  /** How long attempts that time out are retried before the endpoint is given up on (network-timeout-s). */
  readonly networkTimeoutMs: number;
  readonly stsEndpoint?: string;
  readonly proxy?: { readonly url: string; readonly noProxy: readonly string[] };

  /** Where profile files live (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE or ~/.aws/…). */
  readonly credentialsFile: string;
  readonly configFile: string;
  readonly ci: CiContext;
  readonly debug: boolean;
}
