// IAM condition evaluation for the operators trust policies use. Semantics follow the IAM policy reference:
// values within one key are ORed, keys and operators are ANDed; negated operators are true for an absent key;
// `IfExists` makes an absent key pass; `ForAllValues` is vacuously true and `ForAnyValue` false on an absent key.
// A policy variable that cannot be resolved fails its key whatever the operator (negated, IfExists, set) says.

/** Request context: condition key (lower-cased, since IAM key names are case-insensitive) → values. */
export class ConditionContext {
  private readonly keys = new Map<string, { name: string; values: string[] }>();

  set(name: string, value: string | readonly string[] | undefined): this {
    if (value === undefined) return this;
    this.keys.set(name.toLowerCase(), { name, values: typeof value === 'string' ? [value] : [...value] });
    return this;
  }

  get(name: string): string[] | undefined {
    return this.keys.get(name.toLowerCase())?.values;
  }

  entries(): Array<[string, string[]]> {
    return [...this.keys.values()].map((k) => [k.name, k.values]);
  }
}

export type ConditionResult = { ok: true } | { ok: false; reason: string };

type BaseOperator =
  | 'StringEquals'
  | 'StringNotEquals'
  | 'StringEqualsIgnoreCase'
  | 'StringNotEqualsIgnoreCase'
  | 'StringLike'
  | 'StringNotLike'
  | 'ArnEquals'
  | 'ArnLike'
  | 'ArnNotEquals'
  | 'ArnNotLike'
  | 'Null'
  | 'Bool';

const BASE_OPERATORS = new Set<string>([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
  'Bool',
]);

const NEGATED = new Set<BaseOperator>([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'ArnNotEquals',
  'ArnNotLike',
]);

interface ParsedOperator {
  set?: 'ForAnyValue' | 'ForAllValues';
  base: BaseOperator;
  ifExists: boolean;
}

export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let set: ParsedOperator['set'];
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const prefix = rest.slice(0, colon);
    if (prefix !== 'ForAnyValue' && prefix !== 'ForAllValues') return undefined;
    set = prefix;
    rest = rest.slice(colon + 1);
  }
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  if (!BASE_OPERATORS.has(rest)) return undefined;
  return { set, base: rest as BaseOperator, ifExists };
}

/** One policy value after `${…}` substitution: literal text plus (for Like operators) live wildcards. */
type Pattern = Array<{ literal: string } | { wildcard: '*' | '?' }>;

/**
 * Expands policy variables (`${aws:RequestTag/x}`, `${key, 'default'}`, `${*}` `${?}` `${$}`). Substituted text is
 * literal even under StringLike. Returns undefined when a variable has no single value: the caller then fails the
 * whole condition key, so an unresolvable variable can never turn a negated operator into a pass.
 */
function expandValue(value: string, ctx: ConditionContext, wildcards: boolean): Pattern | undefined {
  const out: Pattern = [];
  let i = 0;
  while (i < value.length) {
    const ch = value[i] as string;
    if (ch === '$' && value[i + 1] === '{') {
      const end = value.indexOf('}', i + 2);
      if (end < 0) {
        out.push({ literal: value.slice(i) });
        break;
      }
      const inner = value.slice(i + 2, end).trim();
      i = end + 1;
      if (inner === '*' || inner === '?' || inner === '$') {
        out.push({ literal: inner });
        continue;
      }
      const match = /^([^,]+?)\s*(?:,\s*'([^']*)')?$/.exec(inner);
      const key = match?.[1] ?? inner;
      const resolved = ctx.get(key);
      if (resolved && resolved.length === 1) out.push({ literal: resolved[0] as string });
      else if (match?.[2] !== undefined) out.push({ literal: match[2] });
      else return undefined;
      continue;
    }
    if (wildcards && (ch === '*' || ch === '?')) out.push({ wildcard: ch });
    else out.push({ literal: ch });
    i++;
  }
  return out;
}

function patternToRegExp(pattern: Pattern, ignoreCase: boolean): RegExp {
  const source = pattern
    .map((part) =>
      'wildcard' in part
        ? part.wildcard === '*'
          ? '[\\s\\S]*'
          : '[\\s\\S]'
        : part.literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
}

function positiveOf(base: BaseOperator): BaseOperator {
  return base.replace('Not', '') as BaseOperator;
}

/** Does a single context value satisfy the (non-negated) operator against any of the policy values? */
function matchesAny(base: BaseOperator, actual: string, patterns: Pattern[]): boolean {
  const like = base === 'StringLike' || base === 'ArnLike' || base === 'ArnEquals';
  const ignoreCase = base === 'StringEqualsIgnoreCase';
  return patterns.some((p) => {
    if (like) return patternToRegExp(p, false).test(actual);
    const expected = p.map((part) => ('literal' in part ? part.literal : part.wildcard)).join('');
    return ignoreCase ? expected.toLowerCase() === actual.toLowerCase() : expected === actual;
  });
}

function asStrings(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const v of list) {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
    else return undefined;
  }
  return out;
}

