/**
 * The sign-in listener over real HTTP on 127.0.0.1: what a browser, a stray local program and another user's
 * process each get. The code exchange is a stand-in (`useAnswer`): what it would return is beside the point here.
 */
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { type SignInListener, startSignInListener } from '../../src/auth/loopback-listener';
import { KeylessError } from '../../src/errors';

const STATE = 'the-state-of-this-sign-in';
const AUTHORIZE = 'https://login.example.com/authorize';

interface Harness {
  listener: SignInListener<string>;
  used: URL[];
  told: string[];
}

const open: SignInListener<string>[] = [];
afterEach(() => {
  for (const l of open.splice(0)) l.close();
});

async function start(options: { holdMs?: number; fail?: Error } = {}): Promise<Harness> {
  const used: URL[] = [];
  const told: string[] = [];
  const listener = await startSignInListener<string>({
    authorizationUrl: (redirectUri) => `${AUTHORIZE}?redirect_uri=${encodeURIComponent(redirectUri)}&state=${STATE}`,
    isThisSignIn: (url) => url.searchParams.get('state') === STATE,
    useAnswer: async (url) => {
      used.push(url);
      if (options.fail) throw options.fail;
      return `signed-in:${url.searchParams.get('code')}`;
    },
    tell: (message) => told.push(message),
    holdMs: options.holdMs ?? 50,
  });
  open.push(listener);
  return { listener, used, told };
}

const launch = (h: Harness) => fetch(h.listener.launchUrl, { redirect: 'manual' });

async function launchCookie(h: Harness): Promise<string> {
  const res = await launch(h);
  expect(res.status).toBe(302);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

const answer = (h: Harness, cookie?: string, state = STATE) =>
  fetch(`${h.listener.redirectUri}?code=the-code&state=${state}`, cookie ? { headers: { cookie } } : {});

async function interference(h: Harness): Promise<KeylessError> {
  const error = await h.listener.result.then(
    () => {
      throw new Error('expected the sign-in to be given up');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeylessError);
  expect((error as KeylessError).code).toBe('SignInInterfered');
  expect((error as KeylessError).exitCode).toBe(3);
  return error as KeylessError;
}

test('the browser: launch → 302 to the provider with the cookie → the answer with it is used, after the hold', async () => {
  const h = await start({ holdMs: 300 });
  expect(h.listener.launchUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/launch\/[\w-]{43}$/);
  expect(h.listener.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  const res = await launch(h);
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe(
    `${AUTHORIZE}?redirect_uri=${encodeURIComponent(h.listener.redirectUri)}&state=${STATE}`,
  );
  expect(res.headers.get('cache-control')).toBe('no-store');
  const port = new URL(h.listener.launchUrl).port;
  expect(res.headers.get('set-cookie')).toMatch(
    new RegExp(`^keyless_aws_signin_${port}=[\\w-]{43}; Path=/callback; HttpOnly; SameSite=Lax$`),
  );
  const started = Date.now();
  const page = await answer(h, res.headers.get('set-cookie')!.split(';')[0]);
  // The page says "signed in" only once the hold is over and the answer is really used.
  expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Signed in');
  expect(await h.listener.result).toBe('signed-in:the-code');
  expect(h.used).toHaveLength(1);
  expect(h.told).toEqual([]);
});

test('someone used the launch address first: the second launch gives the sign-in up', async () => {
  const h = await start();
  await launchCookie(h); // the other party
  const second = await launch(h); // the person's browser, arriving later
  expect(second.status).toBe(400);
  const error = await interference(h);
  expect(error.message).toContain('Your sign-in link was opened twice');
  expect(error.hint).toContain('Sign in again');
  expect(h.used).toHaveLength(0);
});

test('an answer before any launch gives the sign-in up; nothing is used', async () => {
  const h = await start();
  expect((await answer(h)).status).toBe(400);
  expect((await interference(h)).message).toContain('before your browser opened the sign-in link');
  expect(h.used).toHaveLength(0);
  // Over: the launch address does nothing any more.
  expect((await launch(h)).status).toBe(404);
});

test('an answer without the cookie gives the sign-in up, even with the right state', async () => {
  const h = await start();
  await launchCookie(h);
  expect((await answer(h)).status).toBe(400);
  expect((await interference(h)).message).toContain('came from outside the browser that opened your sign-in link');
  expect(h.used).toHaveLength(0);
});

test('an answer with a forged cookie value gives the sign-in up', async () => {
  const h = await start();
  const cookie = await launchCookie(h);
  await answer(h, `${cookie.split('=')[0]}=forged`);
  await interference(h);
  expect(h.used).toHaveLength(0);
});

test('a late second launch during the hold drops an answer that was already exchanged', async () => {
  const h = await start({ holdMs: 2000 });
  const cookie = await launchCookie(h);
  const held = answer(h, cookie);
  while (h.used.length === 0) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 20));
  expect((await launch(h)).status).toBe(400);
  await interference(h);
  expect((await held).status).toBe(400);
});

test("the person's browser with another sign-in's state is turned away and does not use up the answer", async () => {
  const h = await start();
  const cookie = await launchCookie(h);
  expect((await answer(h, cookie, 'another-state')).status).toBe(400);
  expect(h.told[0]).toContain('does not belong to this sign-in');
  expect((await answer(h, cookie)).status).toBe(200);
  expect(await h.listener.result).toBe('signed-in:the-code');
});

test("an answer without this sign-in's state (a web page trying ports) gives nothing up, before or after the launch", async () => {
  // A page the browser shows can GET any 127.0.0.1 port (an image, a no-cors fetch): without the cookie, and
  // without the state, which only the launch's redirect carries. Turned away, told once, nothing used up.
  const h = await start();
  expect((await answer(h, undefined, 'guessed')).status).toBe(400);
  expect((await fetch(h.listener.redirectUri)).status).toBe(400);
  const cookie = await launchCookie(h);
  expect((await answer(h, undefined, 'guessed')).status).toBe(400);
  expect((await answer(h, cookie, 'guessed')).status).toBe(400);
  expect(h.told).toEqual([
    'An answer that does not belong to this sign-in (another state) reached the sign-in listener and was turned away; still waiting for yours.',
  ]);
  expect((await answer(h, cookie)).status).toBe(200);
  expect(await h.listener.result).toBe('signed-in:the-code');
});

test('a request naming another host (DNS rebinding) gets 404 and changes nothing', async () => {
  const h = await start();
  const launchUrl = new URL(h.listener.launchUrl);
  const status = await new Promise<number | undefined>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: launchUrl.port,
        path: launchUrl.pathname,
        headers: { host: `rebind.example:${launchUrl.port}` },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.once('error', reject);
    req.end();
  });
  expect(status).toBe(404);
  const cookie = await launchCookie(h);
  expect((await answer(h, cookie)).status).toBe(200);
  expect(await h.listener.result).toBe('signed-in:the-code');
});

