// The doctor's lint over a trust policy as the automation would leave it, with the provider's client ids as they
// would be: the same rules `doctor` runs, so the automation never writes what the doctor would flag as an error.
import { lintRoles } from '../doctor/lint';
import { providerUrl } from '../doctor/provider-url';
import { emptyRoleSet } from '../doctor/role-sources';
import { PARTITIONS } from '../partitions/partition-data';
import type { ProviderRef } from './declaration';

export interface LintError {
  rule: string;
  message: string;
  fix: string;
}

/** The errors the doctor's lint finds in `trustPolicy` for role `roleName`; warnings and notes are not refusals. */
export function lintErrors(
  roleName: string,
  rolePath: string,
  trustPolicy: unknown,
  provider: ProviderRef,
  clientIds: readonly string[],
): LintError[] {
  // The model's partition comes from a region: any region of the provider's partition, so ARNs compare equal.
  const region = PARTITIONS.find((p) => p.name === provider.partition)?.regions[0] ?? 'us-east-1';
  const set = emptyRoleSet(provider.accountId, region);
  set.model.addOidcProvider({ url: providerUrl(provider.name), clientIds: [...clientIds] });
  set.model.onTrustPolicyProblem = (_name, error) => set.problems.push({ roleArn: '', message: error.message });
  try {
    const role = set.model.addRole({ name: roleName, path: rolePath, assumeRolePolicyDocument: trustPolicy });
    for (const p of set.problems) if (p.roleArn === '') p.roleArn = role.arn;
  } finally {
    set.model.onTrustPolicyProblem = undefined;
  }
  return lintRoles(set)
    .filter((f) => f.severity === 'error')
    .map((f) => ({ rule: f.rule, message: f.message, fix: f.fix }));
}
