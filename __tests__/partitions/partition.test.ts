import {
  consoleHostFor,
  defaultStsAudience,
  partitionOfArn,
  partitionOfRegion,
  signinHostFor,
} from '../../src/partitions/partition';

describe('partitions', () => {
  it('knows the partition of each region family', () => {
    expect(partitionOfRegion('us-east-1')).toEqual({ name: 'aws', dnsSuffix: 'amazonaws.com' });
    expect(partitionOfRegion('cn-north-1')).toEqual({ name: 'aws-cn', dnsSuffix: 'amazonaws.com.cn' });
    expect(partitionOfRegion('us-gov-west-1')).toEqual({ name: 'aws-us-gov', dnsSuffix: 'amazonaws.com' });
    expect(partitionOfRegion('eusc-de-east-1')).toEqual({ name: 'aws-eusc', dnsSuffix: 'amazonaws.eu' });
  });

  it('reads the partition of an ARN', () => {
    expect(partitionOfArn('arn:aws-cn:iam::111122223333:role/deploy')).toBe('aws-cn');
    expect(partitionOfArn('arn:aws:sts::111122223333:assumed-role/r/s')).toBe('aws');
    expect(partitionOfArn('deploy')).toBeUndefined();
  });

  it('gives the default STS audience of each partition', () => {
    expect(defaultStsAudience(partitionOfRegion('eu-west-1'))).toBe('sts.amazonaws.com');
    expect(defaultStsAudience(partitionOfRegion('cn-northwest-1'))).toBe('sts.amazonaws.com.cn');
    expect(defaultStsAudience(partitionOfRegion('us-gov-east-1'))).toBe('sts.amazonaws.com');
    expect(defaultStsAudience(partitionOfRegion('eusc-de-east-1'))).toBe('sts.amazonaws.eu');
  });

  it('gives the console federation hosts where AWS documents them, and none elsewhere', () => {
    expect(signinHostFor('aws')).toBe('signin.aws.amazon.com');
    expect(signinHostFor('aws-cn')).toBe('signin.amazonaws.cn');
    expect(signinHostFor('aws-us-gov')).toBe('signin.amazonaws-us-gov.com');
    expect(consoleHostFor('aws-us-gov')).toBe('console.amazonaws-us-gov.com');
    expect(consoleHostFor('aws-cn')).toBe('console.amazonaws.cn');
    expect(signinHostFor('aws-iso')).toBeUndefined();
  });
});
