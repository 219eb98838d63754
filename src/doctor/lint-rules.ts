// The doctor's lint rules over role trust policies. Each rule looks at one statement (or IAM's refusal of a policy)
// and returns findings with a rule id, severity, message and fix; the caller adds file, line and role.
import type { IamModel, OidcProvider } from '../emulator/iam-model';
import { globMatches, type PolicyStatement, SHARED_OIDC_PROVIDERS } from '../policy';
import type { ParsedCondition } from '../policy/conditions';
import type { PolicyPath } from './role-sources';

export type Severity = 'error' | 'warning' | 'note';

export interface RuleFinding {
  rule: string;
  severity: Severity;
  message: string;
  fix: string;
  /** Path inside the trust policy the finding is about. */
  path: PolicyPath;
}

export interface RuleInfo {
  id: string;
  severity: Severity;
  summary: string;
}

/** Every rule, for the README table, `--help` and SARIF's rule list. */
export const RULES: readonly RuleInfo[] = [
  {
    id: 'shared-provider-without-sub',
    severity: 'error',
    summary:
      'A shared OIDC provider (GitHub, GitLab, Cognito, …) is trusted without a condition on the claim IAM requires (sub, aud): IAM refuses the role.',
  },
  {
    id: 'iam-refuses-policy',
    severity: 'error',
    summary: 'IAM would refuse this trust policy (MalformedPolicyDocument).',
  },
  {
    id: 'sub-wildcard-any-org',
    severity: 'error',
    summary: 'A sub pattern admits any organisation or any repository owner.',
  },
  {
    id: 'sub-wildcard-any-repo',
    severity: 'warning',
    summary: 'A sub pattern admits every repository of an owner (including ones created later).',
  },
  {
    id: 'string-equals-wildcard',
    severity: 'error',
    summary: 'StringEquals compares * and ? literally, so the value never matches a real claim.',
  },
  {
    id: 'string-like-without-wildcard',
    severity: 'note',
    summary: 'StringLike without * or ? is an exact comparison: StringEquals says so.',
  },
  {
    id: 'sub-missing',
    severity: 'error',
    summary:
      'An IAM OIDC provider is trusted without a condition on its sub claim: every workload the provider issues a token with an accepted audience to can assume the role.',
  },
  {
    id: 'aud-missing',
    severity: 'warning',
    summary: 'An OIDC provider is trusted without a condition on its aud claim.',
  },
  {
    id: 'aud-not-client-id',
    severity: 'error',
    summary: "The aud condition expects a value that is not among the provider's client ids, so no token can match.",
  },
  {
    id: 'condition-key-host',
    severity: 'error',
    summary:
      'A condition key names a different host than the trusted provider (typo, https://, trailing slash): the key is always absent.',
  },
  {
    id: 'cognito-without-aud',
    severity: 'error',
    summary: 'A Cognito trust without cognito-identity.amazonaws.com:aud admits identities of every identity pool.',
  },
  {
    id: 'cognito-without-amr',
    severity: 'warning',
    summary: 'A Cognito trust without amr = authenticated admits unauthenticated (guest) identities.',
  },
  {
    id: 'variable-without-version',
    severity: 'error',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM policy-variable syntax, not a template literal
    summary: '${…} policy variables are literal text unless the policy has "Version": "2012-10-17".',
  },
  {
    id: 'set-operator-single-valued',
    severity: 'warning',
    summary: 'ForAnyValue/ForAllValues on a single-valued key (ForAllValues is true when the key is absent).',
  },
  {
    id: 'fork-pull-request',
    severity: 'warning',
    summary: 'Pull-request workflows (which forks can trigger) can assume this role.',
  },
  {
    id: 'github-immutable-subject',
    severity: 'note',
    summary:
      "A sub value names the owner/repository by name only: it stops matching when GitHub's immutable subject format (owner-<id>/repo-<id>) applies to the repository.",
  },
];

const GITHUB = 'token.actions.githubusercontent.com';
const COGNITO = 'cognito-identity.amazonaws.com';
const MULTI_VALUED_CLAIMS = new Set(['amr', 'aud', 'oaud']);
const MULTI_VALUED_KEYS = new Set(['aws:tagkeys', 'sts:transitivetagkeys']);

function ruleSeverity(id: string): Severity {
  return RULES.find((r) => r.id === id)?.severity ?? 'warning';
}

function finding(rule: string, message: string, fix: string, path: PolicyPath): RuleFinding {
  return { rule, severity: ruleSeverity(rule), message, fix, path };
}

