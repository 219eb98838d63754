// The IAM model's own refusals, as CreateRole makes them.
import { IamModel } from '../../src/emulator';

describe('role names', () => {
  it('are unique in an account ignoring case and path (CreateRole: EntityAlreadyExists), not across accounts', () => {
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }],
    };
    const model = new IamModel('123456789012', 'us-east-1');
    model.addRole({ name: 'Deploy', assumeRolePolicyDocument: trust });
    expect(() => model.addRole({ name: 'deploy', path: '/ci/', assumeRolePolicyDocument: trust })).toThrow(
      'EntityAlreadyExists: Role with name deploy already exists.',
    );
    expect(model.addRole({ name: 'deploy', accountId: '210987654321', assumeRolePolicyDocument: trust }).arn).toBe(
      'arn:aws:iam::210987654321:role/deploy',
    );
  });
});
