// Fidelity table: trust policies × request contexts × expected decision, evaluated by the emulator's policy engine.
import { ConditionContext, evaluateTrustPolicy, type TrustPrincipal } from '../../src/policy';

const GH = 'token.actions.githubusercontent.com';
const GH_ARN = `arn:aws:iam::123456789012:oidc-provider/${GH}`;
const COG = 'cognito-identity.amazonaws.com';
const WEB = 'sts:AssumeRoleWithWebIdentity';

type Ctx = Record<string, string | string[]>;

interface Row {
  name: string;
  statements: unknown;
  context: Ctx;
  allowed: boolean;
  principal?: TrustPrincipal;
  actions?: string[];
  /** Substring the refusal reason must contain. */
  reason?: string;
}

const ghPrincipal: TrustPrincipal = { kind: 'Federated', provider: GH_ARN };
const cogPrincipal: TrustPrincipal = { kind: 'Federated', provider: COG };
const allowGh = (condition?: unknown, action: unknown = WEB) => ({
  Effect: 'Allow',
  Principal: { Federated: GH_ARN },
  Action: action,
  ...(condition ? { Condition: condition } : {}),
});
const mainSub: Ctx = { [`${GH}:sub`]: 'repo:acme/app:ref:refs/heads/main', [`${GH}:aud`]: 'sts.amazonaws.com' };
const cognitoCtx = (tags: Record<string, string> = {}, extra: Ctx = {}): Ctx => ({
  [`${COG}:aud`]: 'us-east-1:pool',
  [`${COG}:sub`]: 'us-east-1:identity',
  [`${COG}:amr`]: ['authenticated', GH, `${GH_ARN}:OIDC:repo:acme/app:ref:refs/heads/main`],
  ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
  ...(Object.keys(tags).length ? { 'aws:TagKeys': Object.keys(tags) } : {}),
  ...extra,
});
const allowCog = (condition: unknown, action: unknown = [WEB, 'sts:TagSession']) => ({
  Effect: 'Allow',
  Principal: { Federated: COG },
  Action: action,
  Condition: condition,
});

