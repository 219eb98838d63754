// Session tags: from a web-identity token's `https://aws.amazon.com/tags` claim or from AssumeRole's `Tags`.
// Both are held to STS's limits (≤50, key 1-128, value ≤256, charset, no `aws:` prefix, keys unique ignoring case).
import { StsError, stsValidationError } from './errors';

export interface SessionTag {
  key: string;
  value: string;
}

export const TAGS_CLAIM = 'https://aws.amazon.com/tags';
export const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';

const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const KEY_PATTERN = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+';
const VALUE_PATTERN = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*';

/** Describes what is wrong with a tag set, or undefined when STS would accept it. */
function tagProblem(tags: SessionTag[]): { problem: string; index?: number; part?: 'key' | 'value' } | undefined {
  if (tags.length > 50) return { problem: `${tags.length} tags exceed the limit of 50` };
  const seen = new Set<string>();
  for (const [index, tag] of tags.entries()) {
    if (!TAG_KEY.test(tag.key)) return { problem: `tag key '${tag.key}' is invalid`, index, part: 'key' };
    if (!TAG_VALUE.test(tag.value)) return { problem: `value of tag '${tag.key}' is invalid`, index, part: 'value' };
    if (tag.key.toLowerCase().startsWith('aws:'))
      return { problem: `tag key '${tag.key}' uses the reserved prefix aws:` };
    const folded = tag.key.toLowerCase();
    if (seen.has(folded))
      return { problem: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.' };
    seen.add(folded);
  }
  return undefined;
}

/** Validates AssumeRole `Tags.member.N`, with the parameter path STS names in its ValidationError. */
export function validateRequestTags(tags: SessionTag[]): void {
  const issue = tagProblem(tags);
  if (!issue) return;
  if (issue.index !== undefined && issue.part) {
    const tag = tags[issue.index] as SessionTag;
    const value = issue.part === 'key' ? tag.key : tag.value;
    const limit = issue.part === 'key' ? 128 : 256;
    const constraint =
      value.length > limit
        ? `Member must have length less than or equal to ${limit}`
        : value.length === 0
          ? 'Member must have length greater than or equal to 1'
          : `Member must satisfy regular expression pattern: ${issue.part === 'key' ? KEY_PATTERN : VALUE_PATTERN}`;
    throw stsValidationError(value, `tags.${issue.index + 1}.member.${issue.part}`, constraint);
  }
  if (tags.length > 50) {
    throw stsValidationError(`[${tags.length} tags]`, 'tags', 'Member must have length less than or equal to 50');
  }
  throw new StsError('InvalidParameterValue', issue.problem);
}

export interface TokenTags {
  tags: SessionTag[];
  transitiveKeys: string[];
}

/** Reads and validates the tags claim of a web-identity token; absent claim → no tags. */
export function tagsFromClaims(claims: Record<string, unknown>): TokenTags {
  const claim = claims[TAGS_CLAIM];
  if (claim === undefined) return { tags: [], transitiveKeys: [] };
  const invalid = (why: string) => new StsError('InvalidIdentityToken', `Invalid session tags in the token: ${why}`);
  if (typeof claim !== 'object' || claim === null || Array.isArray(claim))
    throw invalid(`${TAGS_CLAIM} is not an object`);
  const { principal_tags: principalTags, transitive_tag_keys: transitive } = claim as Record<string, unknown>;
  const tags: SessionTag[] = [];
  if (principalTags !== undefined) {
    if (typeof principalTags !== 'object' || principalTags === null || Array.isArray(principalTags)) {
      throw invalid('principal_tags is not an object');
    }
    for (const [key, raw] of Object.entries(principalTags)) {
      const values = Array.isArray(raw) ? raw : [raw];
      if (values.length !== 1 || typeof values[0] !== 'string') {
        throw invalid(
          `tag '${key}' must have exactly one string value (STS does not support multi-valued session tags)`,
        );
      }
      tags.push({ key, value: values[0] });
    }
  }
  const issue = tagProblem(tags);
  if (issue) throw invalid(issue.problem);
  const transitiveKeys: string[] = [];
  if (transitive !== undefined) {
    if (!Array.isArray(transitive) || transitive.some((k) => typeof k !== 'string')) {
      throw invalid('transitive_tag_keys is not an array of strings');
    }
    for (const key of transitive as string[]) {
      if (!tags.some((t) => t.key.toLowerCase() === key.toLowerCase())) {
        throw invalid(`transitive tag key '${key}' is not one of the principal_tags`);
      }
      transitiveKeys.push(key);
    }
  }
  return { tags, transitiveKeys };
}
