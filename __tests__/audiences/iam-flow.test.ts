/**
 * The audience automation against the emulator's IAM over the real wire (the SDK with our request handler, SigV4,
 * IAM's XML): create flow, a second run planning nothing, the delete flow keeping what other roles still use (by a
 * wildcard, by having no aud condition) and removing the rest, refusals, IAM's 100 client id limit, and another
 * account through the example automation role (examples/microsoft/audience-automation-role.yml) with AccessDenied
 * naming the action a narrower role lacks.
 */
import { GetOpenIDConnectProviderCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { providerRef } from '../../src/audiences/declaration';
import { type AccountConnection, IamAccount } from '../../src/audiences/iam-account';
import { planText } from '../../src/audiences/render';
import { type AudienceRequest, runAudiences } from '../../src/audiences/run';
import {
  type Accounts,
  APP,
  CENTRAL,
  FULL,
  provider,
  RETIRED_APP,
  ROOT_KEYS,
  startAccounts,
  TARGET,
  UNUSED_APP,
  V1,
  V1_APP,
  V2,
  WILDCARD_APP,
} from './support/accounts';

let world: Accounts;
const saved = { ...process.env };

beforeAll(async () => {
  world = await startAccounts();
}, 60_000);

afterAll(async () => {
  await world.close();
});

afterEach(() => {
  process.env = { ...saved };
});

/** The caller's credentials come from the environment, as for a person or a pipeline. */
async function account(
  keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  extra: Partial<AccountConnection> = {},
) {
  process.env.AWS_ACCESS_KEY_ID = keys.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = keys.secretAccessKey;
  if (keys.sessionToken) process.env.AWS_SESSION_TOKEN = keys.sessionToken;
  else delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  return IamAccount.open({
    region: 'us-east-1',
    timeoutMs: 5000,
    iamEndpoint: world.url,
    stsEndpoint: world.url,
    ...extra,
  });
}

const sync = (roleName: string, apply: boolean): AudienceRequest => ({
  event: 'CreateRole',
  roleName,
  providers: [],
  keep: [],
  apply,
});
const prune = (providers: string[], apply: boolean, keep: string[] = []): AudienceRequest => ({
  event: 'DeleteRole',
  roleName: 'legacy-reports',
  providers,
  keep,
  apply,
});

async function clientIds(keys: Parameters<Accounts['iam']>[0], arn: string): Promise<string[]> {
  const iam = world.iam(keys);
  try {
    return (await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }))).ClientIDList ?? [];
  } finally {
    iam.destroy();
  }
}

async function trustOf(keys: Parameters<Accounts['iam']>[0], roleName: string) {
  const iam = world.iam(keys);
  try {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    return JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ''));
  } finally {
    iam.destroy();
  }
}

test('CreateRole: dry run changes nothing, --apply adds the client id and the aud, a second run is a no-op', async () => {
  const acct = await account(ROOT_KEYS.central);
  try {
    expect(acct.accountId).toBe(CENTRAL);
    const dry = await runAudiences(sync('app-deploy', false), acct);
    if (!('plan' in dry)) throw new Error(dry.skipped);
    expect(dry.applied).toBe(false);
    expect(dry.plan.changes.map((c) => c.kind)).toEqual(['add-client-id', 'update-trust']);
    expect(await clientIds(ROOT_KEYS.central, provider(CENTRAL, V2))).not.toContain(APP);

    const applied = await runAudiences(sync('app-deploy', true), acct);
    expect(applied).toMatchObject({ applied: true });
    expect(await clientIds(ROOT_KEYS.central, provider(CENTRAL, V2))).toContain(APP);
    const trust = await trustOf(ROOT_KEYS.central, 'app-deploy');
    expect(trust.Statement[0].Condition.StringEquals).toEqual({
      [`${V2}:aud`]: APP,
      [`${V2}:sub`]: expect.any(String),
    });

    const again = await runAudiences(sync('app-deploy', true), acct);
    if (!('plan' in again)) throw new Error(again.skipped);
    expect(again.plan.changes).toEqual([]);
    expect(again.applied).toBe(false);
    expect(planText(again.plan, false)).toMatch(/nothing to change/);
  } finally {
    acct.close();
  }
}, 30_000);

