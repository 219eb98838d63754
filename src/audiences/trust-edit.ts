// The one change the automation makes to a trust policy: every statement that trusts the provider for
// sts:AssumeRoleWithWebIdentity expects exactly the role's audience as `<provider>:aud` (StringEquals). Everything
// else (sub conditions, other statements, their order and Sids) is kept as the owner wrote it.
import { parsePolicy } from '../policy';
import type { ProviderRef } from './declaration';
import { RefusedError } from './refusal';
import { audKey, isKey, webIdentityStatements } from './trust-statements';

type Json = Record<string, unknown>;

export interface TrustEdit {
  document: Json;
  /** Labels of the statements that now expect the audience (`statement Sid`, `statement #2`). */
  statements: string[];
  /** Conditions on the aud key the edit replaced, as `<operator> <key>`, for the plan's explanation. */
  replaced: string[];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyAudience(value: unknown, audience: string): boolean {
  return value === audience || (Array.isArray(value) && value.length === 1 && value[0] === audience);
}

/**
 * Removes every condition on the aud key but StringEquals (whatever the operator), and makes StringEquals expect the
 * audience alone. Keys keep their place, so a policy that already says so is left byte-for-byte as it was.
 */
function expectAudience(statement: Json, key: string, audience: string, replaced: string[]): void {
  const condition: Json = isObject(statement.Condition) ? { ...statement.Condition } : {};
  let set = false;
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) continue;
    const rebuilt: Json = {};
    for (const [k, v] of Object.entries(block)) {
      if (!isKey(k, key)) {
        rebuilt[k] = v;
      } else if (operator === 'StringEquals') {
        if (!onlyAudience(v, audience)) replaced.push(`${operator} ${k} ${JSON.stringify(v)}`);
        rebuilt[k] = onlyAudience(v, audience) ? v : audience;
        set = true;
      } else {
        replaced.push(`${operator} ${k} ${JSON.stringify(v)}`);
      }
    }
    if (Object.keys(rebuilt).length > 0) condition[operator] = rebuilt;
    else delete condition[operator];
  }
  if (!set) {
    const equals = isObject(condition.StringEquals) ? condition.StringEquals : {};
    condition.StringEquals = { [key]: audience, ...equals };
  }
  statement.Condition = condition;
}

/**
 * The trust policy with the role's audience set. Refuses (never invents a statement) when no statement trusts the
 * provider by name for web identity: the sub condition of such a statement must come from the role's owner.
 */
export function setAudience(roleName: string, trustPolicy: string, provider: ProviderRef, audience: string): TrustEdit {
  const document = JSON.parse(trustPolicy) as Json;
  const policy = parsePolicy(document);
  const targets = webIdentityStatements(policy, provider.arn, false);
  if (targets.length === 0) {
    throw new RefusedError(
      'NotTrusted',
      `role ${roleName} does not trust ${provider.arn} for sts:AssumeRoleWithWebIdentity, so there is no statement to give the audience ${audience}.`,
      `Add a statement trusting the provider with the condition on ${provider.name}:sub that names the workload; the automation then sets ${audKey(provider.name)}. It never writes a trust statement itself.`,
    );
  }
  // A condition on this provider's aud in a statement that also trusts another provider would shut that provider's
  // tokens out (they carry no such key): the owner splits the statement first.
  const shared = targets.find((s) => s.principal !== '*' && (s.principal?.Federated ?? []).length > 1);
  if (shared) {
    throw new RefusedError(
      'SharedStatement',
      `role ${roleName}: ${shared.label} trusts ${provider.arn} together with other providers, so a condition on ${audKey(provider.name)} would shut their tokens out.`,
      'Give the provider a statement of its own (with its sub condition), then run the automation again.',
    );
  }
  const raw = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const replaced: string[] = [];
  for (const s of targets) expectAudience(raw[s.index] as Json, audKey(provider.name), audience, replaced);
  return { document, statements: targets.map((s) => s.label), replaced };
}
