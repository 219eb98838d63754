/**
 * Black box: `node dist/index.js exec -- <program>` — the program's environment, stdio, exit code and signals, as a
 * Jenkins agent (which signals the step's process on abort) would see them.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupCliDirs, cliDir, cliEnv, runCli, startCli, waitFor } from '../cli/support/run-cli';
import { assertNoSecretLeak } from '../support/leak-check';
import { type StsFake, startStsFake } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const PRINT_ENV = `process.stdout.write(JSON.stringify(process.env))`;

let sts: StsFake;
let endpoint: TokenEndpoint;

beforeAll(async () => {
  sts = await startStsFake();
  endpoint = await startTokenEndpoint({ query: null });
});
afterAll(async () => {
  cleanupCliDirs();
  await Promise.all([sts.close(), endpoint.close()]);
});

function env(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...cliEnv(dir),
    ...endpoint.env('jenkins'),
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_REGION: 'eu-central-1',
    AWS_ROLE_ARN: ROLE,
    ...extra,
  };
}

function secrets(): string[] {
  return [...sts.secrets(), ...endpoint.secrets()];
}

test('the program gets exactly the new credentials; profile variables are removed, the rest passes through', async () => {
  const dir = cliDir();
  // The token file is for the program; without --token-source, auto would pick it before the Jenkins endpoint.
  const run = await runCli(['exec', '--token-source', 'jenkins', '--', 'node', '-e', PRINT_ENV], {
    env: env(dir, {
      AWS_PROFILE: 'stale',
      AWS_DEFAULT_PROFILE: 'stale',
      AWS_SECURITY_TOKEN: 'stale-legacy-token',
      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/token',
      JENKINS_URL: 'https://jenkins.example.com/',
    }),
  });
  expect(run.code).toBe(0);
  const child = JSON.parse(run.stdout) as Record<string, string>;
  const issued = sts.issued[sts.issued.length - 1]!;
  expect(child.AWS_ACCESS_KEY_ID).toBe(issued.accessKeyId);
  expect(child.AWS_SECRET_ACCESS_KEY).toBe(issued.secretAccessKey);
  expect(child.AWS_SESSION_TOKEN).toBe(issued.sessionToken);
  expect(child.AWS_CREDENTIAL_EXPIRATION).toBe(issued.expiration);
  expect(child.AWS_REGION).toBe('eu-central-1');
  expect(child.AWS_DEFAULT_REGION).toBe('eu-central-1');
  for (const removed of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SECURITY_TOKEN'])
    expect(child[removed]).toBeUndefined();
  // Our own SDK switch stays ours; what the user set passes through.
  expect(child.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBeUndefined();
  expect(child.AWS_WEB_IDENTITY_TOKEN_FILE).toBe('/var/run/secrets/token');
  expect(child.JENKINS_URL).toBe('https://jenkins.example.com/');
  expect(child.AWS_ROLE_ARN).toBe(ROLE);
  assertNoSecretLeak(run.stderr, secrets());
  expect(run.stderr).toContain('Running node with credentials for arn:aws:sts::111122223333:assumed-role/deploy/');

  const given = await runCli(['exec', '--', 'node', '-e', PRINT_ENV], {
    env: env(dir, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' }),
  });
  expect(JSON.parse(given.stdout).AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('false');
});

test('stdin and stdout are the program’s; the exit code is passed through', async () => {
  const dir = cliDir();
  const echo = await runCli(['exec', '--', 'node', '-e', 'process.stdin.pipe(process.stdout)'], {
    env: env(dir),
    stdin: 'hello from the pipeline\n',
  });
  expect(echo.code).toBe(0);
  expect(echo.stdout).toBe('hello from the pipeline\n');
  const failing = await runCli(['exec', '--', 'node', '-e', 'process.exit(7)'], { env: env(dir) });
  expect(failing.code).toBe(7);
});

test('a program that does not exist exits 127, one that is not executable 126', async () => {
  const dir = cliDir();
  const missing = await runCli(['exec', '--', 'no-such-program-keyless'], { env: env(dir) });
  expect(missing.code).toBe(127);
  expect(missing.stderr).toContain('program "no-such-program-keyless" not found');
  const script = join(dir, 'not-executable.sh');
  writeFileSync(script, '#!/bin/sh\nexit 0\n');
  chmodSync(script, 0o644);
  const denied = await runCli(['exec', '--', script], { env: env(dir) });
  expect(denied.code).toBe(126);
  expect(denied.stderr).toContain('not executable');
  assertNoSecretLeak(missing.stderr + denied.stderr, secrets());
});

/** A program that reports the signal it got to a file, then dies of it (as a well-behaved program does). */
function signalReporter(marker: string, signal: string): string {
  return `process.on('${signal}', () => { require('fs').writeFileSync(${JSON.stringify(marker)}, '${signal}');
    process.removeAllListeners('${signal}'); process.kill(process.pid, '${signal}'); });
    process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`;
}

test.each([
  ['SIGTERM', 143],
  ['SIGHUP', 129],
  ['SIGINT', 130],
])('%s sent to the CLI reaches the program, and the exit code is 128+n', async (signal, code) => {
  const dir = cliDir();
  const marker = join(dir, 'signal');
  const started = startCli(['exec', '--', 'node', '-e', signalReporter(marker, signal)], { env: env(dir) });
  await waitFor(() => started.stdout().includes('ready'), 'the program to start');
  started.child.kill(signal as NodeJS.Signals);
  const run = await started.result;
  expect(readFileSync(marker, 'utf8')).toBe(signal);
  expect(run.signal).toBeNull();
  expect(run.code).toBe(code);
});

test('a program that handles the signal decides the exit code', async () => {
  const dir = cliDir();
  const started = startCli(
    [
      'exec',
      '--',
      'node',
      '-e',
      `process.on('SIGTERM', () => process.exit(42)); console.log('ready'); setInterval(() => {}, 1000);`,
    ],
    { env: env(dir) },
  );
  await waitFor(() => started.stdout().includes('ready'), 'the program to start');
  started.child.kill('SIGTERM');
  expect((await started.result).code).toBe(42);
});
