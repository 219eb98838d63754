// Request parameters of the IAM Query API, checked against the constraints of IAM's API model (botocore
// iam/2010-05-08 service-2.json) with IAM's "1 validation error detected" wording, which names the member in
// lowerCamelCase (`roleName`, `openIDConnectProviderArn`, `clientID`, `policyDocument`).
import { stsValidationError } from '../errors';

export type Params = ReadonlyMap<string, string>;

export interface StringConstraint {
  min: number;
  max: number;
  /** The pattern as IAM's model spells it (quoted in the error), and as a JavaScript regular expression. */
  pattern?: { text: string; regex: RegExp };
}

export const ROLE_NAME: StringConstraint = {
  min: 1,
  max: 64,
  pattern: { text: '[\\w+=,.@-]+', regex: /^[\w+=,.@-]+$/ },
};
export const ARN: StringConstraint = { min: 20, max: 2048 };
export const CLIENT_ID: StringConstraint = { min: 1, max: 255 };
const POLICY_TEXT = '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+';
export const POLICY_DOCUMENT: StringConstraint = {
  min: 1,
  max: 131072,
  // Tab, line feed, carriage return and Latin-1 (built from its text: a literal would hold control characters).
  pattern: { text: POLICY_TEXT, regex: new RegExp(`^${POLICY_TEXT}$`, 'u') },
};

/** A required string parameter `name` (wire name), reported as `member` when it breaks `constraint`. */
export function requiredString(params: Params, name: string, member: string, constraint: StringConstraint): string {
  const value = params.get(name);
  if (value === undefined) throw stsValidationError(null, member, 'Member must not be null');
  checkString(value, member, constraint);
  return value;
}

function checkString(value: string, member: string, constraint: StringConstraint): void {
  if (value.length < constraint.min) {
    throw stsValidationError(value, member, `Member must have length greater than or equal to ${constraint.min}`);
  }
  if (value.length > constraint.max) {
    throw stsValidationError(value, member, `Member must have length less than or equal to ${constraint.max}`);
  }
  if (constraint.pattern && !constraint.pattern.regex.test(value)) {
    throw stsValidationError(
      value,
      member,
      `Member must satisfy regular expression pattern: ${constraint.pattern.text}`,
    );
  }
}

/** `MaxItems` of IAM's paginated calls: 1-1000, default 100. */
export function maxItems(params: Params): number {
  const raw = params.get('MaxItems');
  if (raw === undefined) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw stsValidationError(raw, 'maxItems', 'Member must have value between 1 and 1000');
  }
  return n;
}
