import { partitionOf } from '../../src/console/partition';

test.each([
  ['us-east-1', 'https://signin.aws.amazon.com/federation', 'https://console.aws.amazon.com/'],
  ['eu-west-1', 'https://signin.aws.amazon.com/federation', 'https://console.aws.amazon.com/'],
  ['cn-north-1', 'https://signin.amazonaws.cn/federation', 'https://console.amazonaws.cn/'],
  ['us-gov-west-1', 'https://signin.amazonaws-us-gov.com/federation', 'https://console.amazonaws-us-gov.com/'],
])('%s signs in at its partition', (region, federation, console) => {
  expect(partitionOf(region)).toMatchObject({ federation, console });
});

test('a partition without a documented console sign-in is refused, naming it', () => {
  expect(() => partitionOf('eusc-de-east-1')).toThrow(/partition aws-eusc.*no console sign-in/);
});
