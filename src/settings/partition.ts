import { InputError } from '../errors';
import { type Partition, partitionOfArn, partitionOfRegion } from '../partitions/partition';
import { PARTITIONS } from '../partitions/partition-data';
import { shownValue } from '../secrets';
import type { SettingsReader } from './values';

/** A region to suggest for a partition in messages: its first named region that is not a `*-global` alias. */
function exampleRegion(partition: string): string | undefined {
  return PARTITIONS.find((p) => p.name === partition)?.regions.find((r) => !r.endsWith('-global'));
}

/** Throws naming the first of `named` (each labelled as the user gave it) outside `partition`; `regionSays` names the region. */
function refuseOtherPartitions(
  partition: Partition,
  regionSays: string,
  named: readonly { readonly label: string; readonly arns: readonly string[] }[],
): void {
  for (const { label, arns } of named) {
    for (const arn of arns) {
      const other = partitionOfArn(arn);
      if (other === undefined || other === partition.name) continue;
      const there = exampleRegion(other);
      throw new InputError(
        `${label} ${shownValue(arn)} is in partition ${other}, but ${regionSays}.`,
        `Use a region of ${other}${there ? ` (e.g. ${there})` : ''}, or an ARN of ${partition.name} (arn:${partition.name}:…).`,
      );
    }
  }
}

/**
 * Everything the run names must live in the region's partition: STS in cn-north-1 knows no `arn:aws:` role, and a
 * `arn:aws-cn:` role is unknown to every other partition's STS. Caught here, before any network call, naming both
 * settings; AWS itself would only answer with a bare AccessDenied or "invalid ARN".
 */
export function checkPartition(
  read: SettingsReader,
  region: string,
  named: { readonly input: string; readonly arns: readonly string[] }[],
  cognitoRegion?: string,
): Partition {
  const partition = partitionOfRegion(region);
  const regionSays = `${read.label('aws-region')} ${shownValue(region)} is in partition ${partition.name}`;
  refuseOtherPartitions(
    partition,
    regionSays,
    named.map(({ input, arns }) => ({ label: read.label(input), arns })),
  );
  if (cognitoRegion !== undefined) {
    const pool = partitionOfRegion(cognitoRegion);
    if (pool.name !== partition.name) {
      throw new InputError(
        `The identity pool's region ${shownValue(cognitoRegion)} (${read.label('cognito-region')} or the pool id) is in partition ${pool.name}, but ${regionSays}.`,
        'An identity pool hands its tokens to STS of its own partition: use a pool and a role of the same partition.',
      );
    }
  }
  return partition;
}

/**
 * The same rule for one line of `profiles`: its role, chained role and policies must be of its own region's
 * partition (the line's region=, else the run's), or its STS would refuse them with a bare AccessDenied.
 */
export function checkProfilePartition(
  where: string,
  region: string,
  named: readonly { readonly label: string; readonly arns: readonly string[] }[],
): void {
  const partition = partitionOfRegion(region);
  refuseOtherPartitions(partition, `${where}'s region ${shownValue(region)} is in partition ${partition.name}`, named);
}