function providerName(federated: string): string {
  return /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/(.+)$/.exec(federated)?.[1] ?? federated;
}

/** The provider names a statement trusts through `Federated`. */
export function federatedNames(s: PolicyStatement): string[] {
  if (!s.principal || s.principal === '*') return [];
  return (s.principal.Federated ?? []).map(providerName);
}

function keyPrefix(key: string): string {
  return key.slice(0, key.lastIndexOf(':'));
}

function claimOf(key: string): string {
  return key.slice(key.lastIndexOf(':') + 1).toLowerCase();
}

function conditionPath(s: PolicyStatement, c: ParsedCondition): PolicyPath {
  return ['Statement', s.index, 'Condition', c.operator.name, c.key];
}

function positiveOn(s: PolicyStatement, key: string): ParsedCondition[] {
  return s.conditions.filter((c) => !c.operator.negated && c.key.toLowerCase() === key.toLowerCase());
}

function subWildcards(s: PolicyStatement, provider: string): RuleFinding[] {
  if (provider !== GITHUB && !provider.startsWith(`${GITHUB}/`)) return [];
  const out: RuleFinding[] = [];
  for (const c of positiveOn(s, `${provider}:sub`).filter((c) => c.operator.comparison === 'like')) {
    for (const value of c.values) {
      const repo = /^repo:([^:]*)/.exec(value)?.[1];
      const owner = repo?.split('/')[0] ?? value;
      if (repo === undefined && !/^[*?]/.test(value)) continue;
      if (/[*?]/.test(owner)) {
        out.push(
          finding(
            'sub-wildcard-any-org',
            `sub value "${value}" admits repositories of any owner`,
            'name the owner and repository: repo:<owner>/<repo>:…',
            conditionPath(s, c),
          ),
        );
      } else if (repo && /[*?]/.test(repo.split('/')[1] ?? '*')) {
        out.push(
          finding(
            'sub-wildcard-any-repo',
            `sub value "${value}" admits every repository of ${owner}`,
            `list the repositories: repo:${owner}/<repo>:…`,
            conditionPath(s, c),
          ),
        );
      }
    }
  }
  return out;
}

function operatorMistakes(s: PolicyStatement): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const c of s.conditions.filter((c) => c.operator.family === 'String')) {
    const wild = c.values.filter((v) => /[*?]/.test(v.replace(/\$\{[*?$]\}/g, '')));
    if (c.operator.comparison !== 'like' && wild.length > 0) {
      const like = c.operator.name.replace('StringEquals', 'StringLike').replace('StringNotEquals', 'StringNotLike');
      out.push(
        finding(
          'string-equals-wildcard',
          `${c.operator.name} ${c.key} has ${JSON.stringify(wild)}: * and ? are compared literally`,
          `use ${like}`,
          conditionPath(s, c),
        ),
      );
    }
    // `ForAnyValue:StringLike …:amr = authenticated` is the form AWS documents for Cognito; leave it be.
    const documentedAmr = claimOf(c.key) === 'amr' && c.operator.set === 'ForAnyValue';
    if (c.operator.comparison === 'like' && wild.length === 0 && !documentedAmr) {
      const equals = c.operator.name.replace('StringLike', 'StringEquals').replace('StringNotLike', 'StringNotEquals');
      out.push(
        finding(
          'string-like-without-wildcard',
          `${c.operator.name} ${c.key} has no * or ?`,
          `use ${equals}`,
          conditionPath(s, c),
        ),
      );
    }
  }
  return out;
}

function audienceRules(s: PolicyStatement, provider: string, known: OidcProvider | undefined): RuleFinding[] {
  if (provider === COGNITO || SHARED_OIDC_PROVIDERS[provider]?.requiredKey === 'aud') return [];
  const conditions = positiveOn(s, `${provider}:aud`);
  if (conditions.length === 0) {
    const ids = known?.clientIds.join(', ') ?? 'sts.amazonaws.com';
    return [
      finding(
        'aud-missing',
        `${s.label} trusts ${provider} without a condition on ${provider}:aud`,
        `add "StringEquals": {"${provider}:aud": "${known?.clientIds[0] ?? 'sts.amazonaws.com'}"} (the provider's client ids: ${ids})`,
        ['Statement', s.index],
      ),
    ];
  }
  if (!known) return [];
  const out: RuleFinding[] = [];
  for (const c of conditions) {
    const strays = c.values.filter(
      (v) => !known.clientIds.some((id) => (c.operator.comparison === 'like' ? globMatches(v, id) : v === id)),
    );
    if (strays.length === c.values.length) {
      out.push(
        finding(
          'aud-not-client-id',
          `${c.key} expects ${JSON.stringify(c.values)}, none of which is a client id of ${known.arn} (${JSON.stringify(known.clientIds)})`,
          `expect one of ${known.clientIds.join(', ')}, or add the audience to the provider's ClientIdList`,
          conditionPath(s, c),
        ),
      );
    }
  }
  return out;
}

