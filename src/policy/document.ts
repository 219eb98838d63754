// Parsing a policy document into statements the evaluator can run, refusing what IAM's policy grammar refuses
// (IAM's MalformedPolicyDocument texts) so that nothing is skipped at evaluation time.
import { type ParsedCondition, parseConditions } from './conditions';
import { PolicyDocumentError } from './errors';

/** `2012-10-17` enables `${…}` policy variables; under `2008-10-17` or no Version they are literal text. */
export type PolicyVersion = '2012-10-17' | '2008-10-17' | undefined;

/** `"*"` (everyone) or a map of principal type (`AWS`, `Federated`, `Service`, `CanonicalUser`) to names. */
export type PrincipalSpec = '*' | Record<string, string[]>;

export interface PolicyStatement {
  /** Zero-based position in the document. */
  index: number;
  sid?: string;
  /** `statement <Sid>` or `statement #<n>` (one-based), as explanations name it. */
  label: string;
  effect: 'Allow' | 'Deny';
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  conditions: ParsedCondition[];
}

export interface Policy {
  version: PolicyVersion;
  statements: PolicyStatement[];
}

const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

function stringList(value: unknown, field: string, index: number): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string')) {
    throw new PolicyDocumentError(`Syntax errors in policy. (${field} must be a string or a list of strings)`, index);
  }
  return list as string[];
}

/** IAM's grammar for an action name: `*` or `<vendor>:<action>`, the vendor without wildcards. */
function checkActions(actions: string[] | undefined, index: number): void {
  for (const action of actions ?? []) {
    if (action === '*') continue;
    const parts = action.split(':');
    if (parts.length === 1) {
      throw new PolicyDocumentError(
        'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
        index,
      );
    }
    if (parts.length > 2) throw new PolicyDocumentError('Actions/Condition can contain only one colon.', index);
    if (/[*?]/.test(parts[0] as string)) {
      throw new PolicyDocumentError('Action vendors (e.g., aws, ec2, etc.) must not contain wildcards.', index);
    }
  }
}

function principalSpec(value: unknown, field: string, index: number): PrincipalSpec | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return '*';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PolicyDocumentError(`Invalid principal in policy: ${field} must be "*" or an object`, index);
  }
  const out: Record<string, string[]> = {};
  for (const [type, names] of Object.entries(value)) {
    if (!['AWS', 'Federated', 'Service', 'CanonicalUser'].includes(type)) {
      throw new PolicyDocumentError(`Invalid principal in policy: "${type}"`, index);
    }
    out[type] = stringList(names, `${field}.${type}`, index) as string[];
  }
  return out;
}

function exactlyOne(raw: Record<string, unknown>, a: string, b: string, index: number, missing: string): void {
  if (raw[a] !== undefined && raw[b] !== undefined) {
    throw new PolicyDocumentError(`Syntax errors in policy. (a statement cannot have both ${a} and ${b})`, index);
  }
  if (raw[a] === undefined && raw[b] === undefined && missing) throw new PolicyDocumentError(missing, index);
}

function parseStatement(raw: unknown, index: number): PolicyStatement {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PolicyDocumentError('Syntax errors in policy. (a statement must be an object)', index);
  }
  const s = raw as Record<string, unknown>;
  for (const field of Object.keys(s)) {
    if (!STATEMENT_FIELDS.has(field))
      throw new PolicyDocumentError(`Policy statement has unknown field ${field}`, index);
  }
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') {
    throw new PolicyDocumentError(`Invalid effect: ${JSON.stringify(s.Effect ?? null)} (Allow or Deny)`, index);
  }
  exactlyOne(s, 'Action', 'NotAction', index, 'Policy statement must contain actions.');
  exactlyOne(s, 'Resource', 'NotResource', index, '');
  exactlyOne(s, 'Principal', 'NotPrincipal', index, '');
  if (s.NotPrincipal !== undefined && s.Effect === 'Allow') {
    // IAM: "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not supported."
    throw new PolicyDocumentError('NotPrincipal must be used with "Effect": "Deny"', index);
  }
  const sid = typeof s.Sid === 'string' && s.Sid !== '' ? s.Sid : undefined;
  const action = stringList(s.Action, 'Action', index);
  const notAction = stringList(s.NotAction, 'NotAction', index);
  checkActions(action ?? notAction, index);
  return {
    index,
    sid,
    label: sid ? `statement ${sid}` : `statement #${index + 1}`,
    effect: s.Effect,
    principal: principalSpec(s.Principal, 'Principal', index),
    notPrincipal: principalSpec(s.NotPrincipal, 'NotPrincipal', index),
    action,
    notAction,
    resource: stringList(s.Resource, 'Resource', index),
    notResource: stringList(s.NotResource, 'NotResource', index),
    conditions: parseConditions(s.Condition, index),
  };
}

/** Parses a policy given as an object (YAML/JSON templates) or JSON text (IAM API style). */
export function parsePolicy(document: unknown): Policy {
  let doc = document;
  if (typeof document === 'string') {
    try {
      doc = JSON.parse(document);
    } catch {
      throw new PolicyDocumentError('This policy contains invalid Json');
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new PolicyDocumentError('Syntax errors in policy. (the document must be an object)');
  }
  const { Version: version, Statement: statement } = doc as { Version?: unknown; Statement?: unknown };
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    throw new PolicyDocumentError('The policy must contain a valid version string');
  }
  if (statement === undefined)
    throw new PolicyDocumentError('Syntax errors in policy. (the document needs a Statement)');
  const list = Array.isArray(statement) ? statement : [statement];
  return { version: version as PolicyVersion, statements: list.map(parseStatement) };
}
