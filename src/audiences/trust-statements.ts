// Which statements of a trust policy let a provider's tokens in: Allow, the provider among `Federated` (or the
// principal `*`), and an action list that admits sts:AssumeRoleWithWebIdentity (wildcards as IAM matches them).
import { globMatches, type Policy, type PolicyStatement } from '../policy';

const WEB_IDENTITY = 'sts:assumerolewithwebidentity';

function admitsWebIdentity(s: PolicyStatement): boolean {
  if (s.action) return s.action.some((a) => globMatches(a.toLowerCase(), WEB_IDENTITY));
  return !(s.notAction ?? []).some((a) => globMatches(a.toLowerCase(), WEB_IDENTITY));
}

/** Whether the statement names the provider itself (not only `*`, which the automation never edits). */
export function namesProvider(s: PolicyStatement, providerArn: string): boolean {
  return s.principal !== undefined && s.principal !== '*' && (s.principal.Federated ?? []).includes(providerArn);
}

/** Allow statements through which tokens of the provider can assume the role. */
export function webIdentityStatements(policy: Policy, providerArn: string, includeStar: boolean): PolicyStatement[] {
  return policy.statements.filter(
    (s) =>
      s.effect === 'Allow' &&
      admitsWebIdentity(s) &&
      (namesProvider(s, providerArn) || (includeStar && s.principal === '*')),
  );
}

/** The condition key IAM evaluates for a provider's aud claim (case-insensitive, as IAM compares keys). */
export function audKey(providerName: string): string {
  return `${providerName}:aud`;
}

export function isKey(key: string, wanted: string): boolean {
  return key.toLowerCase() === wanted.toLowerCase();
}