const rows: Row[] = [
  // Principal and action matching
  { name: 'unconditional allow for the provider', statements: [allowGh()], context: mainSub, allowed: true },
  {
    name: 'single statement object (not array)',
    statements: allowGh({ StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com' } }),
    context: mainSub,
    allowed: true,
  },
  {
    name: 'other provider ARN is not trusted',
    statements: [{ ...allowGh(), Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/gitlab.com' } }],
    context: mainSub,
    allowed: false,
    reason: 'does not name principal Federated',
  },
  {
    name: 'Federated as an array containing the provider',
    statements: [{ ...allowGh(), Principal: { Federated: ['accounts.google.com', GH_ARN] } }],
    context: mainSub,
    allowed: true,
  },
  { name: 'Principal "*"', statements: [{ ...allowGh(), Principal: '*' }], context: mainSub, allowed: true },
  {
    name: 'AWS principal does not cover a federated caller',
    statements: [{ ...allowGh(), Principal: { AWS: 'arn:aws:iam::123456789012:root' } }],
    context: mainSub,
    allowed: false,
  },
  { name: 'action wildcard sts:*', statements: [allowGh(undefined, 'sts:*')], context: mainSub, allowed: true },
  {
    name: 'action wildcard sts:AssumeRole*',
    statements: [allowGh(undefined, 'sts:AssumeRole*')],
    context: mainSub,
    allowed: true,
  },
  {
    name: 'action name is case-insensitive',
    statements: [allowGh(undefined, 'STS:assumerolewithwebidentity')],
    context: mainSub,
    allowed: true,
  },
  {
    name: 'wrong action (sts:AssumeRole only)',
    statements: [allowGh(undefined, 'sts:AssumeRole')],
    context: mainSub,
    allowed: false,
    reason: 'does not cover action sts:AssumeRoleWithWebIdentity',
  },
  {
    name: 'NotAction excluding another action allows',
    statements: [{ Effect: 'Allow', Principal: { Federated: GH_ARN }, NotAction: 'sts:AssumeRole' }],
    context: mainSub,
    allowed: true,
  },
  {
    name: 'Deny-only policy refuses',
    statements: [{ ...allowGh(), Effect: 'Deny' }],
    context: mainSub,
    allowed: false,
  },
  // StringEquals / StringLike on sub and aud
  {
    name: 'StringEquals sub exact',
    statements: [allowGh({ StringEquals: { [`${GH}:sub`]: 'repo:acme/app:ref:refs/heads/main' } })],
    context: mainSub,
    allowed: true,
  },
  {
    name: 'StringEquals sub on a different branch',
    statements: [allowGh({ StringEquals: { [`${GH}:sub`]: 'repo:acme/app:ref:refs/heads/prod' } })],
    context: mainSub,
    allowed: false,
    reason: `condition StringEquals ${GH}:sub = repo:acme/app:ref:refs/heads/prod did not match repo:acme/app:ref:refs/heads/main`,
  },
  {
    name: 'StringEquals does not expand wildcards',
    statements: [allowGh({ StringEquals: { [`${GH}:sub`]: 'repo:acme/app:*' } })],
    context: mainSub,
    allowed: false,
  },
  {
    name: 'StringLike repo wildcard admits branch',
    statements: [allowGh({ StringLike: { [`${GH}:sub`]: 'repo:acme/app:*' } })],
    context: mainSub,
    allowed: true,
  },
  {
    name: 'StringLike repo wildcard refuses another repo',
    statements: [allowGh({ StringLike: { [`${GH}:sub`]: 'repo:acme/app:*' } })],
    context: { ...mainSub, [`${GH}:sub`]: 'repo:evil/app:ref:refs/heads/main' },
    allowed: false,
    reason: `condition StringLike ${GH}:sub = repo:acme/app:* did not match repo:evil/app:ref:refs/heads/main`,
  },
  {
    name: 'StringLike ? matches exactly one character',
    statements: [allowGh({ StringLike: { [`${GH}:sub`]: 'repo:acme/ap?:ref:refs/heads/main' } })],
    context: mainSub,
    allowed: true,
  },
  {
    name: 'StringLike ? does not match zero characters',
    statements: [allowGh({ StringLike: { [`${GH}:sub`]: 'repo:acme/app?:ref:refs/heads/main' } })],
    context: mainSub,
    allowed: false,
  },
  {
    name: 'StringLike is case-sensitive',
    statements: [allowGh({ StringLike: { [`${GH}:sub`]: 'repo:ACME/app:*' } })],
    context: mainSub,
    allowed: false,
  },
  {
    name: 'values in one key are ORed',
    statements: [allowGh({ StringLike: { [`${GH}:sub`]: ['repo:other/x:*', 'repo:acme/app:ref:refs/heads/*'] } })],
    context: mainSub,
    allowed: true,
  },
  {
    name: 'keys are ANDed (aud wrong)',
    statements: [
      allowGh({
        StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com', [`${GH}:sub`]: 'repo:acme/app:ref:refs/heads/main' },
      }),
    ],
    context: { ...mainSub, [`${GH}:aud`]: 'https://github.com/acme' },
    allowed: false,
    reason: `${GH}:aud`,
  },
  {
    name: 'operators are ANDed (StringEquals ok, StringLike fails)',
    statements: [
      allowGh({
        StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com' },
        StringLike: { [`${GH}:sub`]: 'repo:acme/other:*' },
      }),
    ],
    context: mainSub,
    allowed: false,
  },
  {
    name: 'condition key names are case-insensitive',
    statements: [
      allowGh({ StringEquals: { 'TOKEN.actions.GitHubUserContent.com:SUB': 'repo:acme/app:ref:refs/heads/main' } }),
    ],
    context: mainSub,
    allowed: true,
  },
  {
    name: 'StringEqualsIgnoreCase folds the value',
    statements: [allowGh({ StringEqualsIgnoreCase: { [`${GH}:sub`]: 'REPO:ACME/APP:REF:REFS/HEADS/MAIN' } })],
    context: mainSub,
    allowed: true,
  },
  // Multi-valued aud
  {
    name: 'multi-valued aud: StringEquals matches when any value does',
    statements: [allowGh({ StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com' } })],
    context: { ...mainSub, [`${GH}:aud`]: ['https://jenkins.example', 'sts.amazonaws.com'] },
    allowed: true,
  },
  {
    name: 'multi-valued aud: ForAllValues refuses an extra audience',
    statements: [allowGh({ 'ForAllValues:StringEquals': { [`${GH}:aud`]: 'sts.amazonaws.com' } })],
    context: { ...mainSub, [`${GH}:aud`]: ['https://jenkins.example', 'sts.amazonaws.com'] },
    allowed: false,
  },
  {
    name: 'multi-valued aud: ForAllValues admits when every value is listed',
    statements: [
      allowGh({ 'ForAllValues:StringEquals': { [`${GH}:aud`]: ['sts.amazonaws.com', 'https://jenkins.example'] } }),
    ],
    context: { ...mainSub, [`${GH}:aud`]: ['https://jenkins.example', 'sts.amazonaws.com'] },
    allowed: true,
  },
  // Negated operators, Null, IfExists, Bool
  {
    name: 'StringNotLike excludes pull requests',
    statements: [allowGh({ StringNotLike: { [`${GH}:sub`]: 'repo:*:pull_request' } })],
    context: { ...mainSub, [`${GH}:sub`]: 'repo:acme/app:pull_request' },
    allowed: false,
    reason: 'StringNotLike',
  },
  {
    name: 'StringNotLike admits a branch',
    statements: [allowGh({ StringNotLike: { [`${GH}:sub`]: 'repo:*:pull_request' } })],
    context: mainSub,
    allowed: true,
  },
  {
    name: 'StringNotEquals is true when the key is absent',
    statements: [allowGh({ StringNotEquals: { [`${GH}:azp`]: 'evil' } })],
    context: mainSub,
    allowed: true,
  },
  {
    name: 'StringEquals is false when the key is absent',
    statements: [allowGh({ StringEquals: { [`${GH}:azp`]: 'client' } })],
    context: mainSub,
    allowed: false,
    reason: 'key absent from the request',
  },
  {
    name: 'Null true: key must be absent (it is)',
    statements: [allowGh({ Null: { [`${GH}:azp`]: 'true' } })],
    context: mainSub,
    allowed: true,
  },
  {
    name: 'Null true refuses when the key is present',
    statements: [allowGh({ Null: { [`${GH}:azp`]: 'true' } })],
    context: { ...mainSub, [`${GH}:azp`]: 'client' },
    allowed: false,
  },
  {
    name: 'Null false requires presence (absent → refuse)',
    statements: [allowGh({ Null: { 'aws:RequestTag/team': 'false' } })],
    context: mainSub,
    allowed: false,
  },
  {
    name: 'StringEqualsIfExists passes an absent key',
    statements: [allowGh({ StringEqualsIfExists: { [`${GH}:azp`]: 'client' } })],
    context: mainSub,
    allowed: true,
  },
  {
    name: 'StringEqualsIfExists still checks a present key',
    statements: [allowGh({ StringEqualsIfExists: { [`${GH}:azp`]: 'client' } })],
    context: { ...mainSub, [`${GH}:azp`]: 'other' },
    allowed: false,
  },
  {
    name: 'Bool compares case-insensitively',
    statements: [allowGh({ Bool: { 'aws:SecureTransport': 'TRUE' } })],
    context: { ...mainSub, 'aws:SecureTransport': 'true' },
    allowed: true,
  },
  {
    name: 'NumericLessThan on aws:EpochTime is evaluated (not skipped)',
    statements: [allowGh({ NumericLessThan: { 'aws:EpochTime': '1' } })],
    context: { ...mainSub, 'aws:EpochTime': '1700000000' },
    allowed: false,
    reason: 'condition NumericLessThan aws:EpochTime = 1 did not match 1700000000',
  },
  // Deny overrides Allow
  {
    name: 'explicit Deny on a branch overrides Allow',
    statements: [
      allowGh(),
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 'sts:*',
        Condition: { StringLike: { [`${GH}:sub`]: '*:ref:refs/heads/main' } },
      },
    ],
    context: mainSub,
    allowed: false,
    reason: 'statement #2 explicitly denies',
  },
  {
    name: 'Deny whose condition does not match leaves the Allow',
    statements: [
      allowGh(),
      {
        Sid: 'NoPRs',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sts:*',
        Condition: { StringLike: { [`${GH}:sub`]: '*:pull_request' } },
      },
    ],
    context: mainSub,
    allowed: true,
  },
  // Cognito: amr, tags, TagSession, RoleSessionName with policy variables
  {
    name: 'ForAnyValue:StringLike amr authenticated',
    principal: cogPrincipal,
    statements: [allowCog({ 'ForAnyValue:StringLike': { [`${COG}:amr`]: 'authenticated' } })],
    context: cognitoCtx({ repository: 'acme/app' }),
    actions: [WEB, 'sts:TagSession'],
    allowed: true,
  },
  {
    name: 'ForAnyValue:StringLike amr unauthenticated refuses',
    principal: cogPrincipal,
    statements: [allowCog({ 'ForAnyValue:StringLike': { [`${COG}:amr`]: 'unauthenticated' } })],
    context: cognitoCtx(),
    allowed: false,
  },
  {
    name: 'ForAnyValue on an absent key is false',
    principal: cogPrincipal,
    statements: [allowCog({ 'ForAnyValue:StringLike': { 'aws:TagKeys': '*' } })],
    context: cognitoCtx(),
    allowed: false,
  },
  {
    name: 'ForAllValues on an absent key is vacuously true',
    principal: cogPrincipal,
    statements: [allowCog({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['repository'] } })],
    context: cognitoCtx(),
    allowed: true,
  },
  {
    name: 'ForAllValues aws:TagKeys refuses an unexpected tag',
    principal: cogPrincipal,
    statements: [allowCog({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['repository', 'ref'] } })],
    context: cognitoCtx({ repository: 'acme/app', actor: 'octocat' }),
    actions: [WEB, 'sts:TagSession'],
    allowed: false,
  },
  {
    name: 'tags present but no sts:TagSession in the policy',
    principal: cogPrincipal,
    statements: [allowCog({ StringEquals: { [`${COG}:aud`]: 'us-east-1:pool' } }, WEB)],
    context: cognitoCtx({ repository: 'acme/app' }),
    actions: [WEB, 'sts:TagSession'],
    allowed: false,
    reason: 'does not cover action sts:TagSession',
  },
  {
    name: 'aws:RequestTag condition with wildcard',
    principal: cogPrincipal,
    statements: [allowCog({ StringLike: { 'aws:RequestTag/repository': 'acme/*' } })],
    context: cognitoCtx({ repository: 'acme/app' }),
    actions: [WEB, 'sts:TagSession'],
    allowed: true,
  },
  {
    name: 'aws:RequestTag condition refuses another org',
    principal: cogPrincipal,
    statements: [allowCog({ StringLike: { 'aws:RequestTag/repository': 'acme/*' } })],
    context: cognitoCtx({ repository: 'evil/app' }),
    actions: [WEB, 'sts:TagSession'],
    allowed: false,
    reason: 'aws:RequestTag/repository = acme/* did not match evil/app',
  },
  {
    name: 'RoleSessionName built from tag policy variables',
    principal: cogPrincipal,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
    statements: [allowCog({ StringLike: { 'sts:RoleSessionName': '${aws:RequestTag/run_id}@${aws:RequestTag/sha}' } })],
    context: cognitoCtx({ run_id: '42', sha: 'abc' }, { 'sts:RoleSessionName': '42@abc' }),
    actions: [WEB, 'sts:TagSession'],
    allowed: true,
  },
  {
    name: 'RoleSessionName policy variable mismatch',
    principal: cogPrincipal,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
    statements: [allowCog({ StringLike: { 'sts:RoleSessionName': '${aws:RequestTag/run_id}@${aws:RequestTag/sha}' } })],
    context: cognitoCtx({ run_id: '42', sha: 'abc' }, { 'sts:RoleSessionName': '43@abc' }),
    actions: [WEB, 'sts:TagSession'],
    allowed: false,
  },
  {
    name: 'policy variable with a missing key never matches',
    principal: cogPrincipal,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
    statements: [allowCog({ StringLike: { 'sts:RoleSessionName': '${aws:RequestTag/run_id}' } })],
    context: cognitoCtx({}, { 'sts:RoleSessionName': '' }),
    allowed: false,
  },
  {
    name: 'StringNotEquals with an unresolvable policy variable fails (does not pass by negation)',
    principal: cogPrincipal,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
    statements: [allowCog({ StringNotEquals: { 'sts:RoleSessionName': '${aws:RequestTag/run_id}' } })],
    context: cognitoCtx({}, { 'sts:RoleSessionName': 'anything' }),
    allowed: false,
    reason: 'has no value in the request',
  },
  {
    name: 'StringNotLike with one unresolvable value among several fails',
    principal: cogPrincipal,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
    statements: [allowCog({ StringNotLike: { 'sts:RoleSessionName': ['blocked-*', '${aws:PrincipalTag/none}*'] } })],
    context: cognitoCtx({}, { 'sts:RoleSessionName': 'anything' }),
    allowed: false,
    reason: 'has no value in the request',
  },
  {
    name: 'negated operator on an absent key with an unresolvable policy variable fails',
    principal: cogPrincipal,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
    statements: [allowCog({ ArnNotEquals: { 'aws:PrincipalArn': '${aws:PrincipalTag/owner}' } })],
    context: cognitoCtx(),
    allowed: false,
  },
  {
    name: 'StringNotEquals with a resolvable policy variable still works',
    principal: cogPrincipal,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
    statements: [allowCog({ StringNotEquals: { 'sts:RoleSessionName': '${aws:RequestTag/run_id}' } })],
    context: cognitoCtx({ run_id: '42' }, { 'sts:RoleSessionName': 'other' }),
    actions: [WEB, 'sts:TagSession'],
    allowed: true,
  },
  {
    name: 'policy variable default value',
    principal: cogPrincipal,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
    statements: [allowCog({ StringEquals: { 'sts:RoleSessionName': "${aws:RequestTag/run_id, 'local'}" } })],
    context: cognitoCtx({}, { 'sts:RoleSessionName': 'local' }),
    allowed: true,
  },
  {
    name: 'substituted value is literal under StringLike (a * in the tag is not a wildcard)',
    principal: cogPrincipal,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
    statements: [allowCog({ StringLike: { 'sts:RoleSessionName': '${aws:RequestTag/run_id}' } })],
    context: cognitoCtx({ run_id: 'a*' }, { 'sts:RoleSessionName': 'abc' }),
    actions: [WEB, 'sts:TagSession'],
    allowed: false,
  },
  {
    name: 'aws:FederatedProvider condition',
    principal: cogPrincipal,
    statements: [allowCog({ StringEquals: { 'aws:FederatedProvider': COG } }, WEB)],
    context: cognitoCtx({}, { 'aws:FederatedProvider': COG }),
    allowed: true,
  },
  // AWS principals (AssumeRole)
  {
    name: 'AWS principal by account id',
    principal: { kind: 'AWS', arns: ['arn:aws:iam::123456789012:user/ci'], accountId: '123456789012' },
    statements: [{ Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }],
    context: {},
    actions: ['sts:AssumeRole'],
    allowed: true,
  },
  {
    name: 'AWS principal: role ARN covers its sessions',
    principal: {
      kind: 'AWS',
      arns: ['arn:aws:sts::123456789012:assumed-role/first/s', 'arn:aws:iam::123456789012:role/first'],
      accountId: '123456789012',
    },
    statements: [
      { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::123456789012:role/first'] }, Action: 'sts:AssumeRole' },
    ],
    context: {},
    actions: ['sts:AssumeRole'],
    allowed: true,
  },
  {
    name: 'AWS principal from another account is refused',
    principal: { kind: 'AWS', arns: ['arn:aws:iam::999999999999:user/x'], accountId: '999999999999' },
    statements: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' }],
    context: {},
    actions: ['sts:AssumeRole'],
    allowed: false,
  },
  {
    name: 'AWS principal ARNs are matched exactly: a * inside an ARN admits no other account',
    principal: { kind: 'AWS', arns: ['arn:aws:iam::999999999999:user/ci'], accountId: '999999999999' },
    statements: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::*:user/ci' }, Action: 'sts:AssumeRole' }],
    context: {},
    actions: ['sts:AssumeRole'],
    allowed: false,
    reason: 'does not name principal AWS arn:aws:iam::999999999999:user/ci',
  },
  {
    name: 'AWS principal ARNs are matched exactly: no ? or * within the same account either',
    principal: { kind: 'AWS', arns: ['arn:aws:iam::123456789012:user/ci'], accountId: '123456789012' },
    statements: [
      {
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::123456789012:user/*', 'arn:aws:iam::123456789012:user/c?'] },
        Action: 'sts:AssumeRole',
      },
    ],
    context: {},
    actions: ['sts:AssumeRole'],
    allowed: false,
  },
  {
    name: 'AWS principal: the account root ARN names every principal of the account',
    principal: { kind: 'AWS', arns: ['arn:aws:iam::123456789012:user/ci'], accountId: '123456789012' },
    statements: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' }],
    context: {},
    actions: ['sts:AssumeRole'],
    allowed: true,
  },
  {
    name: 'NotPrincipal in a Deny denies every principal but the one it names',
    principal: { kind: 'AWS', arns: ['arn:aws:iam::999999999999:user/x'], accountId: '999999999999' },
    statements: [
      { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
      { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:user/ci' }, Action: 'sts:AssumeRole' },
    ],
    context: {},
    actions: ['sts:AssumeRole'],
    allowed: false,
    reason: 'statement #2 explicitly denies sts:AssumeRole',
  },
  {
    name: 'NotPrincipal in a Deny spares the principal it names',
    principal: { kind: 'AWS', arns: ['arn:aws:iam::123456789012:user/ci'], accountId: '123456789012' },
    statements: [
      { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
      { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:user/ci' }, Action: 'sts:AssumeRole' },
    ],
    context: {},
    actions: ['sts:AssumeRole'],
    allowed: true,
  },
  {
    name: 'aws:PrincipalTag and sts:ExternalId conditions',
    principal: { kind: 'AWS', arns: ['arn:aws:iam::123456789012:user/ci'], accountId: '123456789012' },
    statements: [
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalTag/team': 'build', 'sts:ExternalId': 'xyz' } },
      },
    ],
    context: { 'aws:PrincipalTag/team': 'build', 'sts:ExternalId': 'xyz' },
    actions: ['sts:AssumeRole'],
    allowed: true,
  },
];

function contextOf(ctx: Ctx): ConditionContext {
  const c = new ConditionContext();
  for (const [k, v] of Object.entries(ctx)) c.set(k, v);
  return c;
}

describe('trust policy fidelity table', () => {
  it('has at least 40 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const decision = evaluateTrustPolicy(
      { Version: '2012-10-17', Statement: row.statements },
      {
        principal: row.principal ?? ghPrincipal,
        actions: (row.actions ?? [WEB]).map((action) => ({ action })),
        context: contextOf(row.context),
      },
    );
    expect(decision.allowed).toBe(row.allowed);
    if (!decision.allowed && row.reason) expect(decision.reason).toContain(row.reason);
  });

  it('names why an action is required', () => {
    const decision = evaluateTrustPolicy(
      { Statement: [allowCog({}, WEB)] },
      {
        principal: cogPrincipal,
        actions: [{ action: WEB }, { action: 'sts:TagSession', because: 'the token carries session tags' }],
        context: contextOf(cognitoCtx({ repository: 'acme/app' })),
      },
    );
    expect(decision).toMatchObject({
      allowed: false,
      action: 'sts:TagSession',
      deny: 'implicit',
      reason:
        'statement #1 does not cover action sts:TagSession (sts:TagSession is required because the token carries session tags)',
    });
  });
});

describe('how an Allow names an AWS caller (IAM wants its identity policy too when only the account is named)', () => {
  const user: TrustPrincipal = { kind: 'AWS', arns: ['arn:aws:iam::123456789012:user/ci'], accountId: '123456789012' };
  const statement = (aws: unknown) => ({ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole' });
  const matchOf = (...statements: unknown[]) => {
    const decision = evaluateTrustPolicy(
      { Version: '2012-10-17', Statement: statements },
      { principal: user, actions: [{ action: 'sts:AssumeRole' }], context: new ConditionContext() },
    );
    return decision.allowed ? decision.statements[0]?.principalMatch : 'denied';
  };

  test.each([
    ['the account id', '123456789012', 'account'],
    ['the account root ARN', 'arn:aws:iam::123456789012:root', 'account'],
    ["the caller's own ARN", 'arn:aws:iam::123456789012:user/ci', 'direct'],
    ['everyone', '*', 'direct'],
    ['the account among others, the caller too', ['123456789012', 'arn:aws:iam::123456789012:user/ci'], 'direct'],
  ])('%s: %s', (_what, aws, expected) => {
    expect(matchOf(statement(aws))).toBe(expected);
  });

  test('a later statement naming the caller directly wins over an earlier one naming its account', () => {
    expect(matchOf(statement('123456789012'), statement('arn:aws:iam::123456789012:user/ci'))).toBe('direct');
  });
});
