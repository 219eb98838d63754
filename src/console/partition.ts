/**
 * The federation endpoint and console of a region's partition, from the one partition module (src/partitions). A
 * session of one partition cannot sign in to another's console; where AWS documents no console sign-in (aws-eusc,
 * the isolated partitions) the command says so instead of guessing a host.
 */
import { InputError } from '../errors';
import { consoleHostFor, partitionOfRegion, signinHostFor } from '../partitions/partition';

export interface ConsolePartition {
  readonly name: string;
  readonly federation: string;
  readonly console: string;
}

export function partitionOf(region: string): ConsolePartition {
  const { name } = partitionOfRegion(region);
  const signin = signinHostFor(name);
  const consoleHost = consoleHostFor(name);
  if (!signin || !consoleHost) {
    throw new InputError(
      `Region ${region} is in partition ${name}, for which AWS documents no console sign-in (federation) endpoint.`,
      'Pass --signin-endpoint and --destination for your partition, or use a region of aws, aws-cn or aws-us-gov.',
    );
  }
  return { name, federation: `https://${signin}/federation`, console: `https://${consoleHost}/` };
}
