/**
 * The Lambda function as AWS runs it: the built dist/lambda/index.js loaded in a child node process whose
 * environment is what Lambda gives (the execution role's session keys, AWS_REGION) plus the function's
 * configuration, handed recorded events in CloudTrail's format (an EventBridge CreateRole from a member account,
 * a CloudTrail log file with a DeleteRole, a failed call and another IAM call). It assumes the example automation
 * role (examples/microsoft/audience-automation-role.yml) in the event's recipientAccountId.
 */

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetOpenIDConnectProviderCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import {
  type Accounts,
  APP,
  type Keys,
  provider,
  RETIRED_APP,
  ROOT_KEYS,
  startAccounts,
  TARGET,
  V2,
} from '../audiences/support/accounts';
import { ROOT } from '../support/run-dist';

const BUNDLE = join(ROOT, 'dist', 'lambda', 'index.js');
const fixture = (name: string) => readFileSync(join(ROOT, '__tests__', 'audiences', 'fixtures', name), 'utf8');

/** What the Lambda runtime does: require the bundle, call exports.handler with the event, await the promise. */
const RUNTIME = `
const { handler } = require(process.argv[1]);
let input = '';
process.stdin.on('data', (c) => (input += c)).on('end', async () => {
  try {
    const result = await handler(JSON.parse(input), { functionName: 'keyless-aws-audiences' });
    process.stderr.write('RESULT ' + JSON.stringify(result) + '\\n');
  } catch (error) {
    process.stderr.write('FAILED ' + error.message + '\\n');
    process.exitCode = 1;
  }
});`;

interface Invocation {
  code: number | null;
  logs: Array<Record<string, string>>;
  stdout: string;
  stderr: string;
  result?: { dryRun: boolean; results: Array<Record<string, unknown>> };
}

function invoke(event: string, env: Record<string, string>): Promise<Invocation> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', RUNTIME, BUNDLE], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const result = /^RESULT (.*)$/m.exec(stderr)?.[1];
      const logs = stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l));
      resolve({ code, logs, stdout, stderr, ...(result ? { result: JSON.parse(result) } : {}) });
    });
    child.stdin.end(event);
  });
}

let world: Accounts;
let lambda: Keys;

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error('dist/lambda/index.js is missing: run npm run build');
  world = await startAccounts();
  lambda = await world.lambdaSession();
}, 60_000);

afterAll(async () => {
  await world.close();
});

function lambdaEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_ACCESS_KEY_ID: lambda.accessKeyId,
    AWS_SECRET_ACCESS_KEY: lambda.secretAccessKey,
    AWS_SESSION_TOKEN: lambda.sessionToken as string,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'keyless-aws-audiences',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_IAM: world.url,
    AWS_ENDPOINT_URL_STS: world.url,
    KEYLESS_AWS_AUTOMATION_ROLE: 'keyless-aws-audiences',
    KEYLESS_AWS_OIDC_PROVIDERS: V2,
    ...extra,
  };
}

async function targetClientIds(): Promise<string[]> {
  const iam = world.iam(ROOT_KEYS.target);
  try {
    const out = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: provider(TARGET, V2) }));
    return out.ClientIDList ?? [];
  } finally {
    iam.destroy();
  }
}

function noSecrets(run: Invocation): void {
  for (const secret of [lambda.secretAccessKey, lambda.sessionToken as string, lambda.accessKeyId]) {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
}

test('the recorded CreateRole: dry run by default, then applied in the member account, then unchanged', async () => {
  const before = await targetClientIds();
  const dry = await invoke(fixture('eventbridge-create-role.json'), lambdaEnv());
  expect(dry.code).toBe(0);
  expect(dry.result).toEqual({
    dryRun: true,
    results: [{ event: 'CreateRole', roleName: 'payments-deploy', accountId: TARGET, outcome: 'planned', changes: 2 }],
  });
  expect(dry.logs.map((l) => l.decision)).toEqual(['reason', 'reason', 'planned (dry run)', 'planned (dry run)']);
  expect(dry.logs[2]).toMatchObject({
    call: 'iam:AddClientIDToOpenIDConnectProvider',
    clientId: APP,
    accountId: TARGET,
  });
  expect(dry.logs[3]).toMatchObject({ call: 'iam:UpdateAssumeRolePolicy', target: 'payments-deploy' });
  expect(await targetClientIds()).toEqual(before);
  noSecrets(dry);

  const applied = await invoke(fixture('eventbridge-create-role.json'), lambdaEnv({ KEYLESS_AWS_APPLY: 'true' }));
  expect(applied.result?.results[0]).toMatchObject({ outcome: 'applied', changes: 2 });
  expect(await targetClientIds()).toContain(APP);
  const iam = world.iam(ROOT_KEYS.target);
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'payments-deploy' }));
  iam.destroy();
  const trust = JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ''));
  expect(trust.Statement[0].Condition.StringEquals[`${V2}:aud`]).toBe(APP);

  const again = await invoke(fixture('eventbridge-create-role.json'), lambdaEnv({ KEYLESS_AWS_APPLY: 'true' }));
  expect(again.result?.results[0]).toMatchObject({ outcome: 'unchanged', changes: 0 });
  noSecrets(again);
}, 90_000);

