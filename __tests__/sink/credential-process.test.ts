import { credentialProcessDocument } from '../../src/sink/credential-process';

test('Version 1 with Expiration (without it an SDK would never refresh) and AccountId', () => {
  const text = credentialProcessDocument({
    credentials: {
      accessKeyId: 'ASIAEXAMPLE000000001',
      secretAccessKey: 'secret/+key',
      sessionToken: 'token',
      expiration: new Date('2030-01-01T00:00:00.123Z'),
    },
    accountId: '111122223333',
    arn: 'arn:aws:sts::111122223333:assumed-role/r/s',
  });
  expect(text.endsWith('\n')).toBe(true);
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(JSON.parse(text)).toEqual({
    Version: 1,
    AccessKeyId: 'ASIAEXAMPLE000000001',
    SecretAccessKey: 'secret/+key',
    SessionToken: 'token',
    Expiration: '2030-01-01T00:00:00Z',
    AccountId: '111122223333',
  });
});
