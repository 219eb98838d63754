// What IAM refuses when a role's trust policy is created, and what the engine refuses because it cannot judge it:
// each is a load error naming the statement, never a condition silently skipped at evaluation time.
import { parseTrustPolicy } from '../../src/policy';

const GH = 'token.actions.githubusercontent.com';
const GH_ARN = `arn:aws:iam::123456789012:oidc-provider/${GH}`;
const COG = 'cognito-identity.amazonaws.com';
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

describe('identity-provider controls for shared OIDC providers', () => {
  it.each([
    ['no condition at all', gh()],
    ['aud only', gh({ StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com' } })],
    ['sub only a wildcard', gh({ StringLike: { [`${GH}:sub`]: '*' } })],
    ['sub only wildcard characters', gh({ StringLike: { [`${GH}:sub`]: ['repo:acme/*', '*?'] } })],
    ['sub tested only with Null', gh({ Null: { [`${GH}:sub`]: 'false' } })],
  ])('refuses a role trusting GitHub with %s', (_name, statement) => {
    expect(() => parseTrustPolicy(trust(statement))).toThrow(
      `Trust policy for GitHub Actions (${GH}) must evaluate the condition key ${GH}:sub`,
    );
  });

  it('accepts sub conditions that pin something, with any string operator and key spelling', () => {
    expect(() => parseTrustPolicy(trust(ok))).not.toThrow();
    expect(() =>
      parseTrustPolicy(trust(gh({ StringLike: { [`${GH.toUpperCase()}:SUB`]: 'repo:acme/*' } }))),
    ).not.toThrow();
  });

  it('applies to other shared issuers with their required claim, and not to private ones', () => {
    const arn = (host: string) => `arn:aws:iam::123456789012:oidc-provider/${host}`;
    const allow = (host: string, condition?: Record<string, unknown>) => ({
      Effect: 'Allow',
      Principal: { Federated: arn(host) },
      Action: WEB,
      ...(condition ? { Condition: condition } : {}),
    });
    expect(() => parseTrustPolicy(trust(allow('app.terraform.io')))).toThrow('app.terraform.io:sub');
    expect(() => parseTrustPolicy(trust(allow('oidc.vercel.com')))).toThrow('oidc.vercel.com:aud');
    expect(() =>
      parseTrustPolicy(trust(allow('gitlab.com', { StringLike: { 'gitlab.com:sub': 'project_path:acme/*' } }))),
    ).not.toThrow();
    // A GitHub Enterprise issuer with its own slug and a self-hosted issuer are private: no control applies.
    expect(() => parseTrustPolicy(trust(allow(`${GH}/acme`)))).not.toThrow();
    expect(() => parseTrustPolicy(trust(allow('jenkins.acme.example/oidc')))).not.toThrow();
  });

  it('refuses a role trusting Cognito identity pools without an aud condition', () => {
    const cognito = (condition?: Record<string, unknown>) => ({
      Effect: 'Allow',
      Principal: { Federated: COG },
      Action: [WEB, 'sts:TagSession'],
      ...(condition ? { Condition: condition } : {}),
    });
    expect(() =>
      parseTrustPolicy(trust(cognito({ 'ForAnyValue:StringLike': { [`${COG}:amr`]: 'authenticated' } }))),
    ).toThrow(`must evaluate the condition key ${COG}:aud`);
    expect(() =>
      parseTrustPolicy(trust(cognito({ StringEquals: { [`${COG}:aud`]: 'us-east-1:pool' } }))),
    ).not.toThrow();
  });

  it('only Allow statements need the control', () => {
    const deny = { Effect: 'Deny', Principal: { Federated: GH_ARN }, Action: WEB };
    expect(() => parseTrustPolicy(trust(ok, [deny]))).not.toThrow();
  });
});

describe('what IAM refuses in any trust policy, and what the engine cannot evaluate', () => {
  it.each([
    ['an unknown operator', gh({ StringEqualz: { [`${GH}:sub`]: 'x' } }), 'Invalid Condition type : StringEqualz'],
    [
      'Null with IfExists (Null has no IfExists form)',
      gh({ NullIfExists: { [`${GH}:sub`]: 'true' } }),
      'Invalid Condition type : NullIfExists',
    ],
    [
      'a set operator IAM does not define',
      gh({ 'ForSomeValues:StringEquals': { [`${GH}:sub`]: 'x' } }),
      'Invalid Condition type',
    ],
    ['a non-numeric NumericEquals value', gh({ NumericEquals: { 'aws:EpochTime': 'soon' } }), "'soon' is not a number"],
    ['a malformed date', gh({ DateLessThan: { 'aws:CurrentTime': '31/12/2030' } }), 'is not an ISO 8601 date'],
    ['a Bool that is not true/false', gh({ Bool: { 'aws:SecureTransport': 'yes' } }), 'must be true or false'],
    ['a bad CIDR block', gh({ IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } }), 'is not an IPv4 or IPv6 address'],
    ['BinaryEquals that is not base64', gh({ BinaryEquals: { 'aws:SourceIp': 'not base64!' } }), 'is not base64'],
    ['a key of another service', gh({ StringEquals: { 's3:prefix': 'x' } }), 'condition key s3:prefix'],
    [
      'a global key the emulator does not fill',
      gh({ StringEquals: { 'aws:PrincipalOrgID': 'o-1' } }),
      'condition key aws:PrincipalOrgID',
    ],
    ['a key without a provider prefix', gh({ StringEquals: { sub: 'x' } }), 'condition key sub'],
    [
      'a condition key written with the issuer URL scheme',
      gh({ StringEquals: { [`https://${GH}:sub`]: 'x' } }),
      'Condition can contain only one colon.',
    ],
    [
      'an action without a vendor',
      { ...ok, Action: 'AssumeRoleWithWebIdentity' },
      'Actions/Conditions must be prefaced by a vendor',
    ],
    [
      'an action with two colons',
      { ...ok, Action: 'sts:sts:AssumeRole' },
      'Actions/Condition can contain only one colon.',
    ],
    [
      'a wildcard in the action vendor',
      { ...ok, Action: 's*:AssumeRole' },
      'Action vendors (e.g., aws, ec2, etc.) must not contain wildcards.',
    ],
    [
      'NotPrincipal (even with Deny)',
      { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' },
      'Has prohibited field NotPrincipal',
    ],
    ['Resource', { ...ok, Resource: '*' }, 'Has prohibited field Resource'],
    ['no Principal', { Effect: 'Allow', Action: 'sts:AssumeRole' }, 'Missing required field Principal'],
    ['no Action', { Effect: 'Allow', Principal: '*' }, 'Policy statement must contain actions.'],
    ['an Effect other than Allow/Deny', { ...ok, Effect: 'Permit' }, 'Invalid effect'],
    [
      'a wildcard inside an AWS principal ARN',
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::*:root' }, Action: 'sts:AssumeRole' },
      'Invalid principal in policy',
    ],
  ])('refuses %s', (_name, statement, message) => {
    expect(() => parseTrustPolicy(trust(statement as Record<string, unknown>))).toThrow(message);
  });

  it('accepts loopback issuers with a port and tag keys with colons', () => {
    const local = 'arn:aws:iam::123456789012:oidc-provider/127.0.0.1:8080/oidc';
    const statement = {
      Effect: 'Allow',
      Principal: { Federated: local },
      Action: WEB,
      Condition: { StringEquals: { '127.0.0.1:8080/oidc:sub': 'job/x', 'aws:RequestTag/team:name': 'ops' } },
    };
    expect(() => parseTrustPolicy(trust(statement))).not.toThrow();
  });

  it('accepts every operator family on keys the emulator can evaluate', () => {
    const statement = gh({
      StringEquals: { [`${GH}:sub`]: 'repo:acme/app:ref:refs/heads/main' },
      StringLikeIfExists: { [`${GH}:job_workflow_ref`]: 'acme/*' },
      NumericLessThan: { 'aws:EpochTime': '4102444800' },
      DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' },
      Bool: { 'aws:SecureTransport': 'true' },
      ArnLike: { 'aws:FederatedProvider': 'arn:aws:iam::*:oidc-provider/*' },
      Null: { [`${GH}:environment`]: 'false' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] },
      'ForAnyValue:StringLike': { [`${GH}:amr`]: '*' },
      StringEqualsIgnoreCase: { 'aws:RequestTag/team': 'ops', 'sts:RoleSessionName': 'x' },
    });
    expect(() => parseTrustPolicy(trust(statement))).not.toThrow();
  });
});
