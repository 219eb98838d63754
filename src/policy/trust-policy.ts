// What IAM refuses in a role trust policy (CreateRole / UpdateAssumeRolePolicy), on top of the policy grammar, and
// what the engine refuses because it cannot judge it. Every refusal names the statement it is about.
import { isEvaluableKey, SHARED_OIDC_PROVIDERS } from './condition-keys';
import type { ParsedCondition } from './conditions';
import { type Policy, type PolicyStatement, parsePolicy } from './document';
import { PolicyDocumentError } from './errors';

const OIDC_PROVIDER_ARN = /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/(.+)$/;

/** The provider name (URL without scheme) a `Federated` principal names, for IAM providers and built-in ones. */
function federatedProviderName(principal: string): string {
  return OIDC_PROVIDER_ARN.exec(principal)?.[1] ?? principal;
}

/** IAM's check: a condition on the key whose values are not solely wildcards (`*`, `?`) or empty. */
function evaluatesKey(conditions: readonly ParsedCondition[], key: string): boolean {
  return conditions.some(
    (c) =>
      c.operator.family !== 'Null' &&
      c.key.toLowerCase() === key.toLowerCase() &&
      c.values.every((v) => !/^[*?]*$/.test(v)),
  );
}

function checkIdentityProviderControls(s: PolicyStatement): void {
  if (s.effect !== 'Allow' || !s.principal || s.principal === '*') return;
  for (const federated of s.principal.Federated ?? []) {
    const provider = federatedProviderName(federated);
    const control = SHARED_OIDC_PROVIDERS[provider];
    if (!control) continue;
    const key = control.requiredKey.includes(':') ? control.requiredKey : `${provider}:${control.requiredKey}`;
    if (!evaluatesKey(s.conditions, key)) {
      throw new PolicyDocumentError(
        `Trust policy for ${control.name} (${provider}) must evaluate the condition key ${key} with a value that is not only a wildcard (IAM identity-provider controls for shared OIDC providers)`,
        s.index,
      );
    }
  }
}

function checkStatement(s: PolicyStatement): void {
  if (s.notPrincipal) {
    throw new PolicyDocumentError(
      'Has prohibited field NotPrincipal (a role trust policy cannot use NotPrincipal)',
      s.index,
    );
  }
  if (s.resource || s.notResource) {
    throw new PolicyDocumentError(`Has prohibited field ${s.resource ? 'Resource' : 'NotResource'}`, s.index);
  }
  if (!s.principal) throw new PolicyDocumentError('Missing required field Principal', s.index);
  if (s.principal !== '*') {
    for (const value of s.principal.AWS ?? []) {
      if (value !== '*' && /[*?]/.test(value)) {
        throw new PolicyDocumentError(
          `Invalid principal in policy: "AWS":${JSON.stringify(value)} (wildcards are allowed only as the bare "*")`,
          s.index,
        );
      }
    }
  }
  for (const c of s.conditions) {
    if (!isEvaluableKey(c.key)) {
      throw new PolicyDocumentError(
        `condition key ${c.key} (${c.operator.name}) cannot be evaluated by the emulator for sts:AssumeRole* requests: use aws:, sts: or <provider>:<claim> keys`,
        s.index,
      );
    }
  }
  checkIdentityProviderControls(s);
}

/** Parses a role trust policy and applies IAM's trust-policy rules; throws `PolicyDocumentError`. */
export function parseTrustPolicy(document: unknown): Policy {
  const policy = parsePolicy(document);
  for (const s of policy.statements) checkStatement(s);
  return policy;
}
