// A statement's Condition block: parsing (refusing what IAM refuses or the engine cannot evaluate) and evaluation
// with IAM's semantics. Values within one key are ORed; keys and operators are ANDed. Without a set operator a
// positive operator holds when any request value matches and a negated one when none does; an absent key makes a
// positive operator false and a negated one true, `...IfExists` true, `ForAllValues` true and `ForAnyValue` false.
import type { ConditionContext } from './context';
import { PolicyDocumentError } from './errors';
import { type ParsedOperator, type Pattern, parseOperator, policyValueProblem, valueMatches } from './operators';

export interface ParsedCondition {
  operator: ParsedOperator;
  /** The key as written (names are compared case-insensitively). */
  key: string;
  /** Policy values as written, before variable substitution. */
  values: string[];
}

/** The outcome of one condition key, with what a "why denied" explanation needs. */
export interface ConditionVerdict {
  operator: string;
  key: string;
  expected: string[];
  /** The request's values; undefined when the key is absent from the request. */
  actual: string[] | undefined;
  matched: boolean;
  /** A `${…}` policy variable with no single value in the request (the key then fails whatever the operator). */
  unresolvedVariable?: string;
}

function policyValues(raw: unknown): string[] | undefined {
  const list = Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (const v of list) {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
    else return undefined;
  }
  return out.length > 0 ? out : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * IAM refuses a condition key with more than one colon (the classic mistake is `https://issuer:sub`). Provider URLs
 * in IAM carry no port, but the emulator's loopback issuers do (`127.0.0.1:8080:sub`), so that one form is allowed.
 */
function checkKeyName(key: string, statement: number): void {
  // Tag keys may themselves contain colons.
  if (/^aws:(Request|Principal|Resource)Tag\//i.test(key)) return;
  const withoutLoopbackPort = key.replace(/^(127\.0\.0\.1|localhost):\d+(?=[/:])/i, '$1');
  if (withoutLoopbackPort.split(':').length > 2) {
    throw new PolicyDocumentError(`Condition can contain only one colon. (${key})`, statement);
  }
}

/** Parses a Condition block; `statement` is the statement's index for the error's location. */
export function parseConditions(block: unknown, statement: number): ParsedCondition[] {
  if (block === undefined) return [];
  if (!isObject(block))
    throw new PolicyDocumentError('Syntax errors in policy. (Condition must be an object)', statement);
  const out: ParsedCondition[] = [];
  for (const [operatorName, keys] of Object.entries(block)) {
    const operator = parseOperator(operatorName);
    if (!operator) throw new PolicyDocumentError(`Invalid Condition type : ${operatorName}`, statement);
    if (!isObject(keys)) {
      throw new PolicyDocumentError(
        `Syntax errors in policy. (${operatorName} must map condition keys to values)`,
        statement,
      );
    }
    for (const [key, raw] of Object.entries(keys)) {
      checkKeyName(key, statement);
      const values = policyValues(raw);
      if (!values) {
        throw new PolicyDocumentError(
          `Syntax errors in policy. (${operatorName} ${key} needs string values)`,
          statement,
        );
      }
      for (const value of values) {
        const problem = policyValueProblem(operator, value);
        if (problem) {
          throw new PolicyDocumentError(`Invalid value for ${operatorName} ${key}: '${value}' ${problem}`, statement);
        }
      }
      out.push({ operator, key, values });
    }
  }
  return out;
}

/**
 * Expands `${…}` policy variables (only String and Arn operators take them, and only under Version 2012-10-17).
 * `${*}`, `${?}` and `${$}` are literal characters; `${key, 'default'}` falls back to the default. Substituted text
 * is literal even under a Like operator. Returns the unresolved variable when one has no single value.
 */
export function expandValue(
  value: string,
  ctx: ConditionContext,
  variables: boolean,
): { pattern: Pattern } | { unresolved: string } {
  if (!variables) return { pattern: [{ text: value, literal: false }] };
  const pattern: Pattern = [];
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf('${', i);
    const end = start < 0 ? -1 : value.indexOf('}', start + 2);
    if (start < 0 || end < 0) {
      pattern.push({ text: value.slice(i), literal: false });
      break;
    }
    if (start > i) pattern.push({ text: value.slice(i, start), literal: false });
    const inner = value.slice(start + 2, end).trim();
    i = end + 1;
    if (inner === '*' || inner === '?' || inner === '$') {
      pattern.push({ text: inner, literal: true });
      continue;
    }
    const match = /^([^,]+?)\s*(?:,\s*'([^']*)')?$/.exec(inner);
    const resolved = ctx.get(match?.[1] ?? inner);
    if (resolved && resolved.length === 1) pattern.push({ text: resolved[0] as string, literal: true });
    else if (match?.[2] !== undefined) pattern.push({ text: match[2], literal: true });
    else return { unresolved: value.slice(start, end + 1) };
  }
  return { pattern };
}

function takesVariables(op: ParsedOperator): boolean {
  return op.family === 'String' || op.family === 'Arn';
}

/** Evaluates one condition key. `variables` is true when the policy's Version enables policy variables. */
export function evaluateCondition(
  condition: ParsedCondition,
  ctx: ConditionContext,
  variables: boolean,
): ConditionVerdict {
  const { operator: op, key, values } = condition;
  const actual = ctx.get(key);
  const verdict = (matched: boolean, unresolvedVariable?: string): ConditionVerdict => ({
    operator: op.name,
    key,
    expected: values,
    actual,
    matched,
    ...(unresolvedVariable ? { unresolvedVariable } : {}),
  });

  if (op.family === 'Null') {
    const wantsAbsent = values.some((v) => v.toLowerCase() === 'true');
    const wantsPresent = values.some((v) => v.toLowerCase() === 'false');
    return verdict((actual === undefined && wantsAbsent) || (actual !== undefined && wantsPresent));
  }
  const patterns: Pattern[] = [];
  for (const value of values) {
    const expanded = expandValue(value, ctx, variables && takesVariables(op));
    // Fail closed: `StringNotEquals: {"k": "${aws:PrincipalTag/missing}"}` must not hold for every request.
    if ('unresolved' in expanded) return verdict(false, expanded.unresolved);
    patterns.push(expanded.pattern);
  }
  if (actual === undefined) {
    if (op.ifExists || op.set === 'ForAllValues') return verdict(true);
    if (op.set === 'ForAnyValue') return verdict(false);
    return verdict(op.negated);
  }
  const test = (v: string) => {
    const hit = patterns.some((p) => valueMatches(op, v, p));
    return op.negated ? !hit : hit;
  };
  if (op.set === 'ForAllValues') return verdict(actual.every(test));
  if (op.set === 'ForAnyValue') return verdict(actual.some(test));
  return verdict(op.negated ? actual.every(test) : actual.some(test));
}

/** Evaluates conditions in order, stopping at the first that fails (the one that decides). */
export function evaluateConditions(
  conditions: readonly ParsedCondition[],
  ctx: ConditionContext,
  variables: boolean,
): { matched: boolean; verdicts: ConditionVerdict[] } {
  const verdicts: ConditionVerdict[] = [];
  for (const condition of conditions) {
    const v = evaluateCondition(condition, ctx, variables);
    verdicts.push(v);
    if (!v.matched) return { matched: false, verdicts };
  }
  return { matched: true, verdicts };
}