function show(values: readonly string[] | undefined): string {
  if (values === undefined || values.length === 0) return '(key absent from the request)';
  return values.length === 1 ? (values[0] as string) : JSON.stringify(values);
}

function evaluateKey(
  operatorName: string,
  op: ParsedOperator,
  key: string,
  policyValues: string[],
  ctx: ConditionContext,
): ConditionResult {
  const actual = ctx.get(key);
  const absent = actual === undefined || actual.length === 0;
  const fail = (): ConditionResult => ({
    ok: false,
    reason: `condition ${operatorName} ${key} = ${policyValues.length === 1 ? policyValues[0] : JSON.stringify(policyValues)} did not match ${show(actual)}`,
  });

  if (op.base === 'Null') {
    const wantsAbsent = policyValues.some((v) => v.toLowerCase() === 'true');
    const wantsPresent = policyValues.some((v) => v.toLowerCase() === 'false');
    return (absent && wantsAbsent) || (!absent && wantsPresent) ? { ok: true } : fail();
  }
  let patterns: Pattern[] = [];
  if (op.base !== 'Bool') {
    // A policy variable with no single value in the request makes the whole key fail, for negated operators too:
    // otherwise `StringNotEquals: {"k": "${aws:PrincipalTag/missing}"}` would hold for every request.
    const wildcards = op.base.includes('Like') || op.base.startsWith('Arn');
    const expanded = policyValues.map((v) => expandValue(v, ctx, wildcards));
    if (expanded.some((p) => p === undefined)) {
      return {
        ok: false,
        reason: `condition ${operatorName} ${key}: a policy variable in ${policyValues.length === 1 ? policyValues[0] : JSON.stringify(policyValues)} has no value in the request`,
      };
    }
    patterns = expanded as Pattern[];
  }
  if (absent) {
    if (op.ifExists || op.set === 'ForAllValues') return { ok: true };
    if (op.set === 'ForAnyValue') return fail();
    return NEGATED.has(op.base) ? { ok: true } : fail();
  }
  const values = actual as string[];

  if (op.base === 'Bool') {
    const matchOne = (v: string) => policyValues.some((p) => p.toLowerCase() === v.toLowerCase());
    const ok = op.set === 'ForAllValues' ? values.every(matchOne) : values.some(matchOne);
    return ok ? { ok: true } : fail();
  }

  const negated = NEGATED.has(op.base);
  const positive = positiveOf(op.base);
  const test = (v: string) => (negated ? !matchesAny(positive, v, patterns) : matchesAny(positive, v, patterns));

  let ok: boolean;
  if (op.set === 'ForAllValues') ok = values.every(test);
  else if (op.set === 'ForAnyValue') ok = values.some(test);
  // Without a set operator a multivalued key (e.g. an array `aud`) matches when any value does, and a negated
  // operator holds only when no value matches; single-valued keys behave the same either way.
  else ok = negated ? values.every(test) : values.some(test);
  return ok ? { ok: true } : fail();
}

/** Evaluates a statement's `Condition` block; the first failing operator/key explains the refusal. */
export function evaluateConditions(condition: unknown, ctx: ConditionContext): ConditionResult {
  if (condition === undefined) return { ok: true };
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    return { ok: false, reason: 'Condition block is not an object' };
  }
  for (const [operatorName, block] of Object.entries(condition)) {
    const op = parseOperator(operatorName);
    if (!op) return { ok: false, reason: `unsupported condition operator ${operatorName}` };
    if (typeof block !== 'object' || block === null || Array.isArray(block)) {
      return { ok: false, reason: `condition ${operatorName} is not an object of keys` };
    }
    for (const [key, raw] of Object.entries(block)) {
      const policyValues = asStrings(raw);
      if (!policyValues) return { ok: false, reason: `condition ${operatorName} ${key} has a non-string value` };
      const result = evaluateKey(operatorName, op, key, policyValues, ctx);
      if (!result.ok) return result;
    }
  }
  return { ok: true };
}
