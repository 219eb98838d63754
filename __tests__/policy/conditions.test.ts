// Fidelity table per condition-operator family, with the examples of IAM's "Condition operators" reference, the
// absent-key matrix, set operators over multivalued keys, and Version handling of policy variables.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` here are IAM policy variables, not JS templates
import { ConditionContext, evaluateTrustPolicy, parsePolicy } from '../../src/policy';

const WEB = 'sts:AssumeRoleWithWebIdentity';
const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/issuer.example';

type Ctx = Record<string, string | string[]>;

function context(ctx: Ctx): ConditionContext {
  const c = new ConditionContext();
  for (const [k, v] of Object.entries(ctx)) c.set(k, v);
  return c;
}

/** Evaluates one Allow statement with `condition` (Version 2012-10-17 unless given) and returns the decision. */
function judge(condition: Record<string, unknown>, ctx: Ctx, version: string = '2012-10-17') {
  const statement = { Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: WEB, Condition: condition };
  return evaluateTrustPolicy(
    version === 'none' ? { Statement: [statement] } : { Version: version, Statement: [statement] },
    {
      principal: { kind: 'Federated', provider: PROVIDER },
      actions: [{ action: WEB }],
      context: context(ctx),
    },
  );
}

type Row = [name: string, condition: Record<string, unknown>, ctx: Ctx, allowed: boolean];

