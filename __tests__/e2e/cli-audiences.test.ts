/**
 * `keyless-aws audiences` as a person or a pipeline runs it: the built dist/index.js as a child process, credentials
 * from the environment, the emulator's IAM and STS over the wire. The dry run prints the exact diff and changes
 * nothing; --apply makes the change once; refusals exit 6, a missing permission 4 naming the action, bad flags 2.
 * Another account is reached through the example automation role (examples/microsoft/audience-automation-role.yml).
 */
import {
  type Accounts,
  APP,
  type Keys,
  provider,
  RETIRED_APP,
  ROOT_KEYS,
  startAccounts,
  TARGET,
  UNUSED_APP,
  V2,
  WILDCARD_APP,
} from '../audiences/support/accounts';
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';

let world: Accounts;
let base: Record<string, string>;

beforeAll(async () => {
  world = await startAccounts();
  base = { ...cliEnv(cliDir()), AWS_REGION: 'us-east-1' };
}, 60_000);

afterAll(async () => {
  await world.close();
  cleanupCliDirs();
});

const keys = (k: Keys) => ({
  AWS_ACCESS_KEY_ID: k.accessKeyId,
  AWS_SECRET_ACCESS_KEY: k.secretAccessKey,
  ...(k.sessionToken ? { AWS_SESSION_TOKEN: k.sessionToken } : {}),
});
const endpoints = () => ['--iam-endpoint', world.url, '--sts-endpoint', world.url];
const run = (args: string[], k: Keys = ROOT_KEYS.central) =>
  runCli(['audiences', ...args, ...endpoints()], { env: { ...base, ...keys(k) } });

test('sync: the dry run prints the exact diff, --apply makes it, a second run has nothing to change', async () => {
  const dry = await run(['sync', '--role', 'app-deploy']);
  expect(dry.stderr).toBe('');
  expect(dry.code).toBe(0);
  const lines = dry.stdout.split('\n');
  expect(lines[0]).toBe(
    'CreateRole app-deploy in account 111122223333: dry run, 2 changes planned, nothing changed (--apply makes them)',
  );
  expect(lines).toContain(`  OIDC provider ${provider('111122223333', V2)} ClientIDList:`);
  expect(lines).toContain(`    + ${APP}`);
  // The one added line, between the unchanged ones (the sub line kept as it was).
  const at = lines.indexOf(`    +           "${V2}:aud": "${APP}",`);
  expect(at).toBeGreaterThan(0);
  expect(lines[at - 1]).toBe('              "StringEquals": {');
  expect(lines[at + 1]).toBe(`                "${V2}:sub": "22222222-2222-2222-2222-222222222222"`);
  expect(lines.filter((l) => /^ {4}[-+] /.test(l))).toHaveLength(2);
  expect(dry.stdout).toContain(
    `${APP}: added to ${provider('111122223333', V2)} (tag keyless-aws:audience of role app-deploy)`,
  );

  const again = await run(['sync', '--role', 'app-deploy']);
  expect(again.stdout).toBe(dry.stdout);

  const applied = await run(['sync', '--role', 'app-deploy', '--apply']);
  expect(applied.code).toBe(0);
  expect(applied.stdout.split('\n')[0]).toBe('CreateRole app-deploy in account 111122223333: 2 changes applied');

  const noop = await run(['sync', '--role', 'app-deploy', '--apply', '--format', 'json']);
  expect(noop.code).toBe(0);
  expect(JSON.parse(noop.stdout)).toMatchObject({ applied: false, changes: [] });
}, 60_000);

