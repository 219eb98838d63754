// The smallest change to a trust policy that would turn a refusal into an allow, derived from the engine's own
// decision (the statement and condition that decided), so the doctor never re-judges a policy by other rules.
import type { ConditionVerdict } from './conditions';
import type { StatementVerdict, TrustDecision } from './evaluate';

const WILDCARD = /[*?]/;

function globToRegExp(pattern: string): RegExp {
  const source = [...pattern]
    .map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** Whether `value` matches the `*`/`?` pattern (as StringLike would, case-sensitively). */
export function globMatches(pattern: string, value: string): boolean {
  return globToRegExp(pattern).test(value);
}

function one(values: readonly string[]): string {
  return values.length === 1 ? (values[0] as string) : JSON.stringify(values);
}

/** For a failed condition: what to change, in one sentence. */
export function conditionFix(v: ConditionVerdict): string {
  const base = v.operator.replace(/^For(Any|All)Values:/, '').replace(/IfExists$/, '');
  const claim = v.key.slice(v.key.lastIndexOf(':') + 1);
  if (v.unresolvedVariable) {
    return `the variable ${v.unresolvedVariable} has no value in this request: give the policy "Version": "2012-10-17" and condition on a key the token carries`;
  }
  if (v.actual === undefined) {
    return `the request has no ${v.key} (the token has no ${claim} claim, or STS does not expose it as a condition key): condition on a claim the token carries, or use ${base}IfExists if its absence is acceptable`;
  }
  const actual = v.actual;
  if (/^StringEquals/.test(base) && v.expected.some((e) => WILDCARD.test(e) && actual.some((a) => globMatches(e, a)))) {
    return `${v.operator} compares "*" and "?" literally: use ${v.operator.replace('StringEquals', 'StringLike')} for ${one(v.expected)}`;
  }
  if (/Not/.test(base))
    return `${v.key} is ${one(actual)}, which ${v.operator} excludes: remove it from the excluded values`;
  return `${claim} is ${one(actual)}, the policy expects ${one(v.expected)}: add "${actual[0]}" to the ${v.operator} ${v.key} values (or fix the caller)`;
}

function statementFix(s: StatementVerdict, action: string): string {
  switch (s.failedAt) {
    case 'principal':
      return `${s.label} does not name this caller: ${s.reason.replace(/^.*does not name principal /, 'add ')} to its Principal`;
    case 'action':
      return `add ${action} to the Action of ${s.label}`;
    case 'resource':
      return `remove Resource/NotResource from ${s.label} (a trust policy applies to its role)`;
    default: {
      const failed = s.conditions[s.conditions.length - 1];
      return failed ? conditionFix(failed) : s.reason;
    }
  }
}

/** The smallest change that would allow the request, for a refusal; undefined when it was allowed. */
export function smallestChange(decision: TrustDecision): string | undefined {
  if (decision.allowed) return undefined;
  if (decision.deny === 'explicit') {
    return `${decision.statement?.label ?? 'a Deny statement'} explicitly denies ${decision.action}: narrow or remove it (an explicit deny beats every Allow)`;
  }
  if (!decision.statement) return `add an Allow statement for ${decision.action} naming this principal`;
  return statementFix(decision.statement, decision.action);
}