/**
 * An IAM OIDC provider (not a built-in one such as Cognito, whose rules are their own, nor a shared provider, where
 * IAM itself refuses the trust) trusted without a positive condition on `<provider>:sub`.
 */
function subjectRules(s: PolicyStatement, provider: string): RuleFinding[] {
  if (provider === COGNITO || SHARED_OIDC_PROVIDERS[provider] || positiveOn(s, `${provider}:sub`).length > 0) return [];
  const named = s.principal && s.principal !== '*' ? (s.principal.Federated ?? []) : [];
  if (!named.some((f) => /:oidc-provider\//.test(f) && providerName(f) === provider)) return [];
  return [
    finding(
      'sub-missing',
      `${s.label} trusts ${provider} without a condition on ${provider}:sub: any workload that gets a token with an accepted audience can assume the role`,
      `add "StringEquals": {"${provider}:sub": "<the workload's subject>"}`,
      ['Statement', s.index],
    ),
  ];
}

function normalisedHost(prefix: string): string {
  return prefix
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
}

function keyHostRules(s: PolicyStatement, providers: string[], model: IamModel): RuleFinding[] {
  if (providers.length === 0) return [];
  const out: RuleFinding[] = [];
  const known = new Set([...providers, ...model.listProviders().map((p) => p.name)].map((p) => p.toLowerCase()));
  for (const c of s.conditions) {
    const prefix = keyPrefix(c.key);
    const lower = prefix.toLowerCase();
    if (lower === 'aws' || lower === 'sts' || known.has(lower)) continue;
    const meant =
      providers.find((p) => normalisedHost(prefix) === p.toLowerCase()) ??
      providers.find((p) => closeTo(lower, p.toLowerCase()));
    const why = /^https?:\/\//i.test(prefix)
      ? ' (condition keys have no https://)'
      : prefix.endsWith('/')
        ? ' (no trailing slash)'
        : '';
    out.push(
      finding(
        'condition-key-host',
        `condition key ${c.key} names host ${prefix}, which is not the trusted provider ${providers.join(', ')}${why}: the key is always absent`,
        `write the key as ${meant ?? providers[0]}:${c.key.slice(prefix.length + 1)}`,
        conditionPath(s, c),
      ),
    );
  }
  return out;
}

function closeTo(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 3) return false;
  let diff = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) diff++;
  return diff <= 3 || normalisedHost(a) === normalisedHost(b);
}

function cognitoRules(s: PolicyStatement): RuleFinding[] {
  const amr = s.conditions.filter(
    (c) => c.key.toLowerCase() === `${COGNITO}:amr` && !c.operator.negated && c.values.includes('authenticated'),
  );
  if (amr.length > 0) return [];
  return [
    finding(
      'cognito-without-amr',
      `${s.label} trusts Cognito without amr = authenticated`,
      `add "ForAnyValue:StringLike": {"${COGNITO}:amr": "authenticated"}`,
      ['Statement', s.index],
    ),
  ];
}

function variableRules(s: PolicyStatement, version: string | undefined): RuleFinding[] {
  if (version === '2012-10-17') return [];
  return s.conditions
    .filter((c) => c.values.some((v) => v.includes('${')))
    .map((c) =>
      finding(
        'variable-without-version',
        `${c.operator.name} ${c.key} uses a \${…} variable but the policy's Version is ${version ?? 'absent'}, so it is compared as literal text`,
        'add "Version": "2012-10-17" to the policy',
        conditionPath(s, c),
      ),
    );
}

function setOperatorRules(s: PolicyStatement): RuleFinding[] {
  return s.conditions
    .filter(
      (c) =>
        c.operator.set &&
        !MULTI_VALUED_KEYS.has(c.key.toLowerCase()) &&
        !MULTI_VALUED_CLAIMS.has(claimOf(c.key)) &&
        !c.key.toLowerCase().startsWith('aws:'),
    )
    .map((c) =>
      finding(
        'set-operator-single-valued',
        `${c.operator.name} on single-valued key ${c.key}${c.operator.set === 'ForAllValues' ? ' is true when the key is absent' : ''}`,
        `use ${c.operator.name.replace(/^For(Any|All)Values:/, '')}`,
        conditionPath(s, c),
      ),
    );
}