test('a wrong launch path, other paths and other methods get 404 and change nothing', async () => {
  const h = await start();
  const origin = new URL(h.listener.launchUrl).origin;
  expect((await fetch(`${origin}/launch/guess`)).status).toBe(404);
  expect((await fetch(`${origin}/favicon.ico`)).status).toBe(404);
  expect((await fetch(h.listener.launchUrl, { method: 'POST', redirect: 'manual' })).status).toBe(404);
  const cookie = await launchCookie(h);
  expect((await answer(h, cookie)).status).toBe(200);
  expect(await h.listener.result).toBe('signed-in:the-code');
});

test('a failed exchange ends the sign-in with its error', async () => {
  const refused = new Error('refused by the provider');
  const h = await start({ fail: refused });
  const cookie = await launchCookie(h);
  expect((await answer(h, cookie)).status).toBe(400);
  await expect(h.listener.result).rejects.toBe(refused);
});

test('abort() ends the wait (the login timeout)', async () => {
  const h = await start();
  h.listener.abort(new Error('timed out'));
  await expect(h.listener.result).rejects.toThrow('timed out');
});

const asRootOnLinux = process.platform === 'linux' && process.getuid?.() === 0 ? test : test.skip;

asRootOnLinux("another user's process is refused at the connection and uses nothing up", async () => {
  const h = await start();
  // nobody (65534) opens the launch address first, as another user reading the browser's argv would.
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '-e',
        `fetch(${JSON.stringify(h.listener.launchUrl)}, { redirect: 'manual' }).then((r) => process.exit(r.status === 302 ? 10 : 11), () => process.exit(0));`,
      ],
      { stdio: 'ignore', uid: 65534, gid: 65534 },
    );
    child.once('error', reject);
    child.once('exit', resolve);
  });
  expect(code).toBe(0); // its request failed: the connection was closed
  expect(h.told).toEqual([
    'A connection to the sign-in listener from another user of this machine (uid 65534) was refused; still waiting for your browser.',
  ]);
  const cookie = await launchCookie(h);
  expect((await answer(h, cookie)).status).toBe(200);
  expect(await h.listener.result).toBe('signed-in:the-code');
});

asRootOnLinux(
  "another user's request sent blind, its socket closed before it is accepted, is refused too",
  async () => {
    // A socket closed right after its request becomes a TIME_WAIT-like entry that /proc/net/tcp lists with uid 0 and
    // inode 0, whoever made it: for a listener running as root it looked like root's own. spawnSync holds this
    // process's event loop, so the kernel completes nobody's connection and close before the listener accepts it.
    const h = await start();
    const launchPath = new URL(h.listener.launchUrl).pathname;
    const port = new URL(h.listener.launchUrl).port;
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `const s = require('node:net').connect(${port}, '127.0.0.1', () => { s.end('GET ${launchPath} HTTP/1.1\\r\\nHost: 127.0.0.1:${port}\\r\\n\\r\\n'); s.destroy(); });`,
      ],
      { stdio: 'ignore', uid: 65534, gid: 65534 },
    );
    expect(child.status).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.told).toHaveLength(1);
    expect(h.told[0]).toContain('was refused');
    // The launch address is still unused: the person's browser gets the sign-in.
    const cookie = await launchCookie(h);
    expect((await answer(h, cookie)).status).toBe(200);
    expect(await h.listener.result).toBe('signed-in:the-code');
  },
);
