/**
 * `node dist/index.js console --signin-endpoint URL`: the federation endpoint receives the session credentials in its
 * query string, so plain http is refused (exit 2, naming the flag) unless it is this machine, before any credential
 * is read or any request made.
 */
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../support/run-cli';

afterAll(() => cleanupCliDirs());

const session = {
  AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE00',
  AWS_SECRET_ACCESS_KEY: 'secret-of-this-session-0000000000000000000',
  AWS_SESSION_TOKEN: 'session-token-of-this-session',
};

test.each([
  ['plain http across the network', 'http://signin.example.com/federation'],
  ['a loopback look-alike name', 'http://127.0.0.1.example.com/federation'],
  ['not a URL', 'signin.aws.amazon.com/federation'],
])('--signin-endpoint with %s is exit 2 naming the flag', async (_what, endpoint) => {
  const run = await runCli(['console', '--print', '--signin-endpoint', endpoint], {
    env: { ...cliEnv(cliDir()), ...session },
  });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('--signin-endpoint must be an https URL (http only on loopback');
  expect(run.stdout).toBe('');
  expect(run.stderr).not.toContain(session.AWS_SECRET_ACCESS_KEY);
});

test('plain http to loopback passes the check (the emulator serves /federation there)', async () => {
  // Nothing listens on port 9: the run gets past the flag check and fails on the connection instead.
  const run = await runCli(['console', '--print', '--signin-endpoint', 'http://127.0.0.1:9/federation'], {
    env: { ...cliEnv(cliDir()), ...session },
  });
  expect(run.stderr).not.toContain('--signin-endpoint must be');
  expect(run.code).not.toBe(0);
});

test('a bad --destination is shown on one line, and not at all when it looks like a secret', async () => {
  const env = { ...cliEnv(cliDir()), ...session };
  const multiline = await runCli(['console', '--print', '--destination', 'http://console\nINJECTED line'], { env });
  expect(multiline.code).toBe(2);
  expect(multiline.stderr).toContain('--destination must be an https URL, got "http://console\\nINJECTED line".');
  expect(multiline.stderr).not.toMatch(/\nINJECTED/);
  // A secret access key pasted into the wrong flag (40 characters of base64, the shape AWS gives them).
  const pasted = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const secret = await runCli(['console', '--print', '--destination', pasted], { env });
  expect(secret.code).toBe(2);
  expect(secret.stderr).toContain('--destination must be an https URL, got a 40-character value');
  expect(secret.stderr).not.toContain(pasted);
});
