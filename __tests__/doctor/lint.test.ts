/**
 * Each lint rule: a template with the mistake (the rule fires, at the right line) and one without (it does not).
 */
import { readFileSync } from 'node:fs';
import { lintRoles } from '../../src/doctor/lint';
import { RULES } from '../../src/doctor/lint-rules';
import { addTemplate, emptyRoleSet } from '../../src/doctor/role-sources';
import { GITHUB_PROVIDER_ARN as GH, GITHUB_HOST, type TemplateDir, templateDir, trust } from './support/templates';

const AUD = { [`${GITHUB_HOST}:aud`]: 'sts.amazonaws.com' };
const SUB = (value: string | string[], op = 'StringEquals') => ({ [op]: { [`${GITHUB_HOST}:sub`]: value } });
const GOOD_SUB = 'repo:acme-1/app-2:ref:refs/heads/main';
const COGNITO = 'cognito-identity.amazonaws.com';
const POOL = 'us-east-1:11111111-2222-3333-4444-555555555555';
const ENTRA = 'login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0';
const ENTRA_ARN = `arn:aws:iam::123456789012:oidc-provider/${ENTRA}`;
const ENTRA_APP = '33333333-3333-3333-3333-333333333333';
const ENTRA_OBJECT = '22222222-2222-2222-2222-222222222222';

interface RuleCase {
  rule: string;
  bad: Record<string, unknown>;
  good: Record<string, unknown>;
  provider?: { url: string; clientIds?: string[] } | null;
  /** A YAML line the finding must point at (text contained in it). */
  lineHas?: string;
}

const CASES: RuleCase[] = [
  {
    rule: 'shared-provider-without-sub',
    bad: trust(GH, { StringEquals: AUD }),
    good: trust(GH, { StringEquals: { ...AUD, [`${GITHUB_HOST}:sub`]: GOOD_SUB } }),
  },
  {
    rule: 'sub-wildcard-any-org',
    bad: trust(GH, { StringEquals: AUD, ...SUB('repo:*/app:*', 'StringLike') }),
    good: trust(GH, { StringEquals: AUD, ...SUB('repo:acme-1/app-2:ref:refs/heads/*', 'StringLike') }),
    lineHas: 'repo:*/app:*',
  },
  {
    rule: 'sub-wildcard-any-repo',
    bad: trust(GH, { StringEquals: AUD, ...SUB('repo:acme/*', 'StringLike') }),
    good: trust(GH, { StringEquals: AUD, ...SUB('repo:acme-1/app-2:environment:*', 'StringLike') }),
    lineHas: 'repo:acme/*',
  },
  {
    rule: 'string-equals-wildcard',
    bad: trust(GH, { StringEquals: { ...AUD, [`${GITHUB_HOST}:sub`]: 'repo:acme-1/app-2:*' } }),
    good: trust(GH, { StringEquals: AUD, ...SUB('repo:acme-1/app-2:*', 'StringLike') }),
    lineHas: 'repo:acme-1/app-2:*',
  },
  {
    rule: 'string-like-without-wildcard',
    bad: trust(GH, { StringEquals: AUD, ...SUB(GOOD_SUB, 'StringLike') }),
    good: trust(GH, { StringEquals: { ...AUD, [`${GITHUB_HOST}:sub`]: GOOD_SUB } }),
  },
  {
    rule: 'aud-missing',
    bad: trust(GH, SUB(GOOD_SUB)),
    good: trust(GH, { StringEquals: { ...AUD, [`${GITHUB_HOST}:sub`]: GOOD_SUB } }),
  },
  {
    // An Entra tenant's provider (not a shared one, so IAM accepts the trust): the aud alone admits every workload
    // of the tenant that can get a token for the application.
    rule: 'sub-missing',
    bad: trust(ENTRA_ARN, { StringEquals: { [`${ENTRA}:aud`]: ENTRA_APP } }),
    good: trust(ENTRA_ARN, { StringEquals: { [`${ENTRA}:aud`]: ENTRA_APP, [`${ENTRA}:sub`]: ENTRA_OBJECT } }),
    provider: { url: `https://${ENTRA}`, clientIds: [ENTRA_APP] },
  },
  {
    rule: 'aud-not-client-id',
    bad: trust(GH, {
      StringEquals: { [`${GITHUB_HOST}:aud`]: 'sts.amazonaws.com/', [`${GITHUB_HOST}:sub`]: GOOD_SUB },
    }),
    good: trust(GH, { StringEquals: { ...AUD, [`${GITHUB_HOST}:sub`]: GOOD_SUB } }),
    lineHas: 'sts.amazonaws.com/',
  },
  {
    rule: 'condition-key-host',
    bad: trust(GH, {
      StringEquals: {
        ...AUD,
        [`${GITHUB_HOST}:sub`]: GOOD_SUB,
        'token.actions.githubusercontent.co:ref': 'refs/heads/main',
      },
    }),
    good: trust(GH, {
      StringEquals: { ...AUD, [`${GITHUB_HOST}:sub`]: GOOD_SUB, [`${GITHUB_HOST}:ref`]: 'refs/heads/main' },
    }),
    lineHas: 'githubusercontent.co:ref',
  },
  {
    rule: 'cognito-without-aud',
    bad: trust(COGNITO, { 'ForAnyValue:StringLike': { [`${COGNITO}:amr`]: 'authenticated' } }),
    good: trust(COGNITO, {
      StringEquals: { [`${COGNITO}:aud`]: POOL },
      'ForAnyValue:StringLike': { [`${COGNITO}:amr`]: 'authenticated' },
    }),
    provider: null,
  },
  {
    rule: 'cognito-without-amr',
    bad: trust(COGNITO, { StringEquals: { [`${COGNITO}:aud`]: POOL } }),
    good: trust(COGNITO, {
      StringEquals: { [`${COGNITO}:aud`]: POOL },
      'ForAnyValue:StringLike': { [`${COGNITO}:amr`]: 'authenticated' },
    }),
    provider: null,
  },
  {
    rule: 'variable-without-version',
    bad: {
      ...trust(GH, {
        StringEquals: {
          ...AUD,
          [`${GITHUB_HOST}:sub`]: GOOD_SUB,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template literal
          'sts:RoleSessionName': '${token.actions.githubusercontent.com:actor}',
        },
      }),
      Version: '2008-10-17',
    },
    good: trust(GH, {
      StringEquals: {
        ...AUD,
        [`${GITHUB_HOST}:sub`]: GOOD_SUB,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template literal
        'sts:RoleSessionName': '${token.actions.githubusercontent.com:actor}',
      },
    }),
    lineHas: 'sts:RoleSessionName',
  },
  {
    rule: 'set-operator-single-valued',
    bad: trust(GH, { StringEquals: AUD, 'ForAllValues:StringEquals': { [`${GITHUB_HOST}:sub`]: GOOD_SUB } }),
    good: trust(GH, { StringEquals: { ...AUD, [`${GITHUB_HOST}:sub`]: GOOD_SUB } }),
    lineHas: `${GITHUB_HOST}:sub`,
  },
  {
    rule: 'fork-pull-request',
    bad: trust(GH, { StringEquals: AUD, ...SUB('repo:acme-1/app-2:*', 'StringLike') }),
    good: trust(GH, { StringEquals: AUD, ...SUB('repo:acme-1/app-2:ref:refs/heads/*', 'StringLike') }),
  },
  {
    rule: 'github-immutable-subject',
    bad: trust(GH, { StringEquals: { ...AUD, [`${GITHUB_HOST}:sub`]: 'repo:acme/app:ref:refs/heads/main' } }),
    good: trust(GH, { StringEquals: AUD, ...SUB('repo:acme*/app*:ref:refs/heads/main', 'StringLike') }),
  },
  {
    rule: 'iam-refuses-policy',
    bad: trust(GH, { StringEquals: { ...AUD, [`${GITHUB_HOST}:sub`]: GOOD_SUB } }, { Resource: '*' }),
    good: trust(GH, { StringEquals: { ...AUD, [`${GITHUB_HOST}:sub`]: GOOD_SUB } }),
  },
];

