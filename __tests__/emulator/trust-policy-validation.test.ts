// The emulator refuses, when a role is created, a trust policy IAM would refuse, naming where it came from.
import { IamModel, validateTrustPolicy } from '../../src/emulator';
import { EmulatorConfigError } from '../../src/emulator/errors';

const GH = 'token.actions.githubusercontent.com';
const GH_ARN = `arn:aws:iam::123456789012:oidc-provider/${GH}`;
const WEB = 'sts:AssumeRoleWithWebIdentity';

const trust = (statement: Record<string, unknown>, extra: Array<Record<string, unknown>> = []) => ({
  Version: '2012-10-17',
  Statement: [...extra, statement],
});
const gh = (condition?: Record<string, unknown>) => ({
  Effect: 'Allow',
  Principal: { Federated: GH_ARN },
  Action: WEB,
  ...(condition ? { Condition: condition } : {}),
});
const ok = gh({
  StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com', [`${GH}:sub`]: 'repo:acme/app:ref:refs/heads/main' },
});

describe('validateTrustPolicy at role creation', () => {
  it('is an EmulatorConfigError naming the location, the statement and IAM error code', () => {
    const call = () =>
      validateTrustPolicy(
        trust(gh({ StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com' } }), [ok]),
        'ci.yaml: DeployRole',
      );
    expect(call).toThrow(EmulatorConfigError);
    expect(call).toThrow(
      /^ci\.yaml: DeployRole statement #2: MalformedPolicyDocument: Trust policy for GitHub Actions/,
    );
  });

  it('refuses the role when the model creates it, so no request ever meets the policy', () => {
    const model = new IamModel('123456789012', 'us-east-1');
    expect(() =>
      model.addRole({ name: 'deploy', location: 'stack.yaml: Deploy', assumeRolePolicyDocument: trust(gh()) }),
    ).toThrow(
      /^stack\.yaml: Deploy statement #1: MalformedPolicyDocument: .*token\.actions\.githubusercontent\.com:sub/,
    );
    expect(() => model.addRole({ name: 'deploy2', assumeRolePolicyDocument: JSON.stringify(trust(gh())) })).toThrow(
      /^role deploy2 statement #1: MalformedPolicyDocument/,
    );
    expect(model.listRoles()).toEqual([]);
    expect(model.addRole({ name: 'deploy', assumeRolePolicyDocument: trust(ok) }).name).toBe('deploy');
  });
});

describe('ACLSizePerRole at load', () => {
  const statement = (n: number) => ({
    Effect: 'Allow',
    Principal: {
      AWS: Array.from({ length: n }, (_, i) => `arn:aws:iam::123456789012:role/r${String(i).padStart(4, '0')}`),
    },
    Action: 'sts:AssumeRole',
  });
  const size = (n: number) => JSON.stringify({ Version: '2012-10-17', Statement: [statement(n)] }).length;

  it('refuses a role whose trust policy exceeds 2,048 characters without white space, as CreateRole does', () => {
    let n = 1;
    while (size(n + 1) <= 2048) n++;
    const fits = { Version: '2012-10-17', Statement: [statement(n)] };
    const over = { Version: '2012-10-17', Statement: [statement(n + 1)] };
    const model = new IamModel('123456789012', 'us-east-1');
    expect(model.addRole({ name: 'fits', assumeRolePolicyDocument: JSON.stringify(fits, null, 4) }).name).toBe('fits');
    expect(() => model.addRole({ name: 'over', assumeRolePolicyDocument: over })).toThrow(
      /^role over: LimitExceeded: Cannot exceed quota for ACLSizePerRole: 2048 \(the trust policy has 20\d\d characters/,
    );
  });
});