const families: Record<string, Row[]> = {
  String: [
    [
      'StringEquals exact',
      { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } },
      { 'aws:PrincipalTag/job-category': 'iamuser-admin' },
      true,
    ],
    ['StringEquals is case-sensitive', { StringEquals: { k: 'Admin' } }, { k: 'admin' }, false],
    ['StringNotEquals holds for another value', { StringNotEquals: { k: 'a' } }, { k: 'b' }, true],
    ['StringEqualsIgnoreCase folds case', { StringEqualsIgnoreCase: { k: 'ADMIN' } }, { k: 'admin' }, true],
    [
      'StringNotEqualsIgnoreCase refuses a case variant',
      { StringNotEqualsIgnoreCase: { k: 'ADMIN' } },
      { k: 'admin' },
      false,
    ],
    [
      'StringLike * spans segments',
      { StringLike: { k: 'repo:acme/*' } },
      { k: 'repo:acme/app:ref:refs/heads/x' },
      true,
    ],
    ['StringLike ? is one character', { StringLike: { k: 'v?' } }, { k: 'v10' }, false],
    ['StringLike ${*} is a literal star', { StringLike: { k: 'a${*}b' } }, { k: 'axb' }, false],
    ['StringLike ${*} matches a star', { StringLike: { k: 'a${*}b' } }, { k: 'a*b' }, true],
    ['StringLike ${?} matches a question mark', { StringLike: { k: 'a${?}' } }, { k: 'a?' }, true],
    ['StringEquals ${$} is a dollar', { StringEquals: { k: 'cost${$}' } }, { k: 'cost$' }, true],
    [
      'StringNotLike refuses a matching value',
      { StringNotLike: { k: '*:pull_request' } },
      { k: 'repo:a/b:pull_request' },
      false,
    ],
  ],
  Numeric: [
    [
      'NumericLessThanEquals (IAM example s3:max-keys 10)',
      { NumericLessThanEquals: { 's3:max-keys': '10' } },
      { 's3:max-keys': '10' },
      true,
    ],
    ['NumericLessThanEquals refuses 11', { NumericLessThanEquals: { k: '10' } }, { k: '11' }, false],
    ['NumericEquals compares numbers, not text', { NumericEquals: { k: '10' } }, { k: '10.0' }, true],
    ['NumericNotEquals', { NumericNotEquals: { k: '10' } }, { k: '11' }, true],
    ['NumericLessThan', { NumericLessThan: { k: '10' } }, { k: '9.5' }, true],
    ['NumericGreaterThan', { NumericGreaterThan: { k: '10' } }, { k: '10' }, false],
    ['NumericGreaterThanEquals', { NumericGreaterThanEquals: { k: '-1' } }, { k: '0' }, true],
    ['a non-numeric request value never matches', { NumericNotEquals: { k: '10' } }, { k: 'ten' }, true],
  ],
  Date: [
    [
      'DateLessThan ISO (IAM example aws:TokenIssueTime)',
      { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:01Z' } },
      { 'aws:CurrentTime': '2019-12-31T23:59:59Z' },
      true,
    ],
    [
      'DateGreaterThan ISO refuses an earlier time',
      { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } },
      { 'aws:CurrentTime': '2019-06-30T00:00:00Z' },
      false,
    ],
    [
      'DateEquals ISO against epoch seconds',
      { DateEquals: { 'aws:EpochTime': '2020-01-01T00:00:00Z' } },
      { 'aws:EpochTime': '1577836800' },
      true,
    ],
    [
      'DateGreaterThanEquals epoch policy value',
      { DateGreaterThanEquals: { 'aws:CurrentTime': '1577836800' } },
      { 'aws:CurrentTime': '2020-01-01T00:00:00Z' },
      true,
    ],
    ['DateNotEquals', { DateNotEquals: { k: '2020-01-01' } }, { k: '2020-01-02T00:00:00Z' }, true],
    [
      'DateLessThanEquals at the instant',
      { DateLessThanEquals: { k: '2020-01-01T00:00:00Z' } },
      { k: '2020-01-01T00:00:00Z' },
      true,
    ],
  ],
  Bool: [
    [
      'Bool true (IAM example aws:SecureTransport)',
      { Bool: { 'aws:SecureTransport': 'true' } },
      { 'aws:SecureTransport': 'true' },
      true,
    ],
    ['Bool false refuses true', { Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'true' }, false],
    ['Bool is case-insensitive', { Bool: { k: 'TRUE' } }, { k: 'true' }, true],
  ],
  Binary: [
    [
      'BinaryEquals compares the decoded bytes',
      { BinaryEquals: { key: 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } },
      { key: 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' },
      true,
    ],
    [
      'BinaryEquals refuses other bytes',
      { BinaryEquals: { key: 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } },
      { key: 'b3RoZXI=' },
      false,
    ],
  ],
  Ip: [
    [
      'IpAddress in the IAM example range 203.0.113.0/24',
      { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
      { 'aws:SourceIp': '203.0.113.77' },
      true,
    ],
    [
      'IpAddress outside the range',
      { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
      { 'aws:SourceIp': '203.0.114.1' },
      false,
    ],
    [
      'IpAddress IPv6 range 2001:DB8:1234:5678::/64',
      { IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } },
      { 'aws:SourceIp': '2001:db8:1234:5678::9' },
      true,
    ],
    [
      'IpAddress single address without a prefix',
      { IpAddress: { 'aws:SourceIp': '192.0.2.1' } },
      { 'aws:SourceIp': '192.0.2.2' },
      false,
    ],
    [
      'NotIpAddress outside every range',
      { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } },
      { 'aws:SourceIp': '198.51.100.1' },
      true,
    ],
    [
      'NotIpAddress inside one range',
      { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } },
      { 'aws:SourceIp': '192.0.2.9' },
      false,
    ],
  ],
  Arn: [
    [
      'ArnLike per component (IAM example aws:SourceArn)',
      { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:REGION:123456789012:*' } },
      { 'aws:SourceArn': 'arn:aws:sns:REGION:123456789012:TOPIC-ID' },
      true,
    ],
    [
      'ArnEquals takes wildcards too',
      { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/ci-*' } },
      { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/ci-deploy' },
      true,
    ],
    [
      'a * does not cross an ARN component',
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*' } },
      { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/x' },
      false,
    ],
    [
      'account component must match',
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/*' } },
      { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/x' },
      false,
    ],
    [
      'resource part keeps its colons',
      { ArnLike: { 'aws:SourceArn': 'arn:aws:logs:*:*:log-group:app:*' } },
      { 'aws:SourceArn': 'arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:x' },
      true,
    ],
    [
      'ArnNotLike refuses a match',
      { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/ci-*' } },
      { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/ci-x' },
      false,
    ],
    [
      'ArnLike is case-sensitive',
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/CI' } },
      { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/ci' },
      false,
    ],
  ],
  'multiple values and keys': [
    ['values of one key are ORed', { StringEquals: { k: ['a', 'b'] } }, { k: 'b' }, true],
    ['keys of one operator are ANDed', { StringEquals: { k: 'a', j: 'b' } }, { k: 'a', j: 'x' }, false],
    ['operators are ANDed', { StringEquals: { k: 'a' }, NumericLessThan: { n: '3' } }, { k: 'a', n: '4' }, false],
    [
      'condition key names are case-insensitive',
      { StringEquals: { 'AWS:PrincipalTag/Team': 'x' } },
      { 'aws:principaltag/team': 'x' },
      true,
    ],
  ],
  'set operators over a multivalued key': [
    [
      'ForAnyValue:StringLike any amr value',
      { 'ForAnyValue:StringLike': { amr: 'authenticated' } },
      { amr: ['authenticated', 'github'] },
      true,
    ],
    [
      'ForAllValues:StringEquals every value listed',
      { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
      { 'aws:TagKeys': ['a', 'b'] },
      true,
    ],
    [
      'ForAllValues:StringEquals an unlisted value',
      { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } },
      { 'aws:TagKeys': ['a', 'c'] },
      false,
    ],
    [
      'ForAnyValue:StringNotEquals one value differs',
      { 'ForAnyValue:StringNotEquals': { aud: 'x' } },
      { aud: ['x', 'y'] },
      true,
    ],
    [
      'ForAllValues:StringNotEquals one value is listed',
      { 'ForAllValues:StringNotEquals': { aud: 'x' } },
      { aud: ['x', 'y'] },
      false,
    ],
    [
      'plain StringEquals on a multivalued key matches any value',
      { StringEquals: { aud: 'y' } },
      { aud: ['x', 'y'] },
      true,
    ],
    [
      'plain StringNotEquals on a multivalued key needs every value to differ',
      { StringNotEquals: { aud: 'y' } },
      { aud: ['x', 'y'] },
      false,
    ],
    ['ForAnyValue:NumericGreaterThan', { 'ForAnyValue:NumericGreaterThan': { n: '5' } }, { n: ['1', '9'] }, true],
  ],
};

describe.each(Object.entries(families))('%s operators', (_family, rows) => {
  it.each(rows)('%s', (_name, condition, ctx, allowed) => {
    expect(judge(condition, ctx).allowed).toBe(allowed);
  });
});

// IAM: an absent key makes every operator false except negated ones (true), ...IfExists (true), Null (tests
// presence), ForAllValues (true) and ForAnyValue (false).
const absentMatrix: Array<[operator: string, value: string, allowed: boolean]> = [
  ['StringEquals', 'x', false],
  ['StringNotEquals', 'x', true],
  ['StringEqualsIgnoreCase', 'x', false],
  ['StringNotEqualsIgnoreCase', 'x', true],
  ['StringLike', '*', false],
  ['StringNotLike', 'x*', true],
  ['NumericEquals', '1', false],
  ['NumericNotEquals', '1', true],
  ['NumericLessThan', '1', false],
  ['DateEquals', '2020-01-01', false],
  ['DateNotEquals', '2020-01-01', true],
  ['DateGreaterThan', '2020-01-01', false],
  ['Bool', 'false', false],
  ['BinaryEquals', 'eA==', false],
  ['IpAddress', '10.0.0.0/8', false],
  ['NotIpAddress', '10.0.0.0/8', true],
  ['ArnEquals', 'arn:aws:iam::123456789012:root', false],
  ['ArnNotEquals', 'arn:aws:iam::123456789012:root', true],
  ['ArnLike', 'arn:*:*:*:*:*', false],
  ['ArnNotLike', 'arn:*:*:*:*:*', true],
  ['StringEqualsIfExists', 'x', true],
  ['NumericLessThanIfExists', '1', true],
  ['BoolIfExists', 'true', true],
  ['IpAddressIfExists', '10.0.0.0/8', true],
  ['ArnLikeIfExists', 'arn:*:*:*:*:*', true],
  ['DateLessThanIfExists', '2020-01-01', true],
  ['Null', 'true', true],
  ['Null', 'false', false],
  ['ForAllValues:StringEquals', 'x', true],
  ['ForAllValues:StringLike', 'x*', true],
  ['ForAnyValue:StringEquals', 'x', false],
  ['ForAnyValue:StringNotEquals', 'x', false],
  ['ForAnyValue:StringEqualsIfExists', 'x', true],
];

describe('absent key', () => {
  it.each(absentMatrix)('%s %s on an absent key → allowed %s', (operator, value, allowed) => {
    expect(judge({ [operator]: { 'issuer.example:missing': value } }, { 'issuer.example:sub': 's' }).allowed).toBe(
      allowed,
    );
  });

  it('a present key is still checked by ...IfExists and by Null false', () => {
    expect(judge({ StringEqualsIfExists: { k: 'x' } }, { k: 'y' }).allowed).toBe(false);
    expect(judge({ Null: { k: 'false' } }, { k: 'y' }).allowed).toBe(true);
    expect(judge({ Null: { k: 'true' } }, { k: 'y' }).allowed).toBe(false);
  });
});

describe('Version and policy variables', () => {
  const variable = { StringEquals: { 'sts:RoleSessionName': '${aws:RequestTag/run}' } };
  const ctx = { 'sts:RoleSessionName': '42', 'aws:RequestTag/run': '42' };

  it('substitutes variables under 2012-10-17', () => {
    expect(judge(variable, ctx, '2012-10-17').allowed).toBe(true);
  });

  it.each([['2008-10-17'], ['none']])('treats ${…} as literal text under Version %s', (version) => {
    expect(judge(variable, ctx, version).allowed).toBe(false);
    expect(judge(variable, { 'sts:RoleSessionName': '${aws:RequestTag/run}' }, version).allowed).toBe(true);
  });

  it('does not substitute in Numeric, Date, Bool or IP operators', () => {
    expect(() =>
      parsePolicy({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: '*', Condition: { NumericEquals: { n: '${aws:RequestTag/n}' } } },
        ],
      }),
    ).toThrow(/is not a number/);
  });

  it('refuses NotPrincipal with Allow, which IAM does not support', () => {
    expect(() =>
      parsePolicy({
        Statement: [{ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: '*' }],
      }),
    ).toThrow('NotPrincipal must be used with "Effect": "Deny"');
  });

  it('refuses a Version IAM does not know', () => {
    expect(() => parsePolicy({ Version: '2012-10-18', Statement: [] })).toThrow(
      'The policy must contain a valid version string',
    );
  });
});

describe('the verdict names the deciding statement and condition', () => {
  it('carries operator, key, expected and actual values of the failed condition', () => {
    const decision = judge(
      { StringLike: { 'issuer.example:sub': ['repo:acme/*', 'repo:ops/*'] } },
      { 'issuer.example:sub': 'repo:evil/x' },
    );
    expect(decision).toMatchObject({
      allowed: false,
      deny: 'implicit',
      statement: {
        index: 0,
        effect: 'Allow',
        failedAt: 'condition',
        conditions: [
          {
            operator: 'StringLike',
            key: 'issuer.example:sub',
            expected: ['repo:acme/*', 'repo:ops/*'],
            actual: ['repo:evil/x'],
            matched: false,
          },
        ],
      },
    });
  });

  it('an explicit Deny wins over an Allow and says which condition made it apply', () => {
    const decision = evaluateTrustPolicy(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: WEB },
          {
            Sid: 'NoPullRequests',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sts:*',
            Condition: { StringLike: { 'issuer.example:sub': '*:pull_request' } },
          },
        ],
      },
      {
        principal: { kind: 'Federated', provider: PROVIDER },
        actions: [{ action: WEB }],
        context: context({ 'issuer.example:sub': 'repo:a/b:pull_request' }),
      },
    );
    expect(decision).toMatchObject({
      allowed: false,
      deny: 'explicit',
      statement: { sid: 'NoPullRequests', applies: true },
    });
    expect(decision.allowed || decision.reason).toBe(
      'statement NoPullRequests explicitly denies sts:AssumeRoleWithWebIdentity (condition StringLike issuer.example:sub = *:pull_request matched repo:a/b:pull_request)',
    );
  });

  it('NotAction and NotResource select what they do not name', () => {
    const policy = (statement: Record<string, unknown>) => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', ...statement }],
    });
    const request = {
      principal: { kind: 'Federated' as const, provider: PROVIDER },
      actions: [{ action: WEB }],
      context: context({}),
      resource: 'arn:aws:iam::123456789012:role/ci',
    };
    expect(evaluateTrustPolicy(policy({ NotAction: 'sts:AssumeRole' }), request).allowed).toBe(true);
    expect(evaluateTrustPolicy(policy({ NotAction: 'sts:AssumeRole*' }), request).allowed).toBe(false);
    expect(
      evaluateTrustPolicy(policy({ Action: '*', NotResource: 'arn:aws:iam::*:role/admin' }), request).allowed,
    ).toBe(true);
    expect(evaluateTrustPolicy(policy({ Action: '*', NotResource: 'arn:aws:iam::*:role/c?' }), request)).toMatchObject({
      allowed: false,
      statement: { failedAt: 'resource' },
    });
    expect(
      evaluateTrustPolicy(policy({ Action: '*', Resource: 'arn:aws:iam::123456789012:role/*' }), request).allowed,
    ).toBe(true);
  });
});
