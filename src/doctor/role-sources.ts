// Where the doctor's roles come from: CloudFormation templates through the emulator's own loader, and trust-policy
// JSON files. Every role keeps its file and a way to find the line of a statement or condition in it.
import { readFileSync } from 'node:fs';
import { parseTemplate } from '../emulator/cfn-parse';
import { loadTemplate } from '../emulator/cloudformation';
import { EmulatorConfigError } from '../emulator/errors';
import { IamModel, type Role } from '../emulator/iam-model';
import { jsonSyntaxErrorPosition } from '../emulator/json-syntax';
import { InputError } from '../errors';

export type PolicyPath = ReadonlyArray<string | number>;

export interface RoleOrigin {
  file: string;
  /** Logical id in a template. */
  logicalId?: string;
  /** 1-based line of a path inside the trust policy (statement, condition…), best effort. */
  lineOf(path: PolicyPath): number | undefined;
}

/** IAM's refusal of a trust policy, kept as a finding instead of stopping the load. */
export interface TrustPolicyProblem {
  roleArn: string;
  message: string;
}

export interface RoleSet {
  /** The shared account every source loads into. */
  model: IamModel;
  /**
   * Every model: the shared one, plus one per template that declares a provider already declared by another (two
   * stacks that cannot live in one account, e.g. examples for separate accounts; each is judged on its own).
   */
  models: IamModel[];
  origins: Map<string, RoleOrigin>;
  problems: TrustPolicyProblem[];
}

export function emptyRoleSet(accountId = '123456789012', region = 'us-east-1'): RoleSet {
  const model = new IamModel(accountId, region);
  return { model, models: [model], origins: new Map(), problems: [] };
}

/** Every role with the model (account view) it was loaded into. */
export function rolesOf(set: RoleSet): Array<{ role: Role; model: IamModel }> {
  return set.models.flatMap((model) => model.listRoles().map((role) => ({ role, model })));
}

/** The first line containing `"needle"` (JSON) or `needle` (YAML) at or after `from`, for files without positions. */
function searchLine(text: string, needles: readonly string[], from = 1): number | undefined {
  const lines = text.split('\n');
  for (let i = from - 1; i < lines.length; i++) {
    if (needles.some((n) => (lines[i] as string).includes(n))) return i + 1;
  }
  return undefined;
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`${flag} ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
  }
}

/** Messages start with the file name, which must keep its spelling (InputError capitalises a first letter). */
function loadError(message: string): InputError {
  return new InputError(
    `cannot load ${message}`,
    'Fix the file at the line named; the doctor judges nothing until every file loads.',
  );
}

/** Loads one template; unparsable input or a load error is exit 2 with file, line and what was expected. */
export function addTemplate(set: RoleSet, file: string): void {
  const text = readText(file, '--template');
  let parsed: ReturnType<typeof parseTemplate>;
  try {
    parsed = parseTemplate(text, file);
  } catch (error) {
    if (error instanceof EmulatorConfigError) throw loadError(templateErrorText(error.message, text, file));
    throw error;
  }
  try {
    loadInto(set, set.model, file, text, parsed);
  } catch (error) {
    if (!(error instanceof EmulatorConfigError && /EntityAlreadyExists: Provider/.test(error.message))) {
      throw error instanceof EmulatorConfigError ? loadError(error.message) : error;
    }
    const own = new IamModel(set.model.accountId, set.model.region);
    set.models.push(own);
    try {
      loadInto(set, own, file, text, parsed);
    } catch (retry) {
      throw retry instanceof EmulatorConfigError ? loadError(retry.message) : retry;
    }
  }
}

function loadInto(
  set: RoleSet,
  model: IamModel,
  file: string,
  text: string,
  parsed: ReturnType<typeof parseTemplate>,
): void {
  const before = new Set(model.listRoles().map((r) => r.arn));
  const pending: Array<{ name: string; message: string }> = [];
  model.onTrustPolicyProblem = (name, error) => pending.push({ name, message: error.message });
  let ids: Record<string, string>;
  try {
    ids = loadTemplate(model, parsed.template, { path: file }, {}, parsed.lineOf).ids;
  } finally {
    model.onTrustPolicyProblem = undefined;
  }
  const lineOf = parsed.lineOf;
  const logicalIds = new Map(Object.entries(ids).map(([logical, physical]) => [physical, logical]));
  for (const role of model.listRoles().filter((r) => !before.has(r.arn))) {
    const logicalId = logicalIds.get(role.arn);
    const base = ['Resources', logicalId ?? '', 'Properties', 'AssumeRolePolicyDocument'];
    const resourceLine =
      lineOf(['Resources', logicalId ?? '']) ?? searchLine(text, [`"${logicalId}"`, `${logicalId}:`]);
    set.origins.set(role.arn, {
      file,
      logicalId,
      lineOf: (path) => lineOf([...base, ...path]) ?? textLine(text, path, resourceLine),
    });
    for (const p of pending.filter((x) => x.name === role.name))
      set.problems.push({ roleArn: role.arn, message: p.message });
  }
}

/** JSON templates and policy files have no positions: search the text for the last string-like path element. */
function textLine(text: string, path: PolicyPath, from: number | undefined): number | undefined {
  const last = [...path].reverse().find((p) => typeof p === 'string');
  if (last === undefined) return from;
  return searchLine(text, [`"${last}"`, `${last}:`], from ?? 1) ?? from;
}

/** A YAML/JSON parser message names a line already; a JSON syntax error gets one computed without quoting text. */
function templateErrorText(message: string, text: string, file: string): string {
  if (file.toLowerCase().endsWith('.json') && message.includes('cannot parse template')) {
    const at = jsonSyntaxErrorPosition(text);
    if (at) return `${file}:${at.line}:${at.column}: cannot parse template: expected valid JSON here.`;
  }
  return message;
}

/** A trust-policy JSON file judged as the role `roleArn` (default: a role named after the file). */
export function addPolicyFile(set: RoleSet, file: string, roleArn: string | undefined): void {
  const text = readText(file, '--policy');
  const at = jsonSyntaxErrorPosition(text);
  if (at) throw loadError(`${file}:${at.line}:${at.column}: expected a JSON trust policy document.`);
  const match = roleArn ? /^arn:aws[\w-]*:iam::(\d{12}):role(\/(?:.*\/)?)([\w+=,.@-]+)$/.exec(roleArn) : undefined;
  if (roleArn && !match) {
    throw new InputError(
      `--role-arn ${roleArn} is not a role ARN.`,
      'Expected arn:aws:iam::<12-digit account>:role/<name>.',
    );
  }
  const name =
    match?.[3] ??
    (file
      .replace(/^.*\//, '')
      .replace(/\.json$/i, '')
      .replace(/[^\w+=,.@-]/g, '-') ||
      'role');
  set.model.onTrustPolicyProblem = (_name, error) => set.problems.push({ roleArn: '', message: error.message });
  try {
    const role = set.model.addRole({
      name,
      path: match?.[2] ?? '/',
      ...(match ? { accountId: match[1] } : {}),
      assumeRolePolicyDocument: JSON.parse(text),
      location: file,
    });
    for (const p of set.problems) if (p.roleArn === '') p.roleArn = role.arn;
    set.origins.set(role.arn, { file, lineOf: (path) => textLine(text, path, 1) });
  } catch (error) {
    if (error instanceof EmulatorConfigError) throw loadError(`${file}:1: ${error.message}`);
    throw error;
  } finally {
    set.model.onTrustPolicyProblem = undefined;
  }
}
