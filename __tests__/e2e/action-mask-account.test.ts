/**
 * Black box (issue 10 §5): mask-aws-account-id holds on failure paths too: the denial text from STS, the role ARN in
 * the explanation and hints, and an account id we never configured (the source account STS names). The account id
 * of role-to-assume is also registered with the runner at once. Build first: `node scripts/build.mjs index`.
 */
import { cleanupRuns, type RunResult, runAction } from '../support/run-dist';
import { runnerCommands } from '../support/runner-commands';
import { type StsFake, startStsFake, stsError } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const SOURCE_ACCOUNT = '444455556666';

let sts: StsFake;
let github: TokenEndpoint;

beforeAll(async () => {
  sts = await startStsFake();
  github = await startTokenEndpoint();
});
afterAll(async () => {
  cleanupRuns();
  await Promise.all([sts.close(), github.close()]);
});
beforeEach(() => {
  sts.reset();
  github.reset();
});

/** Everything the user sees, minus the mask registrations the runner swallows. */
function visible(result: RunResult): string {
  const lines = `${result.stdout}\n${result.stderr}`.split('\n');
  return lines.filter((line) => !line.startsWith('::add-mask::')).join('\n');
}

const run = (inputs: Record<string, string>) =>
  runAction({
    inputs: { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, ...inputs },
    env: { ...github.env(), AWS_ENDPOINT_URL_STS: sts.url },
  });

test.each([
  ['AccessDenied', stsError.accessDenied(`User: arn:aws:sts::${SOURCE_ACCOUNT}:assumed-role/ci/x is not authorized`)],
  ['InvalidIdentityToken', stsError.noOidcProvider()],
  ['MalformedPolicyDocument', stsError.malformedPolicyDocument()],
])('%s: no account id is printed, and the role account is registered as a mask first', async (_code, behaviour) => {
  sts.setDefault(behaviour);
  const result = await run({ 'mask-aws-account-id': 'true' });
  expect(result.code).toBe(1);
  const shown = visible(result);
  expect(shown).not.toContain('111122223333');
  expect(shown).not.toContain(SOURCE_ACCOUNT);
  expect(shown).toMatch(/::error::/);
  const mask = runnerCommands(result.stdout).find((c) => c.name === 'add-mask' && c.data === '111122223333');
  const firstOther = result.stdout.split('\n').findIndex((line) => !line.startsWith('::add-mask::'));
  expect(mask!.line).toBeLessThan(firstOther + 1);
});

test('without mask-aws-account-id the denial still names the accounts', async () => {
  sts.setDefault(stsError.accessDenied(`User: arn:aws:sts::${SOURCE_ACCOUNT}:assumed-role/ci/x is not authorized`));
  const result = await run({});
  expect(result.stdout).toContain(ROLE);
  expect(result.stdout).toContain(SOURCE_ACCOUNT);
});

test('an input error with mask-aws-account-id does not print the account either', async () => {
  const result = await run({
    'mask-aws-account-id': 'true',
    'role-to-assume': 'arn:aws:iam::111122223333:role/bad name',
  });
  expect(result.code).toBe(1);
  expect(visible(result)).not.toContain('111122223333');
  expect(visible(result)).toContain('::error::Input "role-to-assume" must be a role ARN');
});
