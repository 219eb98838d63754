/**
 * Black box: `auth <provider>` as a person runs it on a laptop. A real OpenID provider (oidc-provider on 127.0.0.1)
 * with a PKCE + device-flow client, headless Chromium filling its login and consent forms, and the emulator
 * trusting that provider through examples/people-oidc.yml (aud = client id, sub condition). The credentials the
 * CLI prints must pass a SigV4-signed GetCallerIdentity as the signed-in person's session.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'puppeteer-core';
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
    templates: [
      {
        path: join(ROOT, 'examples', 'people-oidc.yml'),
        parameters: { IssuerUrl: oidc.issuer, ClientId: CLIENT_ID, AllowedSubjects: 'alice' },
      },
    ],
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
  const doc = JSON.parse(stdout) as {
    AccessKeyId: string;
    SecretAccessKey: string;
    SessionToken: string;
    Version: number;
  };
  return { accessKeyId: doc.AccessKeyId, secretAccessKey: doc.SecretAccessKey, sessionToken: doc.SessionToken };
}

/** Nothing secret printed: no JWT, no access key, no authorization code. */
function assertNoSecrets(text: string, extra: readonly string[] = []): void {
  expect(text).not.toMatch(JWT_SHAPE);
  expect(text).not.toMatch(TEMPORARY_KEY_SHAPE);
  for (const value of extra) expect(text).not.toContain(value);
}

const LAUNCH_URL = /^http:\/\/127\.0\.0\.1:\d+\/launch\/[\w-]{43}$/;

/**
 * What the person's browser does with the launch address, done by hand so a test can change the authorization URL
 * on its way: the launch request (its cookie and redirect), then the cookie put into the browser context.
 */
async function launchByHand(context: BrowserContext, launchUrl: string): Promise<{ url: URL; cookie: string }> {
  const launched = await fetch(launchUrl, { redirect: 'manual' });
  expect(launched.status).toBe(302);
  const cookie = launched.headers.get('set-cookie')!.split(';')[0]!;
  const [name, value] = cookie.split('=') as [string, string];
  await context.setCookie({ name, value, domain: '127.0.0.1', path: '/callback', httpOnly: true, sameSite: 'Lax' });
  return { url: new URL(launched.headers.get('location')!), cookie };
}

/** Runs `auth work …` while Chromium completes the sign-in the browser command was given. */
async function signInWithBrowser(
  machine: Laptop,
  args: readonly string[] = [],
  options: {
    consent?: 'allow' | 'deny';
    rewrite?: (url: URL) => void | Promise<void>;
    starts?: number;
    /** What others do once the browser command has run, before the person's browser gets going. */
    before?: (launchUrl: string) => Promise<void>;
  } = {},
) {
  const started = startCli(['auth', 'work', ...args], { env: machine.env, killAfterMs: 60_000 });
  const launchUrl = await waitForBrowserStart(machine.argvFile, options.starts ?? 1).catch((error: Error) => {
    throw new Error(`${error.message}; the CLI said: ${started.stderr()}`);
  });
  await options.before?.(launchUrl);
  // A fresh profile per sign-in, as another person's browser: no provider session left by an earlier test.
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    let url: URL | undefined;
    let target = launchUrl;
    if (options.rewrite) {
      url = (await launchByHand(context, launchUrl)).url;
      await options.rewrite(url);
      target = url.href;
    } else {
      page.on('request', (request) => {
        if (!url && request.url().startsWith(`${oidc.issuer}/auth?`)) url = new URL(request.url());
      });
    }
    const callback = await completeSignIn(page, target, { consent: options.consent ?? 'allow' });
    const code = new URL(callback).searchParams.get('code') ?? undefined;
    return { run: await started.result, url: url!, launchUrl, code };
  } finally {
    await context.close();
  }
}

