/**
 * What is wrong with a role ARN that does not parse, and the corrected ARN where one can be derived. The usual
 * slips: quotes kept by YAML or a shell, spaces, the account id copied with the console's dashes or without its
 * leading zero, `role/` left out, a region in an IAM ARN (IAM is global), the partition missing, and the ARN that
 * `aws sts get-caller-identity` prints (an STS assumed-role session) or a user's ARN pasted instead of the role's.
 */
export interface RoleArnDiagnosis {
  /** Each slip found, in words. */
  readonly problems: readonly string[];
  /** The ARN with the slips undone, when every part could be derived. */
  readonly corrected?: string;
}

const ACCOUNT_ID = /^\d{12}$/;

/** Quotes and whitespace anywhere in the value: none belongs in an ARN. */
function stripNoise(value: string, problems: string[]): string {
  let text = value;
  if (/^["'`]|["'`]$/.test(text)) {
    text = text.replace(/^["'`]+|["'`]+$/g, '');
    problems.push('the quotes are part of the value (YAML or the shell kept them)');
  }
  if (/\s/.test(text)) {
    text = text.replace(/\s+/g, '');
    problems.push('it contains spaces');
  }
  return text;
}

/** The six ARN fields, with a missing `arn:` or partition put back. Undefined when this is no ARN at all. */
function arnFields(text: string, problems: string[]): string[] | undefined {
  let parts = text.split(':');
  if (parts[0] !== 'arn') {
    if (parts[0] !== 'iam' && parts[0] !== 'sts' && !/^aws(-[a-z]+)*$/.test(parts[0] ?? '')) return undefined;
    parts = ['arn', ...parts];
    problems.push('it lacks the arn: prefix');
  }
  if (parts[1] === 'iam' || parts[1] === 'sts') {
    parts.splice(1, 0, '');
  }
  if (parts[1] === '') {
    parts[1] = 'aws';
    problems.push('the partition is missing (aws; aws-cn in China, aws-us-gov in GovCloud)');
  }
  // A role ARN has no other colon: arn:partition:iam::account:role/name.
  return parts.length === 6 ? parts : undefined;
}

function fixAccount(account: string, problems: string[]): string | undefined {
  if (ACCOUNT_ID.test(account)) return account;
  if (/^\d{4}-\d{4}-\d{4}$/.test(account)) {
    problems.push('the account id keeps the dashes the console shows');
    return account.replace(/-/g, '');
  }
  if (/^\d{11}$/.test(account)) {
    problems.push('the account id has 11 digits, AWS account ids 12 (a lost leading zero?)');
    return `0${account}`;
  }
  problems.push(
    /^\d+$/.test(account)
      ? `the account id has ${account.length} digits; AWS account ids have 12`
      : `the account id ${account ? `"${account}" is not` : 'is missing; it must be'} 12 digits`,
  );
  return undefined;
}

/** `role/<path/>name` from what was written; undefined for users, groups and anything else that cannot be assumed. */
function fixResource(service: string, resource: string, problems: string[]): string | undefined {
  if (service === 'sts') {
    const session = /^assumed-role\/([^/]+)\/[^/]+$/.exec(resource);
    if (!session) {
      problems.push("it is an STS ARN, not a role's (arn:aws:iam::<account-id>:role/<name>)");
      return undefined;
    }
    problems.push(
      "it is an STS session's ARN (what get-caller-identity prints), not the role's (add the role's path if it has one)",
    );
    return `role/${session[1]}`;
  }
  if (/^(user|group)\//.test(resource)) {
    problems.push(`it names an IAM ${resource.split('/')[0]}, which cannot be assumed; only a role can`);
    return undefined;
  }
  if (/^roles?\//i.test(resource) && !resource.startsWith('role/')) {
    problems.push('the resource type is spelled "role/"');
    return resource.replace(/^roles?\//i, 'role/');
  }
  if (!resource.includes('/')) {
    problems.push('"role/" is missing before the role name');
    return `role/${resource}`;
  }
  return resource.startsWith('role/') ? resource : undefined;
}

export function diagnoseRoleArn(value: string): RoleArnDiagnosis {
  const problems: string[] = [];
  const fields = arnFields(stripNoise(value, problems), problems);
  if (!fields) return { problems };
  const [, partition, service, region, account, resource] = fields as [string, string, string, string, string, string];
  if (service !== 'iam' && service !== 'sts') {
    problems.push(`the service is "${service}"; role ARNs are IAM's (arn:${partition}:iam::…)`);
  }
  if (region !== '')
    problems.push(`IAM ARNs have no region ("${region}"): the field between iam: and the account is empty`);
  const fixedAccount = fixAccount(account, problems);
  const fixedResource = fixResource(service, resource, problems);
  if (fixedAccount === undefined || fixedResource === undefined || (service !== 'iam' && service !== 'sts')) {
    return { problems };
  }
  return { problems, corrected: `arn:${partition}:iam::${fixedAccount}:${fixedResource}` };
}
