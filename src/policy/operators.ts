// IAM condition operators: their names, the value type each compares, and how one request value is compared with
// one policy value. Policy values are checked when the policy is parsed, so a value IAM could never compare (a
// non-numeric NumericEquals value, a bad CIDR) refuses the policy instead of silently never matching.
import { BlockList, isIP } from 'node:net';

export type OperatorFamily = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn' | 'Null';
type Comparison = 'eq' | 'eqIgnoreCase' | 'like' | 'lt' | 'le' | 'gt' | 'ge';

interface BaseOperator {
  family: OperatorFamily;
  comparison: Comparison;
  /** `...Not...` operators: true when no policy value matches (and when the key is absent). */
  negated: boolean;
}

const BASE_OPERATORS: Readonly<Record<string, BaseOperator>> = {
  StringEquals: { family: 'String', comparison: 'eq', negated: false },
  StringNotEquals: { family: 'String', comparison: 'eq', negated: true },
  StringEqualsIgnoreCase: { family: 'String', comparison: 'eqIgnoreCase', negated: false },
  StringNotEqualsIgnoreCase: { family: 'String', comparison: 'eqIgnoreCase', negated: true },
  StringLike: { family: 'String', comparison: 'like', negated: false },
  StringNotLike: { family: 'String', comparison: 'like', negated: true },
  NumericEquals: { family: 'Numeric', comparison: 'eq', negated: false },
  NumericNotEquals: { family: 'Numeric', comparison: 'eq', negated: true },
  NumericLessThan: { family: 'Numeric', comparison: 'lt', negated: false },
  NumericLessThanEquals: { family: 'Numeric', comparison: 'le', negated: false },
  NumericGreaterThan: { family: 'Numeric', comparison: 'gt', negated: false },
  NumericGreaterThanEquals: { family: 'Numeric', comparison: 'ge', negated: false },
  DateEquals: { family: 'Date', comparison: 'eq', negated: false },
  DateNotEquals: { family: 'Date', comparison: 'eq', negated: true },
  DateLessThan: { family: 'Date', comparison: 'lt', negated: false },
  DateLessThanEquals: { family: 'Date', comparison: 'le', negated: false },
  DateGreaterThan: { family: 'Date', comparison: 'gt', negated: false },
  DateGreaterThanEquals: { family: 'Date', comparison: 'ge', negated: false },
  Bool: { family: 'Bool', comparison: 'eq', negated: false },
  BinaryEquals: { family: 'Binary', comparison: 'eq', negated: false },
  IpAddress: { family: 'Ip', comparison: 'eq', negated: false },
  NotIpAddress: { family: 'Ip', comparison: 'eq', negated: true },
  // ArnEquals and ArnLike behave the same: each of the six ARN components is matched with * and ? wildcards.
  ArnEquals: { family: 'Arn', comparison: 'like', negated: false },
  ArnLike: { family: 'Arn', comparison: 'like', negated: false },
  ArnNotEquals: { family: 'Arn', comparison: 'like', negated: true },
  ArnNotLike: { family: 'Arn', comparison: 'like', negated: true },
  Null: { family: 'Null', comparison: 'eq', negated: false },
};

export interface ParsedOperator extends BaseOperator {
  /** As written in the policy, e.g. `ForAnyValue:StringLikeIfExists`. */
  name: string;
  base: string;
  set?: 'ForAnyValue' | 'ForAllValues';
  ifExists: boolean;
}

/** Parses an operator name; undefined for anything IAM does not define (IAM: "Invalid Condition type"). */
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
  const ifExists = rest.endsWith('IfExists');
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  const base = Object.hasOwn(BASE_OPERATORS, rest) ? BASE_OPERATORS[rest] : undefined;
  // Null is the one operator without an IfExists form; a set operator over an existence test means nothing either.
  if (!base || (base.family === 'Null' && (ifExists || set))) return undefined;
  return { ...base, name, base: rest, set, ifExists };
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function parseNumber(value: string): number | undefined {
  return NUMBER.test(value.trim()) ? Number(value) : undefined;
}

/** IAM dates are ISO 8601 or epoch seconds; returned as milliseconds. */
function parseDate(value: string): number | undefined {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!ISO_DATE.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseCidr(value: string): { address: string; prefix: number; type: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, extra] = value.trim().split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return undefined;
  const type = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  return prefix >= 0 && prefix <= max ? { address, prefix, type } : undefined;
}

