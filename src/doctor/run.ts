// `doctor`: load roles (templates, policy files), build the token context (described, from a file, or the CI
// token), judge every role, lint every trust policy, and pick the exit code: 4 when the role asked for cannot be
// assumed, 6 when a lint finding is at or above --fail-on, else 0.
import { InputError } from '../errors';
import { type Finding, lintRoles, SEVERITY_RANK } from './lint';
import type { Severity } from './lint-rules';
import type { LiveOptions } from './live';
import type { DoctorResult } from './report';
import { addPolicyFile, addTemplate, emptyRoleSet, type RoleSet, rolesOf } from './role-sources';
import type { TokenContext } from './token-context';
import { judgeRole, type RoleVerdict } from './verdict';

export const DOCTOR_EXIT = { ok: 0, denied: 4, findings: 6 } as const;
export const FAIL_ON = ['error', 'warning', 'note', 'none'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface DoctorOptions {
  templates: string[];
  policies: string[];
  roleArn?: string;
  /** Client ids of the token issuer's provider when roles come from policy files (no provider is declared there). */
  clientIds: string[];
  sessionName: string;
  durationSeconds?: number;
  cognitoIssuer: string;
  now: number;
  /** Read roles and providers from a live account through IAM (or the emulator's IAM endpoint). */
  live?: LiveOptions;
}

/** Every role of the sources; none is an answer (an account without roles), not an error. */
async function readRoleSources(options: DoctorOptions): Promise<RoleSet> {
  const set = emptyRoleSet();
  // The IAM client is a chunk of its own: loaded only when an account is read.
  if (options.live) await (await import('./live')).addLiveAccount(set, options.live);
  for (const file of options.templates) addTemplate(set, file);
  for (const file of options.policies)
    addPolicyFile(set, file, options.policies.length === 1 ? options.roleArn : undefined);
  return set;
}

export async function loadRoleSet(options: DoctorOptions): Promise<RoleSet> {
  const set = await readRoleSources(options);
  if (rolesOf(set).length === 0) {
    throw new InputError(
      'The doctor has no roles to look at.',
      'Give --template FILE (repeatable) or --policy FILE.json.',
    );
  }
  return set;
}

/** Policy files declare no provider: the token's issuer is taken as registered with the given client ids. */
function providePolicyIssuer(set: RoleSet, options: DoctorOptions, token: TokenContext): void {
  const iss = token.claims.iss as string;
  if (options.policies.length === 0 || iss === options.cognitoIssuer) return;
  for (const accountId of new Set(set.model.listRoles().map((r) => r.accountId))) {
    if (!set.model.findProviderByIssuer(accountId, iss)) {
      set.model.addOidcProvider({ url: iss, clientIds: options.clientIds, accountId });
    }
  }
}

function verdictsFor(set: RoleSet, options: DoctorOptions, token: TokenContext): RoleVerdict[] {
  providePolicyIssuer(set, options, token);
  const roles = options.roleArn ? rolesOf(set).filter(({ role }) => role.arn === options.roleArn) : rolesOf(set);
  if (options.roleArn && roles.length === 0) {
    const known = rolesOf(set).map(({ role }) => role.arn);
    throw new InputError(
      `--role-arn ${options.roleArn} is not a role of the templates or policies given.`,
      `Roles: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}.`,
    );
  }
  const judge = {
    sessionName: options.sessionName,
    durationSeconds: options.durationSeconds,
    now: options.now,
    cognitoIssuer: options.cognitoIssuer,
  };
  return roles.map(({ role, model }) => judgeRole(model, role, token.claims, judge));
}

export async function runDoctor(options: DoctorOptions, token: TokenContext | undefined): Promise<DoctorResult> {
  const set = await loadRoleSet(options);
  const findings: Finding[] = lintRoles(set);
  const verdicts = token ? verdictsFor(set, options, token) : [];
  const locations = new Map<string, { file: string; line?: number }>();
  for (const [arn, origin] of set.origins) {
    const line = origin.lineOf([]);
    locations.set(arn, { file: origin.file, ...(line !== undefined ? { line } : {}) });
  }
  return {
    ...(token ? { tokenOrigin: token.origin, claims: token.claims } : {}),
    unknownClaimKeys: token?.unknownKeys ?? [],
    verdicts,
    findings,
    locations,
  };
}

export function exitCodeFor(result: DoctorResult, options: { roleArn?: string; failOn: FailOn }): number {
  if (options.roleArn && result.verdicts.some((v) => v.roleArn === options.roleArn && !v.allowed))
    return DOCTOR_EXIT.denied;
  if (options.failOn === 'none') return DOCTOR_EXIT.ok;
  const threshold = SEVERITY_RANK[options.failOn as Severity];
  return result.findings.some((f) => SEVERITY_RANK[f.severity] >= threshold) ? DOCTOR_EXIT.findings : DOCTOR_EXIT.ok;
}

/** A role the finder judged, with what a person choosing it needs to know. */
export type FoundRole = RoleVerdict & { maxSessionDuration: number };

/** The role finder alone (no lint): every role of the sources judged for the token, assumable ones first. */
export async function findRoles(options: DoctorOptions, token: TokenContext): Promise<FoundRole[]> {
  const set = await readRoleSources(options);
  const maxOf = new Map(rolesOf(set).map(({ role }) => [role.arn, role.maxSessionDuration]));
  return verdictsFor(set, options, token)
    .map((v) => ({ ...v, maxSessionDuration: maxOf.get(v.roleArn) ?? 3600 }))
    .sort((a, b) => Number(b.allowed) - Number(a.allowed) || a.roleArn.localeCompare(b.roleArn));
}