test("an event's role may only name a provider the function manages: a tag naming another one changes nothing", async () => {
  const acct = await account(ROOT_KEYS.central);
  try {
    const before = await clientIds(ROOT_KEYS.central, provider(CENTRAL, V2));
    const trust = await trustOf(ROOT_KEYS.central, 'app-deploy');
    for (const managed of [[`https://${V1}`], []]) {
      const error = await runAudiences({ ...sync('app-deploy', true), managedProviders: managed }, acct).catch(
        (e) => e,
      );
      expect(error).toMatchObject({ code: 'ProviderNotManaged', exitCode: 6 });
      expect(error.message).toContain(`tag keyless-aws:oidc-provider names ${provider(CENTRAL, V2)}`);
    }
    expect(await clientIds(ROOT_KEYS.central, provider(CENTRAL, V2))).toEqual(before);
    expect(await trustOf(ROOT_KEYS.central, 'app-deploy')).toEqual(trust);
    // Named by issuer or by ARN, the managed provider is acted on.
    const dry = await runAudiences({ ...sync('app-deploy', false), managedProviders: [V2] }, acct);
    expect(dry).toHaveProperty('plan');
  } finally {
    acct.close();
  }
}, 30_000);

test('refusals: no sub (doctor lint), no trust statement, a provider at 100 client ids; nothing changes', async () => {
  const acct = await account(ROOT_KEYS.central);
  try {
    await expect(runAudiences(sync('no-sub', true), acct)).rejects.toMatchObject({ code: 'LintRefused', exitCode: 6 });
    await expect(runAudiences(sync('untrusting', true), acct)).rejects.toMatchObject({
      code: 'NotTrusted',
      exitCode: 6,
    });
    await expect(runAudiences(sync('full-user', true), acct)).rejects.toMatchObject({
      code: 'ClientIdLimit',
      exitCode: 6,
    });
    expect((await trustOf(ROOT_KEYS.central, 'no-sub')).Statement[0].Condition).toEqual({
      StringEquals: { [`${V2}:aud`]: APP },
    });
    expect(await clientIds(ROOT_KEYS.central, provider(CENTRAL, FULL))).toHaveLength(100);
    // IAM's own limit, for a change that raced past the plan: its LimitExceeded becomes the same refusal, asked once
    // (the SDK would retry LimitExceededException as throttling).
    const limitLines = () => world.harness.logs.filter((l) => / 409 LimitExceeded/.test(l)).length;
    const seen = limitLines();
    const error = await acct.addClientId(providerRef(provider(CENTRAL, FULL), 'test'), 'client-100').catch((e) => e);
    expect(limitLines() - seen).toBe(1);
    expect(error).toMatchObject({ code: 'ClientIdLimit', exitCode: 6 });
    expect(error.message).toMatch(
      /^iam:AddClientIDToOpenIDConnectProvider on arn:aws:iam::111122223333:oidc-provider\/.* was refused: LimitExceeded/,
    );
    expect(await clientIds(ROOT_KEYS.central, provider(CENTRAL, FULL))).toHaveLength(100);
  } finally {
    acct.close();
  }
}, 30_000);

test("a trust policy over IAM's size quota: the lint refuses the plan; IAM's own LimitExceeded names ACLSizePerRole", async () => {
  const acct = await account(ROOT_KEYS.central);
  try {
    const before = await trustOf(ROOT_KEYS.central, 'sized-trust');
    const refused = await runAudiences(sync('sized-trust', true), acct).catch((e) => e);
    expect(refused).toMatchObject({ code: 'LintRefused', exitCode: 6 });
    expect(refused.message).toContain('Cannot exceed quota for ACLSizePerRole: 2048');
    // A trust that grew between the plan and the write meets IAM's own refusal: it must say what IAM said, not
    // send the person to the provider's client ids.
    const grown = structuredClone(before);
    grown.Statement[0].Condition.StringEquals[`${V1}:aud`] = V1_APP;
    const error = await acct.updateTrust('sized-trust', JSON.stringify(grown)).catch((e) => e);
    expect(error).toMatchObject({ code: 'TrustPolicySize', exitCode: 6 });
    expect(error.message).toMatch(
      /^iam:UpdateAssumeRolePolicy on arn:aws:iam::111122223333:role\/sized-trust was refused: LimitExceeded: Cannot exceed quota for ACLSizePerRole: 2048/,
    );
    expect(error.hint).toMatch(/ACLSizePerRole/);
    expect(error.hint).not.toMatch(/client ids/);
    expect(await trustOf(ROOT_KEYS.central, 'sized-trust')).toEqual(before);
  } finally {
    acct.close();
  }
}, 30_000);

test("a role name IAM's model refuses is bad input (exit 2), not an outage to retry", async () => {
  const acct = await account(ROOT_KEYS.central);
  try {
    const error = await runAudiences(sync('no such/role', false), acct).catch((e) => e);
    expect(error).toMatchObject({ code: 'InvalidInput', exitCode: 2 });
    expect(error.message).toMatch(/^iam:GetRole on .* was refused: ValidationError/);
  } finally {
    acct.close();
  }
}, 30_000);

