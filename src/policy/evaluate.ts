// IAM's evaluation logic for one policy: a matching Deny decides (explicit deny); otherwise each required action
// needs a matching Allow, else the request is implicitly denied. The decision carries the statement and condition
// that decided it, so the emulator's denial note, the explanation and the doctor derive their "why" from one place.
import type { ConditionVerdict } from './conditions';
import { evaluateConditions } from './conditions';
import type { ConditionContext } from './context';
import { type Policy, type PolicyStatement, type PrincipalSpec, parsePolicy } from './document';

/** Who is asking: a web-identity provider (`Federated`) or an AWS principal (chained/static credentials). */
export type TrustPrincipal =
  | { kind: 'Federated'; provider: string }
  | {
      kind: 'AWS';
      /** The ARNs the caller may be named by in a policy: its own ARN (user or assumed-role), and for a role session the role ARN. */
      arns: string[];
      accountId: string;
    };

export interface RequiredAction {
  action: string;
  /** Why the action is required (e.g. "the token carries session tags"), quoted in the refusal. */
  because?: string;
}

export interface TrustRequest {
  principal: TrustPrincipal;
  actions: RequiredAction[];
  context: ConditionContext;
  /** The resource acted on (the role ARN), for statements with Resource/NotResource. */
  resource?: string;
}

export type StatementStage = 'principal' | 'action' | 'resource' | 'condition';

/** How one statement fared against the request for one action. */
export interface StatementVerdict {
  index: number;
  sid?: string;
  label: string;
  effect: 'Allow' | 'Deny';
  applies: boolean;
  /** Where a statement that does not apply stopped matching. */
  failedAt?: StatementStage;
  /** Conditions evaluated, in order; when `failedAt` is `condition`, the last one is the one that failed. */
  conditions: ConditionVerdict[];
  /** For a statement that applies: whether it named the caller directly or only through its account. */
  principalMatch?: PrincipalMatch;
  reason: string;
}

export type TrustDecision =
  | { allowed: true; statements: StatementVerdict[] }
  | {
      allowed: false;
      action: string;
      /** `explicit` when a Deny statement applied, `implicit` when no Allow did. */
      deny: 'explicit' | 'implicit';
      /** The Deny that applied, or the Allow that came closest; absent when the policy has no candidate. */
      statement?: StatementVerdict;
      reason: string;
    };

function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = [...pattern]
    .map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/**
 * How a statement names the caller. `account`: through the account (its root ARN or bare id), which within one
 * account still needs the caller's identity policies to allow the action (IAM's rule for role trust policies);
 * `direct`: by the caller's own ARN, its role's ARN, a provider, or everyone (`"*"`, NotPrincipal), which suffices.
 */
export type PrincipalMatch = 'direct' | 'account';

/**
 * IAM matches principal ARNs exactly (it accepts no wildcard in them; only `"*"` means everyone). The account root
 * ARN or a bare account id names every principal of that account. A role ARN covers its sessions because a
 * session's `arns` include its role's ARN.
 */
function awsPrincipalMatch(
  entry: string,
  principal: Extract<TrustPrincipal, { kind: 'AWS' }>,
): PrincipalMatch | undefined {
  if (principal.arns.includes(entry)) return 'direct';
  const partition = principal.arns[0]?.split(':')[1] ?? 'aws';
  if (entry === principal.accountId || entry === `arn:${partition}:iam::${principal.accountId}:root`) return 'account';
  return undefined;
}

function principalIn(spec: PrincipalSpec, principal: TrustPrincipal): PrincipalMatch | undefined {
  if (spec === '*') return 'direct';
  // `{"AWS": "*"}` means everyone, as `"*"` does.
  if (spec.AWS?.includes('*')) return 'direct';
  if (principal.kind === 'Federated') return spec.Federated?.includes(principal.provider) ? 'direct' : undefined;
  const matches = (spec.AWS ?? []).map((entry) => awsPrincipalMatch(entry, principal));
  return matches.includes('direct') ? 'direct' : matches.includes('account') ? 'account' : undefined;
}

function describePrincipal(principal: TrustPrincipal): string {
  return principal.kind === 'Federated'
    ? `Federated ${principal.provider}`
    : `AWS ${principal.arns[0] ?? principal.accountId}`;
}

function principalMatch(s: PolicyStatement, principal: TrustPrincipal): PrincipalMatch | undefined {
  if (s.notPrincipal) return principalIn(s.notPrincipal, principal) ? undefined : 'direct';
  return s.principal ? principalIn(s.principal, principal) : undefined;
}

function actionMatches(s: PolicyStatement, action: string): boolean {
  if (s.action) return s.action.some((p) => wildcardMatch(p, action, true));
  return !(s.notAction ?? []).some((p) => wildcardMatch(p, action, true));
}

/** A statement without Resource/NotResource (every trust policy) applies to the role it is attached to. */
function resourceMatches(s: PolicyStatement, resource: string | undefined): boolean {
  if (s.resource) return resource !== undefined && s.resource.some((p) => wildcardMatch(p, resource, false));
  if (s.notResource) return resource === undefined || !s.notResource.some((p) => wildcardMatch(p, resource, false));
  return true;
}