test('sync refusals exit 6 naming the rule and the role; nothing is written', async () => {
  const lint = await run(['sync', '--role', 'no-sub', '--apply']);
  expect(lint.code).toBe(6);
  expect(lint.stdout).toBe('');
  expect(lint.stderr).toMatch(/Role no-sub: the doctor's lint rule sub-missing flags the trust policy/);
  expect(lint.stderr).toContain(`add "StringEquals": {"${V2}:sub"`);

  const untrusting = await run(['sync', '--role', 'untrusting']);
  expect(untrusting.code).toBe(6);
  expect(untrusting.stderr).toContain('does not trust');

  const full = await run(['sync', '--role', 'full-user']);
  expect(full.code).toBe(6);
  expect(full.stderr).toContain("already has 100 client ids, IAM's limit");
}, 60_000);

test('prune: explains each audience, removes only the unused one', async () => {
  // app-deploy expects its own audience once synced (idempotent: a no-op when the first test ran).
  expect((await run(['sync', '--role', 'app-deploy', '--apply'])).code).toBe(0);
  const dry = await run(['prune', '--role', 'legacy-reports', '--provider', V2, '--format', 'json']);
  expect(dry.code).toBe(0);
  const plan = JSON.parse(dry.stdout);
  expect(plan.changes).toEqual([
    {
      action: 'iam:RemoveClientIDFromOpenIDConnectProvider',
      openIDConnectProviderArn: provider('111122223333', V2),
      clientID: UNUSED_APP,
    },
  ]);
  expect(plan.reasons).toEqual(
    expect.arrayContaining([expect.stringContaining(`${WILDCARD_APP}: kept, role wildcard-user uses it`)]),
  );
  const text = await run(['prune', '--provider', V2, '--keep', UNUSED_APP]);
  expect(text.stdout).toContain(`${UNUSED_APP}: kept, protected by --keep`);
  expect(text.stdout).toMatch(/nothing to change/);
}, 60_000);

test('another account through the automation role; a role without the permission exits 4 naming it', async () => {
  const lambda = await world.lambdaSession();
  const viaRole = ['--assume-role', `arn:aws:iam::${TARGET}:role/keyless-aws-audiences`];
  const synced = await run(['sync', '--role', 'payments-deploy', '--apply', ...viaRole], lambda);
  expect(synced.stderr).toBe('');
  expect(synced.stdout.split('\n')[0]).toBe(`CreateRole payments-deploy in account ${TARGET}: 2 changes applied`);
  const pruned = await run(['prune', '--provider', V2, ...viaRole], lambda);
  expect(pruned.stdout).toContain(`    - ${RETIRED_APP}`);
  expect(pruned.stdout).toContain(`${APP}: kept, role payments-deploy uses it`);

  const limited = ['--assume-role', `arn:aws:iam::${TARGET}:role/limited-automation`];
  const denied = await run(
    ['sync', '--role', 'payments-deploy', '--audience', '77777777-7777-7777-7777-777777777777', '--apply', ...limited],
    lambda,
  );
  expect(denied.code).toBe(4);
  expect(denied.stderr.split('\n')[0]).toMatch(
    /^keyless-aws: error: iam:AddClientIDToOpenIDConnectProvider on arn:aws:iam::444455556666:oidc-provider\/.* was refused: AccessDenied/,
  );
  expect(denied.stderr).toContain('audience-automation-role.yml');
  for (const secret of [lambda.secretAccessKey, lambda.sessionToken as string]) {
    expect(denied.stderr).not.toContain(secret);
  }
}, 60_000);

test('bad input exits 2 naming the flag: mistyped flags before any call, a missing role or provider after', async () => {
  const noRole = await run(['sync']);
  expect([noRole.code, noRole.stderr]).toEqual([2, expect.stringContaining('Audiences sync needs --role NAME')]);
  const verb = await run(['frob', '--role', 'x']);
  expect([verb.code, verb.stderr]).toEqual([2, expect.stringContaining('Audiences takes sync or prune')]);
  const prune = await run(['prune', '--role', 'gone']);
  expect([prune.code, prune.stderr]).toEqual([2, expect.stringContaining('no provider to check')]);
  const missing = await run(['sync', '--role', 'app-deploy', '--provider', 'nope.example.com']);
  expect([missing.code, missing.stderr]).toEqual([
    2,
    expect.stringContaining(
      'iam:GetOpenIDConnectProvider: arn:aws:iam::111122223333:oidc-provider/nope.example.com does not exist',
    ),
  ]);
  const gone = await run(['sync', '--role', 'never-created']);
  expect([gone.code, gone.stderr]).toEqual([
    2,
    expect.stringContaining('--role never-created: role never-created does not exist in account 111122223333.'),
  ]);
  const undeclared = await run(['sync', '--role', 'wildcard-user']);
  expect([undeclared.code, undeclared.stderr]).toEqual([2, expect.stringContaining('declares no audience')]);
  const anonymous = await runCli(['audiences', 'sync', '--role', 'app-deploy', ...endpoints()], { env: base });
  expect([anonymous.code, anonymous.stderr]).toEqual([
    2,
    expect.stringContaining('No AWS credentials to call sts:GetCallerIdentity'),
  ]);
  const arn = await run(['sync', '--role', 'x', '--assume-role', 'keyless-aws-audiences']);
  expect([arn.code, arn.stderr]).toEqual([2, expect.stringContaining('is not a role ARN')]);
}, 60_000);