/**
 * Why a policy value can never be compared by this operator, or undefined when it can. Values of String and Arn
 * operators are free text (they may hold policy variables, substituted at evaluation time).
 */
export function policyValueProblem(op: ParsedOperator, value: string): string | undefined {
  switch (op.family) {
    case 'Numeric':
      return parseNumber(value) === undefined ? 'is not a number' : undefined;
    case 'Date':
      return parseDate(value) === undefined ? 'is not an ISO 8601 date or epoch seconds' : undefined;
    case 'Bool':
    case 'Null':
      return /^(true|false)$/i.test(value) ? undefined : 'must be true or false';
    case 'Binary':
      return BASE64.test(value) && value.length % 4 === 0 ? undefined : 'is not base64';
    case 'Ip':
      return parseCidr(value) ? undefined : 'is not an IPv4 or IPv6 address or CIDR block';
    default:
      return undefined;
  }
}

/** Glob with `*` and `?`; `literal` marks characters that came from substituted variables or escapes. */
export type Pattern = Array<{ text: string; literal: boolean }>;

function globSource(pattern: Pattern): string {
  return pattern
    .map((part) =>
      part.literal
        ? part.text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
        : [...part.text]
            .map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
            .join(''),
    )
    .join('');
}

function globMatch(pattern: Pattern, value: string, ignoreCase = false): boolean {
  return new RegExp(`^${globSource(pattern)}$`, ignoreCase ? 'i' : '').test(value);
}

function patternText(pattern: Pattern): string {
  return pattern.map((p) => p.text).join('');
}

/** Splits `pattern` at its first five colons into the six components of an ARN (the last keeps its colons). */
function splitArnPattern(pattern: Pattern): Pattern[] {
  const out: Pattern[] = [[]];
  for (const part of pattern) {
    const pieces = out.length < 6 ? part.text.split(':') : [part.text];
    pieces.forEach((piece, i) => {
      if (i > 0) {
        if (out.length < 6) out.push([]);
        else (out[5] as Pattern).push({ text: ':', literal: true });
      }
      (out[out.length - 1] as Pattern).push({ text: piece, literal: part.literal });
    });
  }
  return out;
}

function arnMatch(pattern: Pattern, value: string): boolean {
  const parts = splitArnPattern(pattern);
  const valueParts = value.split(':');
  if (parts.length !== 6 || valueParts.length < 6) return false;
  const actual = [...valueParts.slice(0, 5), valueParts.slice(5).join(':')];
  return parts.every((p, i) => globMatch(p, actual[i] as string));
}

function compareOrdered(comparison: Comparison, a: number, b: number): boolean {
  switch (comparison) {
    case 'eq':
      return a === b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    default:
      return false;
  }
}

function ipMatch(cidr: string, value: string): boolean {
  const block = parseCidr(cidr);
  const version = isIP(value.trim());
  if (!block || version === 0) return false;
  const list = new BlockList();
  list.addSubnet(block.address, block.prefix, block.type);
  return list.check(value.trim(), version === 4 ? 'ipv4' : 'ipv6');
}

/** Does one request value satisfy the positive form of the operator against one (expanded) policy value? */
export function valueMatches(op: ParsedOperator, actual: string, expected: Pattern): boolean {
  const text = patternText(expected);
  switch (op.family) {
    case 'String':
      if (op.comparison === 'like') return globMatch(expected, actual);
      return op.comparison === 'eqIgnoreCase' ? text.toLowerCase() === actual.toLowerCase() : text === actual;
    case 'Arn':
      return arnMatch(expected, actual);
    case 'Numeric': {
      const a = parseNumber(actual);
      const b = parseNumber(text);
      return a !== undefined && b !== undefined && compareOrdered(op.comparison, a, b);
    }
    case 'Date': {
      const a = parseDate(actual);
      const b = parseDate(text);
      return a !== undefined && b !== undefined && compareOrdered(op.comparison, a, b);
    }
    case 'Bool':
      return text.toLowerCase() === actual.toLowerCase();
    case 'Binary':
      return Buffer.from(text, 'base64').equals(Buffer.from(actual, 'base64'));
    case 'Ip':
      return ipMatch(text, actual);
    default:
      return false;
  }
}
