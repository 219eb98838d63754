// The dry run's exact diff: each provider's ClientIDList before/after and each trust policy as a line diff of its
// two-space JSON (the text UpdateAssumeRolePolicy sends, whitespace aside), then one reason per decision.
import { inertJson, inertText } from '../printable';
import type { Plan } from './plan';

/** Line diff by longest common subsequence: policies are short, so the quadratic table is cheap. */
export function lineDiff(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i++]}`);
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) {
      out.push(`+ ${b[j++]}`);
    } else {
      out.push(`- ${a[i++]}`);
    }
  }
  return out;
}

function listDiff(before: readonly string[], after: readonly string[]): string[] {
  const removed = before.filter((id) => !after.includes(id)).map((id) => `- ${id}`);
  const kept = before.filter((id) => after.includes(id)).map((id) => `  ${id}`);
  const added = after.filter((id) => !before.includes(id)).map((id) => `+ ${id}`);
  return [...kept, ...removed, ...added];
}

const indent = (lines: string[]) => lines.map((l) => `    ${l}`);

/** The plan as text: header, diffs, reasons. `applied` says whether the changes were made. */
export function planText(plan: Plan, applied: boolean): string {
  const count = plan.changes.length;
  const state =
    count === 0
      ? 'nothing to change'
      : applied
        ? `${count} change${count === 1 ? '' : 's'} applied`
        : `dry run, ${count} change${count === 1 ? '' : 's'} planned, nothing changed (--apply makes them)`;
  const lines = [`${plan.event} ${plan.roleName} in account ${plan.accountId}: ${state}`];
  for (const list of plan.lists) {
    if (list.before.join('\n') === list.after.join('\n')) continue;
    lines.push(`  OIDC provider ${list.provider.arn} ClientIDList:`, ...indent(listDiff(list.before, list.after)));
  }
  for (const change of plan.changes) {
    if (change.kind !== 'update-trust') continue;
    lines.push(`  Trust policy of role ${change.roleName}:`, ...indent(lineDiff(change.before, change.after)));
  }
  lines.push('  Why:', ...plan.reasons.map((r) => `    ${r}`));
  return `${inertText(lines.join('\n'))}\n`;
}

/** The plan as one JSON document (for pipelines): the IAM calls it makes, with their parameters. */
export function planJson(plan: Plan, applied: boolean): string {
  const calls = plan.changes.map((c) =>
    c.kind === 'update-trust'
      ? {
          action: 'iam:UpdateAssumeRolePolicy',
          roleName: c.roleName,
          before: JSON.parse(c.before),
          after: JSON.parse(c.after),
        }
      : {
          action:
            c.kind === 'add-client-id'
              ? 'iam:AddClientIDToOpenIDConnectProvider'
              : 'iam:RemoveClientIDFromOpenIDConnectProvider',
          openIDConnectProviderArn: c.provider.arn,
          clientID: c.clientId,
        },
  );
  const lists = plan.lists.map((l) => ({ provider: l.provider.arn, before: l.before, after: l.after }));
  const doc = {
    event: plan.event,
    roleName: plan.roleName,
    accountId: plan.accountId,
    applied,
    changes: calls,
    clientIdLists: lists,
    reasons: plan.reasons,
  };
  return `${inertJson(JSON.stringify(doc, null, 2))}\n`;
}
