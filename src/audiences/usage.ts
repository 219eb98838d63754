// Whether a role still uses an audience of a provider: one of its statements that lets the provider's tokens in
// would accept the audience as `<provider>:aud`, judged with the policy engine's own condition evaluation
// (StringLike wildcards, ForAnyValue, IfExists, negations), or has no aud condition at all and so accepts every
// audience. What cannot be judged (a policy variable in the aud condition, a policy the engine refuses) counts as
// used: an audience is removed only when it is proven unused.

import { ConditionContext, type PolicyStatement, parsePolicy } from '../policy';
import { evaluateCondition } from '../policy/conditions';
import type { ProviderRef } from './declaration';
import { audKey, isKey, webIdentityStatements } from './trust-statements';

export interface RoleTrust {
  name: string;
  /** The trust policy as JSON text (decoded from IAM's URL encoding). */
  trustPolicy: string;
}

export type Use = { uses: true; why: string } | { uses: false };

function statementUse(s: PolicyStatement, key: string, clientId: string, variables: boolean): Use {
  const onAud = s.conditions.filter((c) => isKey(c.key, key));
  if (onAud.length === 0) return { uses: true, why: `${s.label} has no condition on ${key} (accepts every audience)` };
  const context = new ConditionContext().set(key, clientId);
  for (const c of onAud) {
    const verdict = evaluateCondition(c, context, variables);
    if (verdict.unresolvedVariable) {
      return {
        uses: true,
        why: `${s.label}: ${c.operator.name} ${c.key} uses ${verdict.unresolvedVariable}, which cannot be judged here`,
      };
    }
    if (!verdict.matched) return { uses: false };
  }
  const how = onAud.map((c) => `${c.operator.name} ${JSON.stringify(c.values)}`).join(' and ');
  return { uses: true, why: `${s.label} accepts it (${how})` };
}

/** Whether `role` uses `clientId` of `provider`, with the statement that proves it. */
export function roleUses(role: RoleTrust, provider: ProviderRef, clientId: string): Use {
  let policy: ReturnType<typeof parsePolicy>;
  try {
    policy = parsePolicy(role.trustPolicy);
  } catch {
    return { uses: true, why: 'its trust policy cannot be parsed, so it is not proven unused' };
  }
  const key = audKey(provider.name);
  for (const s of webIdentityStatements(policy, provider.arn, true)) {
    const use = statementUse(s, key, clientId, policy.version === '2012-10-17');
    if (use.uses) return use;
  }
  return { uses: false };
}
