/**
 * The sign-in and console hosts of a region's partition (IAM User Guide, "enable custom identity broker access to
 * the console"; protocols.md §7.3). A session of one partition cannot sign in to another's console.
 */
export interface ConsolePartition {
  readonly name: 'aws' | 'aws-cn' | 'aws-us-gov';
  readonly federation: string;
  readonly console: string;
}

export function partitionOf(region: string): ConsolePartition {
  if (region.startsWith('cn-')) {
    return {
      name: 'aws-cn',
      federation: 'https://signin.amazonaws.cn/federation',
      console: 'https://console.amazonaws.cn/',
    };
  }
  if (region.startsWith('us-gov-')) {
    return {
      name: 'aws-us-gov',
      federation: 'https://signin.amazonaws-us-gov.com/federation',
      console: 'https://console.amazonaws-us-gov.com/',
    };
  }
  return {
    name: 'aws',
    federation: 'https://signin.aws.amazon.com/federation',
    console: 'https://console.aws.amazon.com/',
  };
}