describe('browser sign-in (authorization code + PKCE, loopback redirect)', () => {
  test('another local program answering with its own code, without the sign-in cookie: exit 3, nothing used', async () => {
    const machine = laptop();
    const started = startCli(['auth', 'work'], { env: machine.env, killAfterMs: 60_000 });
    const launchUrl = await waitForBrowserStart(machine.argvFile, 1);
    const context = await browser.createBrowserContext();
    let planted: Response;
    try {
      const { url } = await launchByHand(context, launchUrl);
      const callback = new URL(url.searchParams.get('redirect_uri')!);
      callback.searchParams.set('code', 'planted-code');
      callback.searchParams.set('state', url.searchParams.get('state')!);
      planted = await fetch(callback);
    } finally {
      await context.close();
    }
    const run = await started.result;
    expect(planted.status).toBe(400);
    expect(run.stderr).toContain('A sign-in answer came from outside the browser that opened your sign-in link');
    expect(run.stderr).toContain('Sign in again');
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(() => statSync(join(machine.sessionDir, 'work.json'))).toThrow();
  }, 60_000);

  test('answers without the state (a web page trying ports) before the browser arrives: turned away, the sign-in goes on', async () => {
    const machine = laptop();
    const early: number[] = [];
    const { run } = await signInWithBrowser(machine, [], {
      before: async (launchUrl) => {
        const origin = new URL(launchUrl).origin;
        early.push((await fetch(`${origin}/callback?code=planted-code&state=guessed`)).status);
        early.push((await fetch(`${origin}/callback`)).status);
      },
    });
    expect(early).toEqual([400, 400]);
    expect(run.stderr.match(/does not belong to this sign-in/g)).toHaveLength(1);
    expect(run.code).toBe(0);
  }, 60_000);

  test("someone who read the browser's argv opens the sign-in link first: exit 3, no credentials", async () => {
    const machine = laptop();
    const started = startCli(['auth', 'work'], { env: machine.env, killAfterMs: 60_000 });
    const launchUrl = await waitForBrowserStart(machine.argvFile, 1);
    const attacker = await browser.createBrowserContext();
    const person = await browser.createBrowserContext();
    try {
      // The attacker's browser is first at the link (and is on the provider's sign-in page, as themselves)…
      const attackerPage = await attacker.newPage();
      await attackerPage.goto(launchUrl, { waitUntil: 'load' });
      expect(attackerPage.url().startsWith(oidc.issuer)).toBe(true);
      // … then the person's browser arrives: the sign-in is given up.
      const personPage = await person.newPage();
      const second = await personPage.goto(launchUrl, { waitUntil: 'load' });
      expect(second?.status()).toBe(400);
      const run = await started.result;
      expect(run.stderr).toContain('Your sign-in link was opened twice');
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(() => statSync(join(machine.sessionDir, 'work.json'))).toThrow();
      assertNoSecrets(run.stderr);
    } finally {
      await attacker.close();
      await person.close();
    }
  }, 60_000);

  test('an attacker who is first and fast: the answer is held, and the late browser still gives the sign-in up', async () => {
    const machine = laptop();
    const started = startCli(['auth', 'work'], { env: machine.env, killAfterMs: 60_000 });
    const launchUrl = await waitForBrowserStart(machine.argvFile, 1);
    const attacker = await browser.createBrowserContext();
    try {
      const page = await attacker.newPage();
      let answered = false;
      page.on('request', (request) => {
        if (request.url().includes('/callback?')) answered = true;
      });
      // Signs in all the way (alice: the role trusts this identity) before the person's browser has arrived.
      const signing = completeSignIn(page, launchUrl, { login: 'alice' });
      while (!answered) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      const late = await fetch(launchUrl, { redirect: 'manual' });
      await signing;
      const run = await started.result;
      expect(late.status).toBe(400);
      expect(run.stderr).toContain('Your sign-in link was opened twice');
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(() => statSync(join(machine.sessionDir, 'work.json'))).toThrow();
    } finally {
      await attacker.close();
    }
  }, 60_000);

  test('a person signs in once; later calls reuse the kept session without a browser', async () => {
    const machine = laptop();
    const { run, url, launchUrl, code } = await signInWithBrowser(machine);
    expect(run.stderr).toContain('Signing in with work');
    expect(run.code).toBe(0);
    const arn = await callerArn(emulator.url, credentialsOf(run.stdout));
    expect(arn).toMatch(/:assumed-role\/.+\/alice@example\.com$/);

    // What the browser command got (argv: every local user can read it): the one-time launch address only, nothing
    // of the authorization URL (its state, challenge, nonce, redirect port's path).
    const [argv] = recordedStarts(machine.argvFile);
    expect(argv).toEqual([launchUrl]);
    expect(launchUrl).toMatch(LAUNCH_URL);
    for (const name of ['state', 'nonce', 'code_challenge', 'client_id', 'redirect_uri']) {
      expect(argv![0]).not.toContain(url.searchParams.get(name)!);
    }
    expect(argv![0]).not.toContain('/callback');
    // What the browser was redirected to: the authorization URL with the S256 challenge, a loopback redirect.
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
    // The same credentials: handed out from the kept session, no new AssumeRoleWithWebIdentity.
    expect(credentialsOf(again.stdout)).toEqual(credentialsOf(run.stdout));

    // Kept credentials pass this call's checks, not only those of the call that kept them.
    const fenced = await runCli(['auth', 'work', '--allowed-account-ids', '999999999999'], { env: machine.env });
    expect(fenced.code).not.toBe(0);
    expect(fenced.stdout).toBe('');
    expect(fenced.stderr).toContain('not in allowed-account-ids');

    // Other settings are other credentials: a per-call override gets its own, from the kept ID token.
    const longer = await runCli(['auth', 'work', '--role-duration-seconds', '7200'], { env: machine.env });
    expect(longer.code).toBe(0);
    expect(credentialsOf(longer.stdout).accessKeyId).not.toBe(credentialsOf(run.stdout).accessKeyId);
    const expiration = Date.parse((JSON.parse(longer.stdout) as { Expiration: string }).Expiration);
    expect(expiration - Date.now()).toBeGreaterThan(7000_000);
    expect(await callerArn(emulator.url, credentialsOf(longer.stdout))).toBe(arn);
    expect(recordedStarts(machine.argvFile)).toHaveLength(1);
  }, 60_000);
});

