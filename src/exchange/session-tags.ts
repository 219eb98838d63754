import { InputError } from '../errors';
import { shownValue } from '../secrets';

export interface SessionTag {
  readonly Key: string;
  readonly Value: string;
}

/** STS limits (AssumeRole `Tags`): at most 50 tags, key 1-128 and value 0-256 characters of this set. */
export const MAX_SESSION_TAGS = 50;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const NOT_TAG_CHAR = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;

/** The tags configure-aws-credentials sends; users' ABAC policies already match on these names. */
const REQUIRED_GITHUB_TAGS: ReadonlyArray<readonly [string, string]> = [
  ['Repository', 'GITHUB_REPOSITORY'],
  ['Workflow', 'GITHUB_WORKFLOW'],
  ['Action', 'GITHUB_ACTION'],
  ['Actor', 'GITHUB_ACTOR'],
  ['Commit', 'GITHUB_SHA'],
  ['Branch', 'GITHUB_REF'],
];
const OPTIONAL_GITHUB_TAGS: ReadonlyArray<readonly [string, string]> = [
  ['EventName', 'GITHUB_EVENT_NAME'],
  ['BaseRef', 'GITHUB_BASE_REF'],
  ['HeadRef', 'GITHUB_HEAD_REF'],
  ['RunId', 'GITHUB_RUN_ID'],
  ['Job', 'GITHUB_JOB'],
  ['TriggeringActor', 'GITHUB_TRIGGERING_ACTOR'],
];
export const GITHUB_TAG_KEYS: readonly string[] = [
  'GitHub',
  ...REQUIRED_GITHUB_TAGS.map(([k]) => k),
  ...OPTIONAL_GITHUB_TAGS.map(([k]) => k),
];

/** Values come from the environment, where anything goes: replace what STS refuses and cut to its limit. */
export function sanitizeTagValue(value: string): string {
  return value.replace(NOT_TAG_CHAR, '_').slice(0, 256);
}

/**
 * The session tags for AssumeRole: GitHub context first, custom tags after. `optional: false` drops the tags that
 * are only nice to have, which is the first thing to try when STS says the packed tags are too large.
 */
export function githubSessionTags(
  vars: Readonly<Record<string, string>>,
  customTags: Readonly<Record<string, string>>,
  options: { optional: boolean },
): SessionTag[] {
  const tags: SessionTag[] = [{ Key: 'GitHub', Value: 'Actions' }];
  const pairs = options.optional ? [...REQUIRED_GITHUB_TAGS, ...OPTIONAL_GITHUB_TAGS] : REQUIRED_GITHUB_TAGS;
  for (const [key, variable] of pairs) {
    const value = vars[variable];
    if (value) tags.push({ Key: key, Value: sanitizeTagValue(value) });
  }
  for (const [key, value] of Object.entries(customTags)) tags.push({ Key: key, Value: value });
  return tags;
}

/** Validates `custom-tags` as STS would, plus our own rule: they may not shadow the GitHub tags. */
export function parseCustomTags(raw: unknown, label: string, githubTagCount: number): Record<string, string> {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(`${label} must be a JSON object of tag names to string values, e.g. {"team":"payments"}.`);
  }
  const out: Record<string, string> = {};
  const reserved = new Set(GITHUB_TAG_KEYS.map((k) => k.toLowerCase()));
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'string') {
      const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
      throw new InputError(`${label}: the value of tag ${shownValue(key)} must be a string, got ${kind}.`);
    }
    if (key.length < 1 || key.length > 128 || !TAG_CHARS.test(key)) {
      throw new InputError(
        `${label}: tag key ${shownValue(key)} must be 1-128 characters of letters, digits, spaces and _ . : / = + - @.`,
      );
    }
    if (key.toLowerCase().startsWith('aws:'))
      throw new InputError(`${label}: tag key ${shownValue(key)} uses the reserved prefix aws:.`);
    if (reserved.has(key.toLowerCase())) {
      throw new InputError(
        `${label}: tag key ${shownValue(key)} clashes with a tag this action sets (${GITHUB_TAG_KEYS.join(', ')}).`,
      );
    }
    if (value.length > 256 || !TAG_CHARS.test(value)) {
      throw new InputError(
        `${label}: the value of tag ${shownValue(key)} must be at most 256 characters of letters, digits, spaces and _ . : / = + - @.`,
      );
    }
    out[key] = value;
  }
  const total = Object.keys(out).length + githubTagCount;
  if (total > MAX_SESSION_TAGS) {
    throw new InputError(
      `${label}: ${total} session tags in all (${githubTagCount} GitHub + custom); STS allows ${MAX_SESSION_TAGS}.`,
    );
  }
  return out;
}
