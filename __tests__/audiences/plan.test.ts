/**
 * The planner on IAM state alone: CreateRole adds the declared client id and sets the trust's aud (keeping the
 * rest), twice is a no-op, refusals (no trust statement, lint error, 100 ids, provider of another account);
 * DeleteRole removes only audiences no role accepts, judged by the policy engine, and says why for each.
 */
import { AUDIENCE_TAG, declarationOf, PROVIDER_TAG } from '../../src/audiences/declaration';
import { MAX_CLIENT_IDS, planCreate, planDelete, type RoleState } from '../../src/audiences/plan';
import { RefusedError } from '../../src/audiences/refusal';
import { lineDiff, planJson, planText } from '../../src/audiences/render';
import { InputError } from '../../src/errors';

const ACCOUNT = '123456789012';
const ISSUER = 'login.microsoftonline.com/00000000-0000-0000-0000-0000000000aa/v2.0';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`;
const REF = { arn: PROVIDER, name: ISSUER, accountId: ACCOUNT, partition: 'aws' };
const APP = '33333333-3333-3333-3333-333333333333';
const OTHER = '44444444-4444-4444-4444-444444444444';
const SP = '22222222-2222-2222-2222-222222222222';

function statement(condition?: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    Effect: 'Allow',
    Principal: { Federated: PROVIDER },
    Action: 'sts:AssumeRoleWithWebIdentity',
    ...(condition ? { Condition: condition } : {}),
    ...extra,
  };
}

function role(name: string, statements: unknown[], tags: Record<string, string> = {}): RoleState {
  return {
    name,
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    path: '/',
    trustPolicy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    tags,
  };
}

const TAGS = { [AUDIENCE_TAG]: APP, [PROVIDER_TAG]: PROVIDER };
const declared = (r: RoleState) => declarationOf(r.tags, {}) as NonNullable<ReturnType<typeof declarationOf>>;

describe('CreateRole', () => {
  const created = role(
    'app-deploy',
    [
      statement({ StringEquals: { [`${ISSUER}:sub`]: SP } }),
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
    TAGS,
  );

  test('adds the client id and sets the aud condition, keeping sub and the other statement', () => {
    const plan = planCreate(created, declared(created), { ref: REF, clientIds: ['sts.amazonaws.com'] });
    expect(plan.changes.map((c) => c.kind)).toEqual(['add-client-id', 'update-trust']);
    const update = plan.changes[1] as Extract<(typeof plan.changes)[number], { kind: 'update-trust' }>;
    const after = JSON.parse(update.after);
    expect(after.Statement[0].Condition.StringEquals).toEqual({ [`${ISSUER}:aud`]: APP, [`${ISSUER}:sub`]: SP });
    expect(after.Statement[1]).toEqual(JSON.parse(created.trustPolicy).Statement[1]);
    expect(plan.lists[0]).toMatchObject({ before: ['sts.amazonaws.com'], after: ['sts.amazonaws.com', APP] });
  });

  test('the diff shows exactly the added lines', () => {
    const plan = planCreate(created, declared(created), { ref: REF, clientIds: ['sts.amazonaws.com'] });
    const text = planText(plan, false);
    expect(text).toContain(`    + ${APP}`);
    expect(text).toContain(`    +           "${ISSUER}:aud": "${APP}",`);
    expect(text.split('\n').filter((l) => /^ {4}[-+] /.test(l))).toHaveLength(2);
    expect(text).toMatch(/dry run, 2 changes planned, nothing changed/);
    expect(JSON.parse(planJson(plan, false)).changes.map((c: { action: string }) => c.action)).toEqual([
      'iam:AddClientIDToOpenIDConnectProvider',
      'iam:UpdateAssumeRolePolicy',
    ]);
  });

  test('a role already in step plans nothing (idempotent), even with aud written after sub', () => {
    const done = role('done', [statement({ StringEquals: { [`${ISSUER}:sub`]: SP, [`${ISSUER}:aud`]: APP } })], TAGS);
    const plan = planCreate(done, declared(done), { ref: REF, clientIds: [APP] });
    expect(plan.changes).toEqual([]);
    expect(planText(plan, false)).toMatch(/nothing to change/);
  });

  test('replaces a wildcard aud condition and says so', () => {
    const loose = role(
      'loose',
      [statement({ StringEquals: { [`${ISSUER}:sub`]: SP }, StringLike: { [`${ISSUER}:aud`]: '*' } })],
      TAGS,
    );
    const plan = planCreate(loose, declared(loose), { ref: REF, clientIds: [APP] });
    const update = plan.changes[0] as Extract<(typeof plan.changes)[number], { kind: 'update-trust' }>;
    expect(JSON.parse(update.after).Statement[0].Condition).toEqual({
      StringEquals: { [`${ISSUER}:aud`]: APP, [`${ISSUER}:sub`]: SP },
    });
    expect(plan.reasons.join('\n')).toContain(`replacing StringLike ${ISSUER}:aud "*"`);
  });

  test('refuses a role that does not trust the provider (never invents a statement)', () => {
    const other = role(
      'other',
      [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      TAGS,
    );
    expect(() => planCreate(other, declared(other), { ref: REF, clientIds: [] })).toThrow(
      expect.objectContaining({ code: 'NotTrusted', exitCode: 6 }),
    );
  });

  test('refuses a statement shared with another provider (its tokens would be shut out)', () => {
    const gitlab = `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.example.com`;
    const shared = role(
      'shared',
      [statement({ StringEquals: { [`${ISSUER}:sub`]: SP } }, { Principal: { Federated: [PROVIDER, gitlab] } })],
      TAGS,
    );
    expect(() => planCreate(shared, declared(shared), { ref: REF, clientIds: [] })).toThrow(
      expect.objectContaining({ code: 'SharedStatement', exitCode: 6 }),
    );
  });

  test("refuses a result the doctor's lint flags: no sub condition (rule sub-missing)", () => {
    const open = role('open', [statement()], TAGS);
    let error: unknown;
    try {
      planCreate(open, declared(open), { ref: REF, clientIds: [] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as RefusedError).message).toMatch(/^Role open: the doctor's lint rule sub-missing/);
    expect((error as RefusedError).exitCode).toBe(6);
  });

  test('refuses the 101st client id before calling IAM', () => {
    const full = Array.from({ length: MAX_CLIENT_IDS }, (_, i) => `client-${i}`);
    expect(() => planCreate(created, declared(created), { ref: REF, clientIds: full })).toThrow(
      expect.objectContaining({ code: 'ClientIdLimit', message: expect.stringContaining('100 client ids') }),
    );
  });

  test('refuses a provider of another account', () => {
    const foreign = { ...TAGS, [PROVIDER_TAG]: `arn:aws:iam::210987654321:oidc-provider/${ISSUER}` };
    const r = role('foreign', [statement({ StringEquals: { [`${ISSUER}:sub`]: SP } })], foreign);
    expect(() => planCreate(r, declared(r), { ref: REF, clientIds: [] })).toThrow(
      expect.objectContaining({ code: 'ProviderInOtherAccount' }),
    );
  });

  test('half a declaration is a clear input error; no declaration is none', () => {
    expect(() => declarationOf({ [AUDIENCE_TAG]: APP }, {})).toThrow(InputError);
    expect(() => declarationOf({ [AUDIENCE_TAG]: APP }, {})).toThrow(/tag keyless-aws:oidc-provider is missing/);
    expect(declarationOf({ team: 'x' }, {})).toBeUndefined();
    expect(declarationOf({}, { audience: APP, providerArn: PROVIDER })?.from.audience).toBe('--audience');
  });
});

describe('DeleteRole', () => {
  const providers = [{ ref: REF, clientIds: ['sts.amazonaws.com', APP, OTHER, 'unused-app', 'pool-app'] }];
  const sub = { [`${ISSUER}:sub`]: SP };

  test('removes only what no remaining role accepts, and says why for each', () => {
    const roles = [
      role('exact', [statement({ StringEquals: { ...sub, [`${ISSUER}:aud`]: APP } })]),
      role('wildcard', [statement({ StringEquals: sub, StringLike: { [`${ISSUER}:aud`]: '4444*' } })]),
    ];
    const plan = planDelete({ roleName: 'gone', accountId: ACCOUNT, providers, roles, keep: ['pool-app'] });
    expect(plan.changes).toEqual([{ kind: 'remove-client-id', provider: REF, clientId: 'unused-app' }]);
    const why = plan.reasons.join('\n');
    expect(why).toContain('sts.amazonaws.com: kept, a default audience');
    expect(why).toContain(`${APP}: kept, role exact uses it`);
    expect(why).toContain(`${OTHER}: kept, role wildcard uses it: statement #1 accepts it (StringLike ["4444*"])`);
    expect(why).toContain('pool-app: kept, protected by --keep');
    expect(why).toContain('unused-app: removed');
    expect(why).toContain('Cognito identity pools');
    expect(plan.lists[0]?.after).toEqual(['sts.amazonaws.com', APP, OTHER, 'pool-app']);
  });

  test('a role with no aud condition keeps every audience', () => {
    const roles = [role('any', [statement({ StringEquals: sub })])];
    const plan = planDelete({ roleName: 'gone', accountId: ACCOUNT, providers, roles, keep: [] });
    expect(plan.changes).toEqual([]);
    expect(plan.reasons.join('\n')).toContain('unused-app: kept, role any uses it: statement #1 has no condition');
  });

  test('ForAnyValue, negations and Deny statements are judged as IAM would', () => {
    const roles = [
      role('any-of', [statement({ StringEquals: sub, 'ForAnyValue:StringEquals': { [`${ISSUER}:aud`]: [APP] } })]),
      role('not', [
        statement({ StringEquals: sub, StringNotEquals: { [`${ISSUER}:aud`]: ['unused-app', 'pool-app', APP] } }),
      ]),
      role('denied', [
        statement({ StringEquals: { ...sub, [`${ISSUER}:aud`]: APP } }),
        {
          Effect: 'Deny',
          Principal: { Federated: PROVIDER },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${ISSUER}:aud`]: 'pool-app' } },
        },
      ]),
    ];
    const plan = planDelete({ roleName: 'gone', accountId: ACCOUNT, providers, roles, keep: [] });
    expect(plan.changes.map((c) => (c as { clientId: string }).clientId)).toEqual(['unused-app', 'pool-app']);
    expect(plan.reasons.join('\n')).toContain(`${OTHER}: kept, role not uses it`);
  });

  test('an aud condition with a variable it cannot resolve counts as used', () => {
    const roles = [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable
      role('variable', [statement({ StringEquals: { ...sub, [`${ISSUER}:aud`]: '${aws:PrincipalTag/app}' } })]),
    ];
    const plan = planDelete({ roleName: 'gone', accountId: ACCOUNT, providers, roles, keep: [] });
    expect(plan.changes).toEqual([]);
    expect(plan.reasons.join('\n')).toContain('cannot be judged here');
  });

  test("roles trusting another provider do not keep this one's audiences", () => {
    const elsewhere = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const roles = [role('gh', [{ ...statement(), Principal: { Federated: elsewhere } }])];
    const plan = planDelete({ roleName: 'gone', accountId: ACCOUNT, providers, roles, keep: [] });
    expect(plan.changes).toHaveLength(4);
  });
});

test('lineDiff marks removed and added lines and keeps the rest', () => {
  expect(lineDiff('a\nb\nc', 'a\nx\nc')).toEqual(['  a', '- b', '+ x', '  c']);
  expect(lineDiff('a', 'a')).toEqual(['  a']);
});
