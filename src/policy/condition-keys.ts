// Which condition keys exist in an sts:AssumeRole* request, and which claims each web-identity issuer exposes as
// `<provider>:<claim>` keys. One data module so the emulator, the denial explanation and the doctor agree.
//
// Sources (IAM User Guide): "Available keys for AWS OIDC federation" (reference_policies_iam-condition-keys,
// condition-keys-wif), "Identity-provider controls for shared OIDC providers" (id_roles_providers_oidc_secure-by-default).

/** Claims every OIDC provider exposes as `<provider>:<claim>` when the token carries them (the "Default" list). */
const DEFAULT_CLAIM_KEYS = ['aud', 'sub', 'amr', 'azp', 'email', 'oaud'] as const;

/**
 * Provider-specific claims STS exposes for well-known issuers, on top of the default list. GitHub's list is the one
 * the IAM User Guide documents for `token.actions.githubusercontent.com` (available only in the role trust policy,
 * not in the session afterwards). Claims outside these lists are not condition keys: a condition on them sees an
 * absent key, exactly as STS does ("custom claims are unavailable").
 */
const ISSUER_CLAIM_KEYS: Readonly<Record<string, readonly string[]>> = {
  'token.actions.githubusercontent.com': [
    'actor',
    'actor_id',
    'job_workflow_ref',
    'repository',
    'repository_id',
    'repository_owner_id',
    'workflow',
    'ref',
    'environment',
    'enterprise_id',
  ],
  'accounts.google.com': ['aud', 'oaud', 'sub', 'email'],
  'graph.facebook.com': ['app_id', 'id'],
  'www.amazon.com': ['app_id', 'user_id'],
  'cognito-identity.amazonaws.com': ['aud', 'sub', 'amr'],
};

/** Built-in providers whose keys are fixed (no default list on top). */
const FIXED_KEY_ISSUERS = new Set([
  'accounts.google.com',
  'graph.facebook.com',
  'www.amazon.com',
  'cognito-identity.amazonaws.com',
]);

/** The claim names a provider (URL without scheme) exposes as condition keys. */
export function claimKeysOf(providerName: string): readonly string[] {
  // A GitHub Enterprise issuer (`token.actions.githubusercontent.com/<enterprise>`) exposes GitHub's keys too.
  const issuer = providerName.startsWith('token.actions.githubusercontent.com/')
    ? 'token.actions.githubusercontent.com'
    : providerName;
  const extra = ISSUER_CLAIM_KEYS[issuer] ?? [];
  return FIXED_KEY_ISSUERS.has(providerName) ? extra : [...DEFAULT_CLAIM_KEYS, ...extra];
}

function claimValues(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) {
    const strings = value.filter((v): v is string => typeof v === 'string');
    return strings.length > 0 ? strings : undefined;
  }
  return undefined;
}

/**
 * The `<provider>:<claim>` keys a verified token puts into the request context. Google's `aud` key holds `azp` when
 * the token has one, and `oaud` the original audience (documented for accounts.google.com).
 */
export function webIdentityConditionKeys(
  providerName: string,
  claims: Record<string, unknown>,
): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  const google = providerName === 'accounts.google.com' && typeof claims.azp === 'string';
  for (const claim of claimKeysOf(providerName)) {
    let values: string[] | undefined;
    if (google && claim === 'aud') values = [claims.azp as string];
    else if (google && claim === 'oaud') values = claimValues(claims.aud);
    else values = claimValues(claims[claim]);
    if (values) out.push([`${providerName}:${claim}`, values]);
  }
  return out;
}

/**
 * Whether a `<provider>:<claim>` key stays in the role session's request context for later calls. IAM documents
 * that only `amr`, `aud` and `sub` do; the provider-specific keys are "Available in session: No".
 */
export function persistsInSession(key: string): boolean {
  return /:(aud|sub|amr)$/i.test(key);
}

