// IAM's rules for the tags of a role (CreateRole / TagRole, `Tags` of AWS::IAM::Role): at most 50, keys of 1-128
// and values of 0-256 Unicode letters, digits, spaces and `_.:/=+-@`, no `aws:` prefix (reserved for AWS), and keys
// unique ignoring case (IAM preserves the case of a role's tag keys but does not let two differ only by it).
import type { RoleTag } from '../iam-model';

const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
export const MAX_ROLE_TAGS = 50;

/** What IAM would refuse in a role's tag list, or undefined when it accepts it. */
export function roleTagProblem(tags: readonly RoleTag[]): string | undefined {
  if (tags.length > MAX_ROLE_TAGS) return `${tags.length} tags exceed IAM's limit of ${MAX_ROLE_TAGS} per role`;
  const seen = new Set<string>();
  for (const [i, tag] of tags.entries()) {
    const at = `tag #${i + 1}`;
    if (typeof tag?.Key !== 'string' || typeof tag.Value !== 'string') return `${at} needs a string Key and Value`;
    if (!TAG_KEY.test(tag.Key)) {
      return `${at}: key '${tag.Key}' must be 1-128 Unicode letters, digits, spaces or _.:/=+-@`;
    }
    if (!TAG_VALUE.test(tag.Value)) {
      return `${at}: value of '${tag.Key}' must be 0-256 Unicode letters, digits, spaces or _.:/=+-@`;
    }
    if (tag.Key.toLowerCase().startsWith('aws:')) {
      return `${at}: key '${tag.Key}' uses the prefix aws:, which is reserved for AWS`;
    }
    const folded = tag.Key.toLowerCase();
    if (seen.has(folded)) return `${at}: duplicate tag key '${tag.Key}' (IAM tag keys are unique ignoring case)`;
    seen.add(folded);
  }
  return undefined;
}