test('DeleteRole: keeps what a wildcard or a role without aud uses, removes the unused one, once', async () => {
  const acct = await account(ROOT_KEYS.central);
  try {
    const outcome = await runAudiences(prune([V2, `https://${V1}`], true), acct);
    if (!('plan' in outcome)) throw new Error(outcome.skipped);
    expect(outcome.plan.changes).toEqual([expect.objectContaining({ kind: 'remove-client-id', clientId: UNUSED_APP })]);
    const why = outcome.plan.reasons.join('\n');
    expect(why).toContain(`${WILDCARD_APP}: kept, role wildcard-user uses it`);
    expect(why).toContain(`${V1_APP}: kept, role open-user uses it: statement #1 has no condition`);
    expect(why).toContain('api://other: kept, role open-user uses it');
    expect(why).toContain('sts.amazonaws.com: kept, a default audience');
    expect(await clientIds(ROOT_KEYS.central, provider(CENTRAL, V2))).not.toContain(UNUSED_APP);
    expect(await clientIds(ROOT_KEYS.central, provider(CENTRAL, V2))).toContain(WILDCARD_APP);
    expect(await clientIds(ROOT_KEYS.central, provider(CENTRAL, V1))).toEqual([V1_APP, 'api://other']);

    const again = await runAudiences(prune([V2, `https://${V1}`], true), acct);
    expect(again).toMatchObject({ applied: false, plan: { changes: [] } });
  } finally {
    acct.close();
  }
}, 30_000);

test("the Lambda function's provider list spans accounts: a provider an account lacks is skipped with the reason", async () => {
  const acct = await account(ROOT_KEYS.central);
  const missing = 'login.microsoftonline.com/00000000-0000-0000-0000-0000000000bb/v2.0';
  try {
    const outcome = await runAudiences({ ...prune([V2, missing], false), managedProviders: [V2, missing] }, acct);
    if (!('plan' in outcome)) throw new Error(outcome.skipped);
    expect(outcome.plan.reasons[0]).toBe(
      `${provider(CENTRAL, missing)}: not in account ${CENTRAL}, nothing to prune there`,
    );
    expect(outcome.plan.lists.map((l) => l.provider.arn)).toEqual([provider(CENTRAL, V2)]);
    // A person who names it is told it is not there (exit 2).
    await expect(runAudiences(prune([V2, missing], false), acct)).rejects.toMatchObject({ exitCode: 2 });
  } finally {
    acct.close();
  }
}, 30_000);

test('another account through the example automation role; a narrower role fails naming the missing action', async () => {
  const lambda = await world.lambdaSession();
  const target = await account(lambda, { assumeRoleArn: `arn:aws:iam::${TARGET}:role/keyless-aws-audiences` });
  try {
    expect(target.accountId).toBe(TARGET);
    const outcome = await runAudiences(sync('payments-deploy', true), target);
    expect(outcome).toMatchObject({ applied: true });
    expect(await clientIds(ROOT_KEYS.target, provider(TARGET, V2))).toEqual(['sts.amazonaws.com', RETIRED_APP, APP]);
    const pruned = await runAudiences(prune([V2], false), target);
    expect(pruned).toMatchObject({
      applied: false,
      plan: {
        accountId: TARGET,
        changes: [expect.objectContaining({ kind: 'remove-client-id', clientId: RETIRED_APP })],
      },
    });
  } finally {
    target.close();
  }

  const limited = await account(lambda, { assumeRoleArn: `arn:aws:iam::${TARGET}:role/limited-automation` });
  try {
    const before = await clientIds(ROOT_KEYS.target, provider(TARGET, V2));
    // A role the automation has not synced yet in the target account.
    const error = await runAudiences(
      { ...sync('payments-deploy', true), audience: '77777777-7777-7777-7777-777777777777' },
      limited,
    ).catch((e) => e);
    expect(error).toMatchObject({ code: 'AccessDenied', exitCode: 4 });
    expect(error.message).toMatch(
      /^iam:AddClientIDToOpenIDConnectProvider on arn:aws:iam::444455556666:oidc-provider\//,
    );
    expect(error.message).toContain('iam:AddClientIDToOpenIDConnectProvider');
    expect(error.hint).toContain('audience-automation-role.yml');
    expect(await clientIds(ROOT_KEYS.target, provider(TARGET, V2))).toEqual(before);
  } finally {
    limited.close();
  }
}, 30_000);
