// Role trust-policy evaluation: which principal may perform which sts: actions under which conditions. Every
// refusal carries a human-readable reason naming the statement and the rule that failed, because the AWS message
// ("Not authorized to perform …") never says why.
import { type ConditionContext, evaluateConditions } from './policy-conditions';

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
}

export type TrustDecision = { allowed: true } | { allowed: false; action: string; reason: string };

interface Statement {
  label: string;
  effect: string;
  raw: Record<string, unknown>;
}

function statementsOf(policy: unknown): Statement[] {
  const doc = policy as { Statement?: unknown };
  const list = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
  return list
    .filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null)
    .map((raw, i) => ({
      raw,
      effect: String(raw.Effect ?? ''),
      label: typeof raw.Sid === 'string' && raw.Sid !== '' ? `statement ${raw.Sid}` : `statement #${i + 1}`,
    }));
}

function toList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function actionMatches(raw: Record<string, unknown>, action: string): boolean {
  if (raw.Action !== undefined) return toList(raw.Action).some((p) => wildcardMatch(p, action, true));
  if (raw.NotAction !== undefined) return !toList(raw.NotAction).some((p) => wildcardMatch(p, action, true));
  return false;
}

/**
 * IAM matches principal ARNs exactly (it accepts no wildcard in them; only a bare `"*"` means everyone). The account
 * root ARN or a bare account id names every principal of that account. A role ARN covers its sessions because a
 * session's `arns` include its role's ARN.
 */
function awsPrincipalMatches(entry: string, principal: Extract<TrustPrincipal, { kind: 'AWS' }>): boolean {
  if (entry === '*') return true;
  if (entry === principal.accountId || entry === `arn:aws:iam::${principal.accountId}:root`) return true;
  return principal.arns.includes(entry);
}

function principalIn(value: unknown, principal: TrustPrincipal): boolean {
  if (value === '*') return true;
  if (typeof value !== 'object' || value === null) return false;
  const block = value as Record<string, unknown>;
  if (principal.kind === 'Federated') return toList(block.Federated).includes(principal.provider);
  return toList(block.AWS).some((entry) => awsPrincipalMatches(entry, principal));
}

function describePrincipal(principal: TrustPrincipal): string {
  return principal.kind === 'Federated'
    ? `Federated ${principal.provider}`
    : `AWS ${principal.arns[0] ?? principal.accountId}`;
}

type StatementOutcome =
  | { applies: true }
  | { applies: false; stage: 'principal' | 'action' | 'condition'; reason: string };

function evaluateStatement(statement: Statement, request: TrustRequest, action: string): StatementOutcome {
  if (statement.raw.NotPrincipal !== undefined) {
    // Refused when a role is loaded; a policy evaluated directly never lets NotPrincipal apply (fail closed).
    return {
      applies: false,
      stage: 'principal',
      reason: `${statement.label} uses NotPrincipal, which a role trust policy cannot use`,
    };
  }
  if (statement.raw.Principal === undefined || !principalIn(statement.raw.Principal, request.principal)) {
    return {
      applies: false,
      stage: 'principal',
      reason: `${statement.label} does not name principal ${describePrincipal(request.principal)}`,
    };
  }
  if (!actionMatches(statement.raw, action)) {
    return { applies: false, stage: 'action', reason: `${statement.label} does not cover action ${action}` };
  }
  const conditions = evaluateConditions(statement.raw.Condition, request.context);
  if (!conditions.ok) return { applies: false, stage: 'condition', reason: `${statement.label}: ${conditions.reason}` };
  return { applies: true };
}

const STAGE_RANK = { principal: 0, action: 1, condition: 2 } as const;

/**
 * Allowed when every required action is allowed by some statement and no Deny statement applies to any of them.
 * The reason for a refusal is the most specific failure: a matching Deny, else the statement that got furthest
 * (condition failure beats wrong action beats wrong principal).
 */
export function evaluateTrustPolicy(policy: unknown, request: TrustRequest): TrustDecision {
  const statements = statementsOf(policy);
  for (const { action } of request.actions) {
    for (const statement of statements) {
      if (statement.effect !== 'Deny') continue;
      if (evaluateStatement(statement, request, action).applies) {
        return { allowed: false, action, reason: `${statement.label} explicitly denies ${action}` };
      }
    }
  }
  for (const { action, because } of request.actions) {
    let best: Extract<StatementOutcome, { applies: false }> | undefined;
    let allowed = false;
    for (const statement of statements) {
      if (statement.effect !== 'Allow') continue;
      const outcome = evaluateStatement(statement, request, action);
      if (outcome.applies) {
        allowed = true;
        break;
      }
      if (!best || STAGE_RANK[outcome.stage] > STAGE_RANK[best.stage]) best = outcome;
    }
    if (!allowed) {
      const why = because ? ` (${action} is required because ${because})` : '';
      const detail = best ? best.reason : 'the trust policy has no Allow statement';
      return { allowed: false, action, reason: `${detail}${why}` };
    }
  }
  return { allowed: true };
}