/** A shared OIDC issuer and the claim IAM requires every role trusting it to evaluate. */
export interface SharedProviderControl {
  name: string;
  /** Condition key suffix (`sub`, `aud`) or a full key (`sts:RoleSessionName`). */
  requiredKey: string;
}

/**
 * IAM's "shared OIDC identity providers with identity-provider controls" table (provider URL without scheme).
 * Since 2025 IAM refuses to create or update a role trusting one of these without a condition on the listed claim.
 */
export const SHARED_OIDC_PROVIDERS: Readonly<Record<string, SharedProviderControl>> = {
  'cognito-identity.amazonaws.com': { name: 'Amazon Cognito identity pools', requiredKey: 'aud' },
  'sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d': {
    name: 'Microsoft Azure Sentinel',
    requiredKey: 'sts:RoleSessionName',
  },
  'agent.buildkite.com': { name: 'Buildkite', requiredKey: 'sub' },
  'oidc.codefresh.io': { name: 'Codefresh SaaS', requiredKey: 'sub' },
  'studio.datachain.ai/api': { name: 'DVC Studio', requiredKey: 'sub' },
  'token.actions.githubusercontent.com': { name: 'GitHub Actions', requiredKey: 'sub' },
  'oidc-configuration.audit-log.githubusercontent.com': { name: 'GitHub audit log streaming', requiredKey: 'sub' },
  'vstoken.actions.githubusercontent.com': { name: 'GitHub vstoken', requiredKey: 'sub' },
  'gitlab.com': { name: 'GitLab SaaS', requiredKey: 'sub' },
  'api.pulumi.com/oidc': { name: 'Pulumi Cloud', requiredKey: 'aud' },
  'sandboxes.cloud': { name: 'sandboxes.cloud', requiredKey: 'aud' },
  'scalr.io': { name: 'Scalr', requiredKey: 'sub' },
  'tokens.cloud.shisho.dev': { name: 'Shisho Cloud', requiredKey: 'sub' },
  'app.terraform.io': { name: 'HCP Terraform', requiredKey: 'sub' },
  'proidc.upbound.io': { name: 'Upbound', requiredKey: 'sub' },
  'oidc.vercel.com': { name: 'Vercel', requiredKey: 'aud' },
};

/** Global and STS keys the emulator puts into (or knows to be absent from) an sts:AssumeRole* request context. */
const EVALUABLE_KEYS = new Set(
  [
    'aws:CurrentTime',
    'aws:EpochTime',
    'aws:SecureTransport',
    'aws:FederatedProvider',
    'aws:PrincipalArn',
    'aws:PrincipalAccount',
    'aws:TagKeys',
    'sts:RoleSessionName',
    'sts:SourceIdentity',
    'sts:ExternalId',
    'sts:TransitiveTagKeys',
  ].map((k) => k.toLowerCase()),
);
const EVALUABLE_KEY_PREFIXES = ['aws:requesttag/', 'aws:principaltag/'];

/**
 * Whether the emulator can evaluate a condition key in a trust policy. `<provider>:<claim>` keys always can (an
 * unknown claim is an absent key, as in STS); `aws:`/`sts:` keys only when the emulator fills them; any other prefix
 * (`s3:`, `saml:`, a typo) cannot be judged, so the loader refuses it rather than guessing.
 */
export function isEvaluableKey(key: string): boolean {
  const lower = key.toLowerCase();
  if (EVALUABLE_KEYS.has(lower)) return true;
  if (EVALUABLE_KEY_PREFIXES.some((p) => lower.startsWith(p) && lower.length > p.length)) return true;
  const colon = lower.lastIndexOf(':');
  if (colon <= 0) return false;
  const prefix = lower.slice(0, colon);
  // A web-identity key is prefixed by the provider URL without scheme: a host name (with a dot) and maybe a path.
  return prefix !== 'aws' && prefix !== 'sts' && /^([a-z0-9-]+(\.[a-z0-9-]+)+|localhost)(:\d+)?(\/.*)?$/.test(prefix);
}