function show(values: readonly string[] | undefined): string {
  if (values === undefined) return '(key absent from the request)';
  return values.length === 1 ? (values[0] as string) : JSON.stringify(values);
}

/** One line naming the condition, the values the policy expects and what the request had. */
export function describeCondition(v: ConditionVerdict): string {
  const expected = v.expected.length === 1 ? v.expected[0] : JSON.stringify(v.expected);
  if (v.unresolvedVariable) {
    return `condition ${v.operator} ${v.key}: the policy variable ${v.unresolvedVariable} in ${expected} has no value in the request`;
  }
  return `condition ${v.operator} ${v.key} = ${expected} ${v.matched ? 'matched' : 'did not match'} ${show(v.actual)}`;
}

function evaluateStatement(
  s: PolicyStatement,
  policy: Policy,
  request: TrustRequest,
  action: string,
): StatementVerdict {
  const base = { index: s.index, sid: s.sid, label: s.label, effect: s.effect, conditions: [] as ConditionVerdict[] };
  const named = principalMatch(s, request.principal);
  if (!named) {
    const reason = `${s.label} does not name principal ${describePrincipal(request.principal)}`;
    return { ...base, applies: false, failedAt: 'principal', reason };
  }
  if (!actionMatches(s, action)) {
    return { ...base, applies: false, failedAt: 'action', reason: `${s.label} does not cover action ${action}` };
  }
  if (!resourceMatches(s, request.resource)) {
    const reason = `${s.label} does not cover resource ${request.resource ?? '(none)'}`;
    return { ...base, applies: false, failedAt: 'resource', reason };
  }
  const { matched, verdicts } = evaluateConditions(s.conditions, request.context, policy.version === '2012-10-17');
  if (!matched) {
    const failed = verdicts[verdicts.length - 1] as ConditionVerdict;
    const reason = `${s.label}: ${describeCondition(failed)}`;
    return { ...base, conditions: verdicts, applies: false, failedAt: 'condition', reason };
  }
  return { ...base, conditions: verdicts, applies: true, principalMatch: named, reason: `${s.label} applies` };
}

const STAGE_RANK: Record<StatementStage, number> = { principal: 0, action: 1, resource: 2, condition: 3 };

/**
 * Allowed when every required action is allowed by some statement and no Deny statement applies to any of them.
 * A refusal names the matching Deny, else the Allow statement that got furthest (a failed condition beats a wrong
 * resource, which beats a wrong action, which beats a wrong principal).
 */
export function evaluateTrustPolicy(document: unknown, request: TrustRequest): TrustDecision {
  const policy = isParsed(document) ? document : parsedOnce(document);
  for (const { action } of request.actions) {
    for (const s of policy.statements) {
      if (s.effect !== 'Deny') continue;
      const verdict = evaluateStatement(s, policy, request, action);
      if (verdict.applies) {
        const because = verdict.conditions.map(describeCondition).join('; ');
        const reason = `${s.label} explicitly denies ${action}${because ? ` (${because})` : ''}`;
        return { allowed: false, action, deny: 'explicit', statement: verdict, reason };
      }
    }
  }
  const allowing: StatementVerdict[] = [];
  for (const { action, because } of request.actions) {
    let best: StatementVerdict | undefined;
    let allowed: StatementVerdict | undefined;
    for (const s of policy.statements) {
      if (s.effect !== 'Allow') continue;
      const verdict = evaluateStatement(s, policy, request, action);
      if (verdict.applies) {
        // A statement naming the caller directly decides alone; one naming its account may be outdone by a later one.
        if (!allowed || verdict.principalMatch === 'direct') allowed = verdict;
        if (verdict.principalMatch === 'direct') break;
        continue;
      }
      if (!best || STAGE_RANK[verdict.failedAt as StatementStage] > STAGE_RANK[best.failedAt as StatementStage]) {
        best = verdict;
      }
    }
    if (allowed) {
      allowing.push(allowed);
      continue;
    }
    const why = because ? ` (${action} is required because ${because})` : '';
    const detail = best ? best.reason : 'the trust policy has no Allow statement';
    return {
      allowed: false,
      action,
      deny: 'implicit',
      ...(best ? { statement: best } : {}),
      reason: `${detail}${why}`,
    };
  }
  return { allowed: true, statements: allowing };
}

/** Roles keep their document as loaded; parse each one once however many requests it judges. */
const parsedDocuments = new WeakMap<object, Policy>();

function parsedOnce(document: unknown): Policy {
  if (typeof document !== 'object' || document === null) return parsePolicy(document);
  let policy = parsedDocuments.get(document);
  if (!policy) {
    policy = parsePolicy(document);
    parsedDocuments.set(document, policy);
  }
  return policy;
}

function isParsed(document: unknown): document is Policy {
  return (
    typeof document === 'object' &&
    document !== null &&
    Array.isArray((document as Policy).statements) &&
    !('Statement' in document)
  );
}