/** GitHub subs: the probe a pull_request workflow of a repository the pattern admits would send. */
function forkRules(s: PolicyStatement, provider: string): RuleFinding[] {
  if (provider !== GITHUB) return [];
  const out: RuleFinding[] = [];
  for (const c of positiveOn(s, `${provider}:sub`)) {
    for (const value of c.values) {
      const repo = /^repo:([^:]+)/.exec(value)?.[1]?.replace(/[*?]/g, 'x') ?? 'x/x';
      const probe = `repo:${repo}:pull_request`;
      const hit = c.operator.comparison === 'like' ? globMatches(value, probe) : value === probe;
      if (hit)
        out.push(
          finding(
            'fork-pull-request',
            `sub value "${value}" admits ${probe}: pull-request workflows, which forks can trigger, can assume this role`,
            'trust a protected ref or an environment instead (repo:<o>/<r>:ref:refs/heads/main, repo:<o>/<r>:environment:<name>)',
            conditionPath(s, c),
          ),
        );
    }
  }
  return out;
}

function immutableSubjectRules(s: PolicyStatement, provider: string): RuleFinding[] {
  if (provider !== GITHUB) return [];
  const out: RuleFinding[] = [];
  for (const c of positiveOn(s, `${provider}:sub`)) {
    for (const value of c.values) {
      const m = /^repo:([^/:*?]+)\/([^/:*?]+):/.exec(value);
      if (!m) continue;
      out.push(
        finding(
          'github-immutable-subject',
          `sub value "${value}" names ${m[1]}/${m[2]} by name only; with GitHub's immutable subject claims (opt-in now, default for repositories created or renamed after 2026-06-18) the sub is repo:${m[1]}-<owner id>/${m[2]}-<repository id>:…`,
          `also accept the immutable form (repo:${m[1]}-<repository_owner_id>/${m[2]}-<repository_id>:…), or condition on ${provider}:repository_id`,
          conditionPath(s, c),
        ),
      );
    }
  }
  return out;
}

/** All statement-level rules for one Allow statement of a role's trust policy. */
export function statementFindings(
  s: PolicyStatement,
  version: string | undefined,
  model: IamModel,
  accountId: string,
): RuleFinding[] {
  const out = [...operatorMistakes(s), ...variableRules(s, version), ...setOperatorRules(s)];
  if (s.effect !== 'Allow') return out;
  const providers = federatedNames(s);
  out.push(...keyHostRules(s, providers, model));
  for (const provider of providers) {
    if (provider === COGNITO) out.push(...cognitoRules(s));
    const known = model.listProviders().find((p) => p.name === provider && p.accountId === accountId);
    out.push(
      ...subWildcards(s, provider),
      ...audienceRules(s, provider, known),
      ...subjectRules(s, provider),
      ...forkRules(s, provider),
      ...immutableSubjectRules(s, provider),
    );
  }
  return out;
}

/** IAM's refusal of a policy, as a finding (the role is still linted and judged). */
export function refusalFinding(message: string): RuleFinding {
  const statement = /statement #(\d+)/.exec(message);
  const path: PolicyPath = statement ? ['Statement', Number(statement[1]) - 1] : [];
  const schemeKey = /only one colon\. \((https?:\/\/([^)]*)):([^:)]*)\)/.exec(message);
  if (schemeKey) {
    const host = (schemeKey[2] as string).replace(/\/+$/, '');
    return finding(
      'condition-key-host',
      `condition key ${schemeKey[1]}:${schemeKey[3]} starts with a scheme; IAM refuses it (a condition key can contain only one colon)`,
      `write the key as ${host}:${schemeKey[3]} (condition keys have no https://)`,
      path,
    );
  }
  if (/identity-provider controls/.test(message)) {
    const cognito = message.includes(COGNITO);
    return finding(
      cognito ? 'cognito-without-aud' : 'shared-provider-without-sub',
      message.replace(/^.*MalformedPolicyDocument: /, ''),
      cognito
        ? `add "StringEquals": {"${COGNITO}:aud": "<identity pool id>"}`
        : 'add a condition on the sub claim naming the repositories/projects allowed',
      path,
    );
  }
  return finding(
    'iam-refuses-policy',
    message.replace(/^.*MalformedPolicyDocument: /, ''),
    'fix the statement as the message says; IAM refuses the role otherwise',
    path,
  );
}
