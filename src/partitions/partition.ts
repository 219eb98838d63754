// AWS partitions (aws, aws-cn, aws-us-gov, aws-eusc, …): which one a region or an ARN belongs to, and what follows
// from it. Region → partition is the SDK's own resolution (same data, same order: exact region, then the
// partition's region pattern, else `aws`), from a copy generated at build time so that settings can use it before
// the SDK is loaded.
import { PARTITIONS } from './partition-data';

export interface PartitionEntry {
  readonly name: string;
  readonly dnsSuffix: string;
  readonly regionRegex: string;
  readonly regions: readonly string[];
}

export interface Partition {
  readonly name: string;
  /** `amazonaws.com`, `amazonaws.com.cn`, `amazonaws.eu`, …: regional endpoints are `<service>.<region>.<dnsSuffix>`. */
  readonly dnsSuffix: string;
}

const AWS = PARTITIONS.find((p) => p.name === 'aws') as PartitionEntry;

/** The partition a region belongs to, as the AWS SDK resolves it (an unknown region counts as `aws`). */
export function partitionOfRegion(region: string): Partition {
  const entry =
    PARTITIONS.find((p) => p.regions.includes(region)) ??
    PARTITIONS.find((p) => new RegExp(p.regionRegex).test(region)) ??
    AWS;
  return { name: entry.name, dnsSuffix: entry.dnsSuffix };
}

/** `arn:aws-cn:iam::…` → `aws-cn`; undefined when the text is not an ARN. */
export function partitionOfArn(arn: string): string | undefined {
  return /^arn:([a-z0-9-]+):/.exec(arn)?.[1];
}

/** Partition names the SDK knows, for messages. */
export function knownPartitions(): string[] {
  return PARTITIONS.map((p) => p.name);
}

/**
 * The audience IAM's console proposes for an OIDC provider, and so the one trust policies test (`<provider>:aud`):
 * `sts.amazonaws.com` in aws and aws-us-gov (GovCloud keeps the commercial name), `sts.amazonaws.com.cn` in China;
 * in other partitions `sts.<dnsSuffix>` by the same rule as China.
 */
export function defaultStsAudience(partition: Partition): string {
  if (partition.name === 'aws' || partition.name === 'aws-us-gov') return 'sts.amazonaws.com';
  return `sts.${partition.dnsSuffix}`;
}

/** Console federation hosts (protocols.md §5.2, §7.3) where AWS documents them. */
const SIGNIN: Readonly<Record<string, { signin: string; console: string }>> = {
  aws: { signin: 'signin.aws.amazon.com', console: 'console.aws.amazon.com' },
  'aws-cn': { signin: 'signin.amazonaws.cn', console: 'console.amazonaws.cn' },
  'aws-us-gov': { signin: 'signin.amazonaws-us-gov.com', console: 'console.amazonaws-us-gov.com' },
};

/**
 * The host of the console federation endpoint (`https://<host>/federation`) in a partition, undefined where AWS
 * documents none (the isolated partitions, and aws-eusc so far): callers say so instead of guessing a host.
 */
export function signinHostFor(partition: string): string | undefined {
  return SIGNIN[partition]?.signin;
}

/** The console host a federation login lands on (`Destination`), undefined where `signinHostFor` is. */
export function consoleHostFor(partition: string): string | undefined {
  return SIGNIN[partition]?.console;
}
