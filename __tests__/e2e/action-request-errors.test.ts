/**
 * Black box (issue 10 §6): STS refusals about the request itself (RegionDisabledException, MalformedPolicyDocument,
 * PackedPolicyTooLarge), answered by the loopback STS with AWS's error XML, say what was sent under which name and
 * what to change; the token's claims and trust-policy advice appear only where the trust policy can be the cause.
 * Build first: `node scripts/build.mjs index`.
 */
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { cleanupRuns, type RunResult, runAction } from '../support/run-dist';
import { runnerCommands } from '../support/runner-commands';
import { type StsBehaviour, type StsFake, startStsFake, stsError } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
const MANAGED = 'arn:aws:iam::aws:policy/ReadOnlyAccess\narn:aws:iam::111122223333:policy/extra';
/** What STS answers for a region the account has deactivated (403, Sender). */
const REGION_DISABLED: StsBehaviour = {
  kind: 'error',
  code: 'RegionDisabledException',
  status: 403,
  message:
    'STS is not activated in this region for account:111122223333. Your account administrator can activate STS in this region using the IAM Console.',
};

let sts: StsFake;
let github: TokenEndpoint;

beforeAll(async () => {
  sts = await startStsFake();
  github = await startTokenEndpoint();
});
afterAll(async () => {
  cleanupRuns();
  cleanupCliDirs();
  await Promise.all([sts.close(), github.close()]);
});
beforeEach(() => {
  sts.reset();
  github.reset();
});

async function failure(behaviour: StsBehaviour, inputs: Record<string, string> = {}): Promise<string> {
  sts.setDefault(behaviour);
  const result: RunResult = await runAction({
    inputs: { 'aws-region': 'eu-south-2', 'role-to-assume': ROLE, 'disable-retry': 'true', ...inputs },
    env: { ...github.env(), AWS_ENDPOINT_URL_STS: sts.url },
  });
  expect(result.code).toBe(1);
  const errors = runnerCommands(result.stdout).filter((c) => c.name === 'error');
  expect(errors).toHaveLength(1);
  return errors[0]!.data;
}

const TRUST_ADVICE = /Token claims|What the trust policy sees|trust policy's Principal|sub: repo:/;

test('RegionDisabledException names the region, how to activate it, and other endpoints; no claims', async () => {
  const message = await failure(REGION_DISABLED);
  expect(message).toContain('sts:AssumeRoleWithWebIdentity failed: RegionDisabledException');
  expect(message).toContain('STS is not activated in region eu-south-2 for account 111122223333');
  expect(message).toContain('Account settings → Security Token Service (STS) → Endpoints → eu-south-2 → Activate');
  expect(message).toContain('sts-endpoint: https://sts.amazonaws.com');
  expect(message).toContain(`STS endpoint: ${sts.url}`);
  expect(message).not.toMatch(TRUST_ADVICE);
});

test('MalformedPolicyDocument names the policy inputs and their sizes; no claims', async () => {
  const message = await failure(stsError.malformedPolicyDocument(), {
    'inline-session-policy': POLICY,
    'managed-session-policies': MANAGED,
  });
  expect(message).toContain('Check input "inline-session-policy" and input "managed-session-policies"');
  expect(message).toContain(`input "inline-session-policy": ${POLICY.length} characters`);
  expect(message).toContain('input "managed-session-policies": 2 ARN(s)');
  expect(message).not.toMatch(TRUST_ADVICE);
});

test('MalformedPolicyDocument about a managed policy ARN points at that input', async () => {
  const message = await failure(
    stsError.malformedPolicyDocument(
      'Policy arn:aws:iam::111122223333:policy/extra does not exist or is not attachable.',
    ),
    { 'managed-session-policies': MANAGED },
  );
  expect(message).toContain('Check input "managed-session-policies": every ARN must name an existing managed policy');
});

test('PackedPolicyTooLarge lists what was packed with sizes and what to change; no claims', async () => {
  const message = await failure(
    stsError.packedPolicyTooLarge('Packed size of session policy consumes 112% of allotted space.'),
    {
      'inline-session-policy': POLICY,
      'managed-session-policies': MANAGED,
    },
  );
  expect(message).toContain(`input "inline-session-policy": ${POLICY.length} characters`);
  expect(message).toMatch(/input "managed-session-policies": 2 ARN\(s\), \d+ characters/);
  expect(message).toContain('  - shorten input "inline-session-policy"');
  expect(message).not.toMatch(TRUST_ADVICE);
});

test('PackedPolicyTooLarge on AssumeRole counts the session tags sent', async () => {
  const message = await failure(stsError.packedPolicyTooLarge(), {
    'aws-access-key-id': 'AKIAIOSFODNN7EXAMPLE',
    'aws-secret-access-key': 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'custom-tags': '{"team":"platform"}',
  });
  expect(message).toMatch(/session tags \(GitHub context and input "custom-tags"\): \d+ tag\(s\), \d+ characters/);
});

test('throttling that outlasts the retries shows no claims either', async () => {
  const message = await failure(stsError.throttling());
  expect(message).toContain('Throttling');
  expect(message).not.toMatch(TRUST_ADVICE);
});

test('AccessDenied still shows the claims and what the trust policy sees', async () => {
  const message = await failure(stsError.accessDenied());
  expect(message).toMatch(/Token claims/);
  expect(message).toMatch(/What the trust policy sees/);
});

test('the CLI names the environment variable that carried the policy', async () => {
  sts.setDefault(stsError.malformedPolicyDocument());
  const run = await runCli(['credential-process'], {
    env: {
      ...cliEnv(cliDir()),
      ...github.env(),
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_REGION: 'eu-west-1',
      AWS_ROLE_ARN: ROLE,
      INLINE_SESSION_POLICY: POLICY,
    },
  });
  expect(run.code).toBe(4);
  expect(run.stderr).toContain('Check environment variable INLINE_SESSION_POLICY (--inline-session-policy)');
});
