// Lints every role of a role set: IAM's own refusals first, then the statement rules, each finding placed at the
// file and line of the statement or condition it is about (or the role ARN for live roles).

import type { IamModel } from '../emulator/iam-model';
import { PolicyDocumentError, parsePolicy } from '../policy';
import { type RuleFinding, refusalFinding, type Severity, statementFindings } from './lint-rules';
import { type RoleSet, rolesOf } from './role-sources';

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  fix: string;
  roleArn: string;
  file?: string;
  line?: number;
}

export const SEVERITY_RANK: Record<Severity, number> = { note: 1, warning: 2, error: 3 };

function roleFindings(
  set: RoleSet,
  model: IamModel,
  roleArn: string,
  trustPolicy: unknown,
  accountId: string,
): RuleFinding[] {
  const refusals = set.problems.filter((p) => p.roleArn === roleArn).map((p) => refusalFinding(p.message));
  let rules: RuleFinding[] = [];
  try {
    const policy = parsePolicy(trustPolicy);
    rules = policy.statements.flatMap((s) => statementFindings(s, policy.version, model, accountId));
  } catch (error) {
    if (!(error instanceof PolicyDocumentError)) throw error;
  }
  // A key the emulator cannot evaluate because its host is wrong is reported once, by the host rule.
  const hostFinding = rules.some((f) => f.rule === 'condition-key-host');
  const kept = refusals.filter((f) => !(hostFinding && f.message.includes('cannot be evaluated')));
  return [...kept, ...rules];
}

export function lintRoles(set: RoleSet): Finding[] {
  const out: Finding[] = [];
  for (const { role, model } of rolesOf(set)) {
    const origin = set.origins.get(role.arn);
    for (const f of roleFindings(set, model, role.arn, role.trustPolicy, role.accountId)) {
      const line = origin?.lineOf(f.path);
      out.push({
        rule: f.rule,
        severity: f.severity,
        message: f.message,
        fix: f.fix,
        roleArn: role.arn,
        ...(origin ? { file: origin.file } : {}),
        ...(line !== undefined ? { line } : {}),
      });
    }
  }
  return out;
}
