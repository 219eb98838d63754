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
  | AzureDevOpsSourceSpec
  | EntraSourceSpec
  /** A person's ID token from `auth <provider>` (never from settings: the auth command puts it here). */
  | { readonly kind: 'signed-in'; readonly provider: string; readonly value: string };

/** An Azure Pipelines job's token: POST $SYSTEM_OIDCREQUESTURI with the job's System.AccessToken. */
export interface AzureDevOpsSourceSpec {
  readonly kind: 'azure-devops';
  readonly url: string;
  /** System.AccessToken; a secret. */
  readonly accessToken: string;
  /** Absent: the pipeline's own token (sub p://org/project/pipeline) instead of a service connection's. */
  readonly serviceConnectionId?: string;
}

/** How an Entra ID access token is obtained without a secret on the machine. */
export type EntraCredential =
  /** VM/VMSS instance metadata (`Metadata: true`) or App Service/Functions/Container Apps (`X-IDENTITY-HEADER`). */
  | { readonly kind: 'imds'; readonly url: string; readonly clientId?: string }
  | { readonly kind: 'app-service'; readonly url: string; readonly header: string; readonly clientId?: string }
  /** A federated token in a file (AKS workload identity) exchanged as a client assertion. */
  | {
      readonly kind: 'assertion-file';
      readonly tokenUrl: string;
      readonly clientId: string;
      readonly path: string;
    }
  /** An app registration's certificate (PEM: private key and certificate) signing a client assertion. */
  | {
      readonly kind: 'certificate';
      readonly tokenUrl: string;
      readonly clientId: string;
      readonly path: string;
    };

/** An Entra ID access token for `resource` (App ID URI or client id), the token AWS is given. */
export interface EntraSourceSpec {
  readonly kind: 'entra';
  readonly resource: string;
  readonly credential: EntraCredential;
}

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

/** A further role of the run (the `profiles` input), delivered as a named profile. Nothing here is secret. */
export interface ProfileRole {
  readonly name: string;
  readonly roleArn: string;
  readonly region: string;
  readonly durationSeconds: number;
  readonly roleSessionName: string;
  readonly audience: string;
  readonly managedSessionPolicies: readonly string[];
  readonly inlineSessionPolicy?: string;
  /** AssumeRole into this role, signed with the web-identity session's credentials (role chaining). */
  readonly chainRoleArn?: string;
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
  /** How the user gave the settings that STS errors are about (input, flag or environment variable), for messages. */
  readonly inputLabels: {
    readonly inlineSessionPolicy: string;
    readonly managedSessionPolicies: string;
    readonly customTags: string;
  };

  readonly awsProfile?: string;
  /** Further roles assumed with the same token(s), in parallel, all or nothing; each becomes a named profile. */
  readonly profiles: readonly ProfileRole[];
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
  /** For --debug: where each given setting came from, and the credential and token source chosen, and why. */
  readonly provenance: readonly string[];
}
