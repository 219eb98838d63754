// STS request parameters (Query protocol) and their constraint checks, phrased as STS phrases ValidationError.
import { PolicyDocumentError, parsePolicy } from '../policy';
import { StsError, stsValidationError } from './errors';
import type { SessionTag } from './session-tags';

export type QueryParams = Map<string, string>;

const SESSION_NAME_PATTERN = '[\\w+=,.@-]*';
const SESSION_NAME = /^[\w+=,.@-]*$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: STS's own pattern admits tab, LF and CR
const ARN_TEXT = /^[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: STS's own pattern admits tab, LF and CR
const POLICY_TEXT = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;
// Any partition's syntax; the role is then looked up in this STS's partition, where a foreign ARN names no role.
const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role(\/.*)?\/[\w+=,.@-]+$/;

function member(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function required(params: QueryParams, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw stsValidationError(null, member(name), 'Member must not be null');
  return value;
}

function checkLength(value: string, name: string, min: number, max: number): void {
  if (value.length < min)
    throw stsValidationError(value, member(name), `Member must have length greater than or equal to ${min}`);
  if (value.length > max)
    throw stsValidationError(value, member(name), `Member must have length less than or equal to ${max}`);
}

/** Returns the account id of a syntactically valid role ARN. */
export function roleArnParam(params: QueryParams): { arn: string; accountId: string } {
  const arn = required(params, 'RoleArn');
  checkLength(arn, 'RoleArn', 20, 2048);
  if (!ARN_TEXT.test(arn))
    throw stsValidationError(
      arn,
      'roleArn',
      'Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+',
    );
  const match = ROLE_ARN.exec(arn);
  if (!match) throw new StsError('ValidationError', 'Request ARN is invalid');
  return { arn, accountId: match[1] as string };
}

export function sessionNameParam(params: QueryParams): string {
  const name = required(params, 'RoleSessionName');
  checkLength(name, 'RoleSessionName', 2, 64);
  if (!SESSION_NAME.test(name)) {
    throw stsValidationError(
      name,
      'roleSessionName',
      `Member must satisfy regular expression pattern: ${SESSION_NAME_PATTERN}`,
    );
  }
  return name;
}

/** DurationSeconds within 900..43200, or undefined when absent (the caller applies the default). */
export function durationParam(params: QueryParams): number | undefined {
  const raw = params.get('DurationSeconds');
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
    throw stsValidationError(raw, 'durationSeconds', 'Member must be an integer');
  }
  if (value < 900)
    throw stsValidationError(raw, 'durationSeconds', 'Member must have value greater than or equal to 900');
  if (value > 43200)
    throw stsValidationError(raw, 'durationSeconds', 'Member must have value less than or equal to 43200');
  return value;
}

export interface SessionPolicies {
  policy?: string;
  policyArns: string[];
}

export function sessionPoliciesParam(params: QueryParams): SessionPolicies {
  const policy = params.get('Policy');
  if (policy !== undefined) {
    checkLength(policy, 'Policy', 1, 2048);
    if (!POLICY_TEXT.test(policy)) {
      throw stsValidationError(
        policy,
        'policy',
        'Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(policy);
    } catch {
      throw new StsError('MalformedPolicyDocument', 'Syntax errors in policy.');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('Statement' in parsed)) {
      throw new StsError(
        'MalformedPolicyDocument',
        'Syntax errors in policy. The policy must be a JSON object with a Statement.',
      );
    }
    // The grammar too, as STS checks it: a session policy caps what the session may do, so it must be judgeable.
    try {
      parsePolicy(parsed);
    } catch (error) {
      if (!(error instanceof PolicyDocumentError)) throw error;
      throw new StsError('MalformedPolicyDocument', error.message);
    }
  }
  const policyArns: string[] = [];
  for (let i = 1; params.has(`PolicyArns.member.${i}.arn`); i++) {
    const arn = params.get(`PolicyArns.member.${i}.arn`) as string;
    checkLength(arn, `PolicyArns.member.${i}.arn`, 20, 2048);
    if (!/^arn:aws[\w-]*:iam::(\d{12}|aws):policy\/.+$/.test(arn)) {
      throw new StsError('InvalidParameterValue', `The policy ARN '${arn}' is not a valid managed policy ARN.`);
    }
    policyArns.push(arn);
  }
  if (policyArns.length > 10) {
    throw stsValidationError(
      `[${policyArns.length} policy ARNs]`,
      'policyArns',
      'Member must have length less than or equal to 10',
    );
  }
  return { policy, policyArns };
}

export function tagsParam(params: QueryParams): SessionTag[] {
  const tags: SessionTag[] = [];
  for (let i = 1; params.has(`Tags.member.${i}.Key`) || params.has(`Tags.member.${i}.Value`); i++) {
    const key = params.get(`Tags.member.${i}.Key`);
    const value = params.get(`Tags.member.${i}.Value`);
    if (key === undefined) throw stsValidationError(null, `tags.${i}.member.key`, 'Member must not be null');
    if (value === undefined) throw stsValidationError(null, `tags.${i}.member.value`, 'Member must not be null');
    tags.push({ key, value });
  }
  return tags;
}

export function transitiveTagKeysParam(params: QueryParams): string[] {
  const keys: string[] = [];
  for (let i = 1; params.has(`TransitiveTagKeys.member.${i}`); i++)
    keys.push(params.get(`TransitiveTagKeys.member.${i}`) as string);
  if (keys.length > 50) {
    throw stsValidationError(
      `[${keys.length} keys]`,
      'transitiveTagKeys',
      'Member must have length less than or equal to 50',
    );
  }
  return keys;
}

export function externalIdParam(params: QueryParams): string | undefined {
  const value = params.get('ExternalId');
  if (value === undefined) return undefined;
  checkLength(value, 'ExternalId', 2, 1224);
  if (!EXTERNAL_ID.test(value)) {
    throw stsValidationError(value, 'externalId', 'Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*');
  }
  return value;
}

/** Validates a source identity from a parameter or a token claim. */
export function checkSourceIdentity(value: string, memberName: string): void {
  checkLength(value, memberName, 2, 64);
  if (!SESSION_NAME.test(value)) {
    throw stsValidationError(
      value,
      member(memberName),
      `Member must satisfy regular expression pattern: ${SESSION_NAME_PATTERN}`,
    );
  }
  if (value.toLowerCase().startsWith('aws:')) {
    throw new StsError('InvalidParameterValue', 'SourceIdentity cannot start with the reserved prefix aws:');
  }
}