let dir: TemplateDir;
beforeAll(() => {
  dir = templateDir();
});
afterAll(() => dir.remove());

function lint(name: string, policy: Record<string, unknown>, provider?: RuleCase['provider']) {
  const file = dir.write(name, { Role: { policy } }, provider === undefined ? undefined : provider);
  const set = emptyRoleSet();
  addTemplate(set, file);
  return { file, findings: lintRoles(set) };
}

test('every rule has a case', () => {
  expect(CASES.map((c) => c.rule).sort()).toEqual(RULES.map((r) => r.id).sort());
});

describe.each(CASES)('$rule', (c) => {
  test('fires on the template with the mistake, at its line', () => {
    const { file, findings } = lint(`${c.rule}-bad.yml`, c.bad, c.provider);
    const hit = findings.find((f) => f.rule === c.rule);
    expect(hit).toMatchObject({ file, roleArn: 'arn:aws:iam::123456789012:role/Role' });
    expect(hit?.message).toBeTruthy();
    expect(hit?.fix).toBeTruthy();
    expect(hit?.line).toEqual(expect.any(Number));
    if (c.lineHas) {
      const line = readFileSync(file, 'utf8').split('\n')[(hit?.line as number) - 1];
      expect(line).toContain(c.lineHas);
    }
  });

  test('stays quiet on the template without it', () => {
    const { findings } = lint(`${c.rule}-good.yml`, c.good, c.provider);
    expect(findings.map((f) => f.rule)).not.toContain(c.rule);
  });
});

test('condition-key-host: a key written with https:// (which IAM refuses) is reported with the key to write', () => {
  const { findings } = lint(
    'scheme-key.yml',
    trust(GH, {
      StringEquals: { ...AUD, [`${GITHUB_HOST}:sub`]: GOOD_SUB, [`https://${GITHUB_HOST}:ref`]: 'refs/heads/main' },
    }),
  );
  expect(findings).toContainEqual(
    expect.objectContaining({
      rule: 'condition-key-host',
      severity: 'error',
      fix: expect.stringContaining(`${GITHUB_HOST}:ref`),
    }),
  );
});

test('condition-key-host: a trailing slash on the provider host', () => {
  const { findings } = lint(
    'slash-key.yml',
    trust(GH, {
      StringEquals: { ...AUD, [`${GITHUB_HOST}:sub`]: GOOD_SUB, [`${GITHUB_HOST}/:ref`]: 'refs/heads/main' },
    }),
  );
  expect(findings).toContainEqual(
    expect.objectContaining({ rule: 'condition-key-host', message: expect.stringContaining('trailing slash') }),
  );
});
