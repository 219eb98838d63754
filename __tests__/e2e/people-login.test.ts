/**
 * Black box: `auth <provider>` as a person runs it on a laptop. A real OpenID provider (oidc-provider on 127.0.0.1)
 * with a PKCE + device-flow client, headless Chromium filling its login and consent forms, and the emulator
 * trusting that provider through examples/people-oidc.yml (aud = client id, sub condition). The credentials the
 * CLI prints must pass a SigV4-signed GetCallerIdentity as the signed-in person's session.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { startEmulator } from '../../src/emulator';
import { cleanupCliDirs, cliDir, cliEnv, runCli, startCli } from '../cli/support/run-cli';
import { ROOT } from '../support/run-dist';
import { callerArn, JWT_SHAPE, TEMPORARY_KEY_SHAPE } from './support/chain';
import {
  completeSignIn,
  launchChromium,
  type OidcServer,
  recordedStarts,
  recorderCommand,
  startOidcProvider,
  waitForBrowserStart,
} from './support/people';

const CLIENT_ID = 'keyless-laptop';
let oidc: OidcServer;
let browser: Browser;
let emulator: Awaited<ReturnType<typeof startEmulator>>;
let roleArn: string;

beforeAll(async () => {
  oidc = await startOidcProvider({ clientId: CLIENT_ID });
  emulator = await startEmulator({
    log: () => {},
    templates: [{ path: join(ROOT, 'examples', 'people-oidc.yml'), parameters: { IssuerUrl: oidc.issuer, ClientId: CLIENT_ID } }],
  });
  roleArn = emulator.ids.PeopleRole!;
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await emulator?.close();
  oidc?.close();
  cleanupCliDirs();
});

interface Laptop {
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly argvFile: string;
  readonly sessionDir: string;
}

function laptop(extraConfig = ''): Laptop {
  const dir = cliDir();
  const argvFile = join(dir, 'browser-argv.jsonl');
  const config = join(dir, 'providers');
  writeFileSync(
    config,
    [
      '[provider work]',
      `issuer = ${oidc.issuer}`,
      `client-id = ${CLIENT_ID}`,
      `role-to-assume = ${roleArn}`,
      'aws-region = us-east-1',
      `browser = ${recorderCommand(argvFile)}`,
      extraConfig,
    ].join('\n'),
  );
  return {
    dir,
    argvFile,
    sessionDir: join(dir, 'home', '.local', 'state', 'keyless-aws', 'sessions'),
    env: { ...cliEnv(dir), KEYLESS_AWS_CONFIG: config, AWS_ENDPOINT_URL_STS: emulator.url },
  };
}

function credentialsOf(stdout: string) {
  const doc = JSON.parse(stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Version: number };
  return { accessKeyId: doc.AccessKeyId, secretAccessKey: doc.SecretAccessKey, sessionToken: doc.SessionToken };
}

/** Nothing secret printed: no JWT, no access key, no authorization code. */
function assertNoSecrets(text: string, extra: readonly string[] = []): void {
  expect(text).not.toMatch(JWT_SHAPE);
  expect(text).not.toMatch(TEMPORARY_KEY_SHAPE);
  for (const value of extra) expect(text).not.toContain(value);
}

/** Runs `auth work …` while Chromium completes the sign-in the browser command was given. */
async function signInWithBrowser(
  machine: Laptop,
  args: readonly string[] = [],
  options: { consent?: 'allow' | 'deny'; rewrite?: (url: URL) => void; starts?: number } = {},
) {
  const started = startCli(['auth', 'work', ...args], { env: machine.env, killAfterMs: 60_000 });
  const url = new URL(
    await waitForBrowserStart(machine.argvFile, options.starts ?? 1).catch((error: Error) => {
      throw new Error(`${error.message}; the CLI said: ${started.stderr()}`);
    }),
  );
  options.rewrite?.(url);
  const page = await browser.newPage();
  try {
    const callback = await completeSignIn(page, url.href, { consent: options.consent ?? 'allow' });
    const code = new URL(callback).searchParams.get('code') ?? undefined;
    return { run: await started.result, url, code };
  } finally {
    await page.close();
  }
}

describe('browser sign-in (authorization code + PKCE, loopback redirect)', () => {
  test('a person signs in once; later calls reuse the kept session without a browser', async () => {
    const machine = laptop();
    const { run, url, code } = await signInWithBrowser(machine);
    expect(run.stderr).toContain('Signing in with work');
    expect(run.code).toBe(0);
    const arn = await callerArn(emulator.url, credentialsOf(run.stdout));
    expect(arn).toMatch(/:assumed-role\/.+\/alice@example\.com$/);

    // What the browser got: the authorization URL with the S256 challenge, a loopback redirect and nothing else.
    const [argv] = recordedStarts(machine.argvFile);
    expect(argv).toHaveLength(1);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.has('code_verifier')).toBe(false);
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(code).toBeTruthy();
    assertNoSecrets(run.stderr, [code!]);

    // The kept session: 0600 in a 0700 directory.
    expect(statSync(machine.sessionDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(machine.sessionDir, 'work.json')).mode & 0o777).toBe(0o600);

    const again = await runCli(['auth', 'work'], { env: machine.env });
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
    expect(recordedStarts(machine.argvFile)).toHaveLength(1);
    expect(await callerArn(emulator.url, credentialsOf(again.stdout))).toBe(arn);
  }, 60_000);
});