test('a CloudTrail log file: DeleteRole prunes the unused audience; the failed call and AttachRolePolicy are ignored', async () => {
  const run = await invoke(fixture('cloudtrail-delete-role.json'), lambdaEnv({ KEYLESS_AWS_APPLY: 'true' }));
  expect(run.code).toBe(0);
  expect(run.result?.results.map((r) => r.outcome)).toEqual(['applied', 'ignored', 'ignored']);
  expect(await targetClientIds()).not.toContain(RETIRED_APP);
  expect(await targetClientIds()).toContain(APP);
  const ignored = run.logs.filter((l) => l.decision === 'ignore').map((l) => l.reason);
  expect(ignored).toEqual([
    expect.stringMatching(/^DeleteRole failed with NoSuchEntityException: nothing changed/),
    expect.stringMatching(/^IAM AttachRolePolicy is not CreateRole or DeleteRole/),
  ]);
  expect(run.logs).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        decision: 'applied',
        call: 'iam:RemoveClientIDFromOpenIDConnectProvider',
        clientId: RETIRED_APP,
      }),
      expect.objectContaining({
        decision: 'reason',
        reason: expect.stringContaining(`${APP}: kept, role payments-deploy uses it`),
      }),
    ]),
  );
  noSecrets(run);
}, 90_000);

test('an event from another account without KEYLESS_AWS_AUTOMATION_ROLE is refused in the log, not acted on', async () => {
  const env = lambdaEnv();
  delete (env as Record<string, string | undefined>).KEYLESS_AWS_AUTOMATION_ROLE;
  const run = await invoke(fixture('eventbridge-create-role.json'), env);
  expect(run.code).toBe(0);
  expect(run.result?.results[0]).toMatchObject({ outcome: 'failed' });
  expect(run.logs[0]).toMatchObject({
    decision: 'error',
    code: 'InvalidInput',
    reason: expect.stringContaining('Set KEYLESS_AWS_AUTOMATION_ROLE'),
  });
}, 60_000);

test('a CreateRole whose role is gone again (or untagged) is skipped with the reason', async () => {
  const event = JSON.parse(fixture('eventbridge-create-role.json'));
  event.detail.requestParameters.roleName = 'deleted-since';
  const run = await invoke(JSON.stringify(event), lambdaEnv({ KEYLESS_AWS_APPLY: 'true' }));
  expect(run.code).toBe(0);
  expect(run.result?.results).toEqual([
    { event: 'CreateRole', roleName: 'deleted-since', accountId: TARGET, outcome: 'skipped' },
  ]);
  expect(run.logs).toEqual([
    expect.objectContaining({
      decision: 'skip',
      reason: `role deleted-since does not exist in account ${TARGET}: nothing to do`,
    }),
  ]);
}, 60_000);

test('a CreateRole whose tag names a provider the function does not manage changes nothing (KEYLESS_AWS_OIDC_PROVIDERS)', async () => {
  const before = await targetClientIds();
  for (const providers of ['sts.windows.net/00000000-0000-0000-0000-0000000000aa/', '']) {
    const run = await invoke(
      fixture('eventbridge-create-role.json'),
      lambdaEnv({ KEYLESS_AWS_APPLY: 'true', KEYLESS_AWS_OIDC_PROVIDERS: providers }),
    );
    expect(run.code).toBe(0);
    expect(run.result?.results).toEqual([expect.objectContaining({ roleName: 'payments-deploy', outcome: 'failed' })]);
    expect(run.logs).toEqual([
      expect.objectContaining({
        decision: 'error',
        code: 'ProviderNotManaged',
        reason: expect.stringContaining('not among the providers the function manages'),
      }),
    ]);
  }
  expect(await targetClientIds()).toEqual(before);
}, 60_000);
