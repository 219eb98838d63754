/**
 * The Lambda function's configuration (its environment variables) and the decisions it makes without calling AWS:
 * a bad setting is one clear error; events that hold nothing to act on are logged, one line each, and return.
 */
import { handleEvent, type LogEntry, lambdaSettings } from '../../src/audiences/lambda-handler';
import { InputError } from '../../src/errors';

test('settings: dry run unless KEYLESS_AWS_APPLY=true; lists split on spaces and commas', () => {
  expect(lambdaSettings({ AWS_REGION: 'us-east-1' })).toEqual({
    apply: false,
    providers: [],
    keep: [],
    region: 'us-east-1',
    timeoutMs: 10_000,
  });
  const s = lambdaSettings({
    KEYLESS_AWS_APPLY: 'true',
    KEYLESS_AWS_AUTOMATION_ROLE: 'automation/keyless-aws-audiences',
    KEYLESS_AWS_OIDC_PROVIDERS: 'login.microsoftonline.com/t/v2.0, sts.windows.net/t/',
    KEYLESS_AWS_KEEP_AUDIENCES: 'pool-app other-app',
    AWS_ENDPOINT_URL_IAM: 'http://127.0.0.1:1',
  });
  expect(s).toMatchObject({
    apply: true,
    automationRole: 'automation/keyless-aws-audiences',
    providers: ['login.microsoftonline.com/t/v2.0', 'sts.windows.net/t/'],
    keep: ['pool-app', 'other-app'],
    iamEndpoint: 'http://127.0.0.1:1',
  });
});

test('settings: a mistyped value names the variable', () => {
  expect(() => lambdaSettings({ KEYLESS_AWS_APPLY: 'yes' })).toThrow(InputError);
  expect(() => lambdaSettings({ KEYLESS_AWS_APPLY: 'yes' })).toThrow(
    /KEYLESS_AWS_APPLY must be true or false; got "yes"/,
  );
  expect(() => lambdaSettings({ KEYLESS_AWS_AUTOMATION_ROLE: 'arn:aws:iam::1:role/x' })).toThrow(
    /KEYLESS_AWS_AUTOMATION_ROLE must be a role name/,
  );
});

test('events with nothing to act on: one log line each, no call made', async () => {
  const logs: LogEntry[] = [];
  // An endpoint nothing listens on: any call would fail the test.
  const settings = { ...lambdaSettings({}), iamEndpoint: 'http://127.0.0.1:9', stsEndpoint: 'http://127.0.0.1:9' };
  const event = {
    Records: [
      {
        eventSource: 'iam.amazonaws.com',
        eventName: 'CreateRole',
        errorCode: 'EntityAlreadyExists',
        requestParameters: { roleName: 'x' },
      },
      { eventSource: 's3.amazonaws.com', eventName: 'PutObject' },
    ],
  };
  const result = await handleEvent(event, settings, (e) => logs.push(e));
  expect(result).toEqual({ dryRun: true, results: [{ outcome: 'ignored' }, { outcome: 'ignored' }] });
  expect(logs).toEqual([
    { decision: 'ignore', reason: 'CreateRole failed with EntityAlreadyExists: nothing changed' },
    { decision: 'ignore', reason: 'PutObject of s3.amazonaws.com is not an IAM call' },
  ]);
});

test('a transient failure is thrown after logging, so Lambda retries the event', async () => {
  const logs: LogEntry[] = [];
  const settings = {
    ...lambdaSettings({}),
    iamEndpoint: 'http://127.0.0.1:9',
    stsEndpoint: 'http://127.0.0.1:9',
    timeoutMs: 2000,
  };
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEUNUSED001', AWS_SECRET_ACCESS_KEY: 'unused-secret' });
  try {
    const event = {
      Records: [{ eventSource: 'iam.amazonaws.com', eventName: 'DeleteRole', requestParameters: { roleName: 'x' } }],
    };
    await expect(handleEvent(event, settings, (e) => logs.push(e))).rejects.toMatchObject({ exitCode: 5 });
    expect(logs).toEqual([expect.objectContaining({ decision: 'error', roleName: 'x' })]);
  } finally {
    process.env = saved;
  }
}, 30_000);