/**
 * An unsigned JWT with `exp` in the past in place of the kept ID token, and the kept role credentials dropped (as
 * when they near expiry too): the next call must get a new ID token.
 */
function expireKeptIdToken(machine: Laptop): { refreshToken: string } {
  const file = join(machine.sessionDir, 'work.json');
  const kept = JSON.parse(readFileSync(file, 'utf8')) as {
    idToken: string;
    refreshToken: string;
    credentials?: unknown;
  };
  delete kept.credentials;
  const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  kept.idToken = `${segment({ alg: 'none' })}.${segment({ iss: oidc.issuer, exp: Math.floor(Date.now() / 1000) - 60 })}.`;
  writeFileSync(file, JSON.stringify(kept), { mode: 0o600 });
  return kept;
}

async function revokeAtProvider(refreshToken: string): Promise<void> {
  const response = await fetch(`${oidc.issuer}/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token', client_id: CLIENT_ID }),
  });
  expect(response.status).toBe(200);
}

describe('kept sessions', () => {
  test('an expired ID token is replaced with the refresh token, without a browser', async () => {
    const machine = laptop();
    const first = await signInWithBrowser(machine);
    expect(first.run.code).toBe(0);
    expireKeptIdToken(machine);

    const refreshed = await runCli(['auth', 'work', '--format', 'json'], { env: machine.env });
    expect(refreshed.stderr).toContain('Refreshed the sign-in with work.');
    expect(refreshed.code).toBe(0);
    expect(recordedStarts(machine.argvFile)).toHaveLength(1);
    assertNoSecrets(refreshed.stderr);
    const vars = JSON.parse(refreshed.stdout) as Record<string, string>;
    expect(
      await callerArn(emulator.url, {
        accessKeyId: vars.AWS_ACCESS_KEY_ID!,
        secretAccessKey: vars.AWS_SECRET_ACCESS_KEY!,
        sessionToken: vars.AWS_SESSION_TOKEN!,
      }),
    ).toMatch(/\/alice@example\.com$/);
    const kept = JSON.parse(readFileSync(join(machine.sessionDir, 'work.json'), 'utf8')) as { idToken: string };
    expect(kept.idToken).toMatch(JWT_SHAPE);
  }, 60_000);

  test('a revoked refresh token says so and signs the person in again', async () => {
    const machine = laptop();
    expect((await signInWithBrowser(machine)).run.code).toBe(0);
    const { refreshToken } = expireKeptIdToken(machine);
    await revokeAtProvider(refreshToken);

    const { run } = await signInWithBrowser(machine, [], { starts: 2 });
    expect(run.stderr).toContain(
      'The kept sign-in with work was revoked or has expired (invalid_grant); signing in again.',
    );
    expect(run.code).toBe(0);
    assertNoSecrets(run.stderr, [refreshToken]);
  }, 60_000);

  test('concurrent calls open one browser; the others wait and use its session', async () => {
    const machine = laptop();
    const others = [0, 1].map(() => startCli(['auth', 'work'], { env: machine.env, killAfterMs: 60_000 }));
    const { run } = await signInWithBrowser(machine);
    const results = [run, ...(await Promise.all(others.map((o) => o.result)))];
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(recordedStarts(machine.argvFile)).toHaveLength(1);
  }, 60_000);

  test('logout revokes the refresh token at the provider and removes the kept session', async () => {
    const machine = laptop();
    expect((await signInWithBrowser(machine)).run.code).toBe(0);
    const kept = readFileSync(join(machine.sessionDir, 'work.json'), 'utf8');
    const out = await runCli(['logout', 'work'], { env: machine.env });
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('Revoked the refresh token at work.');
    expect(() => statSync(join(machine.sessionDir, 'work.json'))).toThrow();

    // The revoked refresh token no longer works anywhere (put back, it gets invalid_grant).
    writeFileSync(join(machine.sessionDir, 'work.json'), kept, { mode: 0o600 });
    expireKeptIdToken(machine);
    const after = await runCli(['auth', 'work', '--login-timeout-s', '1'], { env: machine.env });
    expect(after.stderr).toContain('revoked or has expired (invalid_grant)');
  }, 60_000);
});

describe('sign-in failures end with a clear message and a documented exit code', () => {
  test('a person the role does not trust (sub condition): exit 4 with the claims', async () => {
    const machine = laptop();
    const started = startCli(['auth', 'work'], { env: machine.env, killAfterMs: 60_000 });
    const url = await waitForBrowserStart(machine.argvFile, 1);
    const context = await browser.createBrowserContext();
    try {
      await completeSignIn(await context.newPage(), url, { login: 'bob' });
    } finally {
      await context.close();
    }
    const run = await started.result;
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('AccessDenied');
    expect(run.stderr).toContain('bob');
    expect(run.stdout).toBe('');
    assertNoSecrets(run.stderr);
  }, 60_000);

  test.each([
    [
      'nonce',
      (url: URL) => url.searchParams.set('nonce', 'forged-nonce-value'),
      /sign-in answer was refused: .*nonce/i,
    ],
    [
      'PKCE verifier',
      (url: URL) => url.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'),
      /refused the sign-in's authorization code \(invalid_grant\)[\s\S]*PKCE verifier did not match/,
    ],
  ])(
    'a %s mismatch: exit 3',
    async (_what, rewrite, message) => {
      const machine = laptop();
      const { run, code } = await signInWithBrowser(machine, [], { rewrite });
      expect(run.stderr).toMatch(message);
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      assertNoSecrets(run.stderr + run.stdout, code ? [code] : []);
      expect(() => statSync(join(machine.sessionDir, 'work.json'))).toThrow();
    },
    60_000,
  );

  test('an answer with another state is turned away, the person told, and the sign-in still waits for its own', async () => {
    const machine = laptop();
    const { run, code } = await signInWithBrowser(machine, ['--login-timeout-s', '8'], {
      rewrite: (url) => url.searchParams.set('state', 'forged-state-value'),
    });
    expect(run.stderr).toContain('does not belong to this sign-in (another state)');
    expect(run.stderr).toContain('No sign-in answer from the browser within 8 s');
    expect(run.code).toBe(5);
    expect(run.stdout).toBe('');
    assertNoSecrets(run.stderr + run.stdout, code ? [code] : []);
    expect(() => statSync(join(machine.sessionDir, 'work.json'))).toThrow();
  }, 60_000);

  test('denied consent (access_denied): exit 3', async () => {
    const machine = laptop();
    const { run } = await signInWithBrowser(machine, [], { consent: 'deny' });
    expect(run.stderr).toContain('The sign-in with work was declined (access_denied).');
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
  }, 60_000);

  test('a closed browser (no answer before --login-timeout-s): exit 5', async () => {
    const machine = laptop();
    const run = await runCli(['auth', 'work', '--login-timeout-s', '2'], { env: machine.env });
    expect(run.stderr).toContain('No sign-in answer from the browser within 2 s');
    expect(run.code).toBe(5);
    expect(recordedStarts(machine.argvFile)).toHaveLength(1);
  }, 30_000);
});

describe('device sign-in (RFC 8628)', () => {
  test('prints the address and code; the person approves on another device', async () => {
    const machine = laptop();
    const started = startCli(['auth', 'work', '--device'], { env: machine.env, killAfterMs: 60_000 });
    const deadline = Date.now() + 15_000;
    let prompt: RegExpExecArray | null = null;
    while (!prompt && Date.now() < deadline) {
      prompt = /open (\S+) and enter the code (\S+)/.exec(started.stderr());
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(prompt).not.toBeNull();
    const page = await browser.newPage();
    try {
      await completeSignIn(page, prompt![1]!, { userCode: prompt![2]! });
    } finally {
      await page.close();
    }
    const run = await started.result;
    expect(run.code).toBe(0);
    expect(await callerArn(emulator.url, credentialsOf(run.stdout))).toMatch(/\/alice@example\.com$/);
    expect(recordedStarts(machine.argvFile)).toHaveLength(0);
  }, 60_000);

  test('as a credential_process (stderr captured by the AWS CLI), the code also reaches the terminal', async () => {
    const machine = laptop();
    const out = join(machine.dir, 'stdout');
    const err = join(machine.dir, 'stderr');
    // `script` gives the command a terminal of its own: what it prints there is what the person would see, while
    // stdout and stderr go to files as they go to the AWS CLI's pipes.
    const command = `'${process.execPath}' '${join(ROOT, 'dist', 'index.js')}' auth work --device >'${out}' 2>'${err}'`;
    const terminal = spawn('script', ['-qec', command, '/dev/null'], {
      env: machine.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    terminal.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => terminal.on('close', resolve));
    const deadline = Date.now() + 15_000;
    let prompt: RegExpExecArray | null = null;
    while (!prompt && Date.now() < deadline) {
      prompt = /open (\S+) and enter the code (\S+)/.exec(screen);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(prompt).not.toBeNull();
    const page = await browser.newPage();
    try {
      await completeSignIn(page, prompt![1]!, { userCode: prompt![2]! });
    } finally {
      await page.close();
    }
    expect(await exited).toBe(0);
    expect(await callerArn(emulator.url, credentialsOf(readFileSync(out, 'utf8')))).toMatch(/\/alice@example\.com$/);
    assertNoSecrets(screen);
  }, 60_000);

  test('an expired device code: exit 5', async () => {
    const shortLived = await startOidcProvider({ clientId: CLIENT_ID, deviceCodeTtl: 2 });
    try {
      const machine = laptop();
      writeFileSync(
        machine.env.KEYLESS_AWS_CONFIG!,
        readFileSync(machine.env.KEYLESS_AWS_CONFIG!, 'utf8').replace(oidc.issuer, shortLived.issuer),
      );
      const run = await runCli(['auth', 'work', '--device'], { env: machine.env, killAfterMs: 30_000 });
      expect(run.stderr).toContain('The device code for work expired before the sign-in was finished.');
      expect(run.code).toBe(5);
    } finally {
      shortLived.close();
    }
  }, 30_000);
});

describe('settings', () => {
  test('--client-secret is refused on the command line: exit 2', async () => {
    const machine = laptop();
    const run = await runCli(['auth', 'work', '--client-secret', 'shh-its-a-secret'], { env: machine.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--client-secret is not accepted');
    expect(run.stderr).not.toContain('shh-its-a-secret');
  });

  test('a bad value in the providers file is reported at its file and line: exit 2', async () => {
    const machine = laptop('role-duration-seconds = 99');
    const run = await runCli(['auth', 'work'], { env: machine.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `ey "role-duration-seconds" (${machine.env.KEYLESS_AWS_CONFIG}:7) must be a whole number`,
    );
    expect(recordedStarts(machine.argvFile)).toHaveLength(0);
  });

  test('a flag overrides the providers file (as in a credential_process line)', async () => {
    const machine = laptop('role-duration-seconds = 99');
    const run = await runCli(['auth', 'work', '--role-duration-seconds', '7200', '--login-timeout-s', '1'], {
      env: machine.env,
    });
    expect(run.stderr).not.toContain('role-duration-seconds');
    expect(run.code).toBe(5);
  });
});

describe('console', () => {
  test('a signed-in profile opens the console as the person, end to end in the browser', async () => {
    const machine = laptop();
    const awsConfig = join(machine.dir, 'aws-config');
    writeFileSync(
      awsConfig,
      `[profile work]\ncredential_process = ${process.execPath} ${join(ROOT, 'dist', 'index.js')} auth work\n`,
    );
    const env = { ...machine.env, AWS_CONFIG_FILE: awsConfig, AWS_SHARED_CREDENTIALS_FILE: join(machine.dir, 'none') };
    expect((await signInWithBrowser(machine)).run.code).toBe(0);

    const federation = `${emulator.url}/federation`;
    const destination = 'https://console.aws.amazon.com/s3/home?region=us-east-1';
    const argvFile = join(machine.dir, 'console-argv');
    const started = startCli(
      [
        'console',
        '--profile',
        'work',
        '--signin-endpoint',
        federation,
        '--destination',
        destination,
        '--session-duration-s',
        '7200',
        '--browser',
        recorderCommand(argvFile),
      ],
      { env, killAfterMs: 60_000 },
    );
    // The browser command gets a private page's file:// address (argv is readable by every local user), not the URL.
    const fileUrl = await waitForBrowserStart(argvFile, 1);
    expect(recordedStarts(argvFile)).toEqual([[fileUrl]]);
    expect(fileUrl).toMatch(/^file:\/\/\/.+\/keyless-aws\/runtime\/console-[^/]+\/signin\.html$/);
    expect(fileUrl).not.toMatch(/SigninToken|federation/);
    const pageFile = fileURLToPath(fileUrl);
    expect(statSync(pageFile).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(pageFile)).mode & 0o777).toBe(0o700);
    const url = /location\.replace\("([^"]+)"\)/.exec(readFileSync(pageFile, 'utf8'))![1]!.replace(/\\u0026/g, '&');
    const login = new URL(url);
    expect(login.searchParams.get('Action')).toBe('login');
    expect(login.searchParams.get('Destination')).toBe(destination);

    const page = await browser.newPage();
    try {
      // The browser opens the page, which forwards to the sign-in URL; the CLI then deletes it and exits.
      await page.goto(fileUrl);
      await page.waitForSelector('#identity');
      expect(await page.$eval('#identity', (e) => e.textContent)).toMatch(
        /:assumed-role\/people-oidc-PeopleRole\/alice@example\.com$/,
      );
      expect(await page.$eval('#destination', (e) => e.textContent)).toBe(destination);
      const until = Date.parse((await page.$eval('#until', (e) => e.textContent)) ?? '');
      expect(until - Date.now()).toBeGreaterThan(7000_000);
      const run = await started.result;
      expect(run.stderr).toContain('Opened the AWS console sign-in');
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('');
      assertNoSecrets(run.stderr, [login.searchParams.get('SigninToken')!]);
      expect(existsSync(dirname(pageFile))).toBe(false);
      // One use: the same link again is refused.
      const again = await page.goto(url, { waitUntil: 'load' });
      expect(again?.status()).toBe(400);
    } finally {
      await page.close();
    }
  }, 60_000);

  test('credentials of a CI step (environment) with --print; --print is refused in CI', async () => {
    const machine = laptop();
    const signed = await signInWithBrowser(machine, ['--format', 'json']);
    const vars = JSON.parse(signed.run.stdout) as Record<string, string>;
    const env = { ...cliEnv(machine.dir), ...vars };
    const federation = `${emulator.url}/federation`;
    const printed = await runCli(['console', '--print', '--signin-endpoint', federation], { env });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/federation\?Action=login&Destination=https%3A%2F%2Fconsole\.aws\.amazon\.com%2F&SigninToken=\S+\n$/,
    );
    expect(printed.stderr).not.toContain('SigninToken');

    for (const ci of [
      { CI: 'true' },
      { CI: 'True' },
      { GITHUB_ACTIONS: 'true' },
      { JENKINS_URL: 'https://jenkins.example.com/' },
      { TF_BUILD: 'True' },
      { CODEBUILD_BUILD_ID: 'build:1' },
      { TEAMCITY_VERSION: '2025.1' },
    ]) {
      const refused = await runCli(['console', '--print', '--signin-endpoint', federation], { env: { ...env, ...ci } });
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('--print is refused in');
    }

    const forged = await runCli(['console', '--print', '--signin-endpoint', federation], {
      env: { ...env, AWS_SECRET_ACCESS_KEY: 'not-the-secret-of-this-session-0000000000' },
    });
    expect(forged.code).toBe(4);
    expect(forged.stderr).toContain('The federation endpoint refused the credentials (HTTP 400).');
    expect(forged.stdout).toBe('');
  }, 60_000);
});
