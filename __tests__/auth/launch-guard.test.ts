import { cookieValue, createLaunchGuard, HOLD_MS, LAUNCH_PREFIX } from '../../src/auth/launch-guard';

const NAME = 'keyless_aws_signin_4242';
const guard = () => createLaunchGuard({ cookieName: NAME });
const cookieOf = (setCookie: string) => setCookie.split(';')[0]!;

test('the launch path is /launch/ and 32 random bytes, base64url; every guard has its own', () => {
  const { launchPath } = guard();
  expect(launchPath).toMatch(/^\/launch\/[\w-]{43}$/);
  expect(guard().launchPath).not.toBe(launchPath);
  expect(HOLD_MS).toBe(4000);
});

test('first launch: a redirect with an HttpOnly, SameSite=Lax cookie for the callback only', () => {
  const g = guard();
  expect(g.launched).toBe(false);
  const verdict = g.launch(g.launchPath);
  expect(verdict.kind).toBe('redirect');
  const setCookie = verdict.kind === 'redirect' ? verdict.setCookie : '';
  expect(setCookie).toMatch(new RegExp(`^${NAME}=[\\w-]{43}; Path=/callback; HttpOnly; SameSite=Lax$`));
  expect(g.launched).toBe(true);
  expect(g.answer(cookieOf(setCookie))).toEqual({ kind: 'accept' });
  // Among the browser's other cookies for the host.
  expect(g.answer(`other=1; ${cookieOf(setCookie)}; keyless_aws_signin_1=x`)).toEqual({ kind: 'accept' });
});

test('a second launch is interference, however much later', () => {
  const g = guard();
  g.launch(g.launchPath);
  expect(g.launch(g.launchPath)).toEqual({ kind: 'interfered', why: 'second-launch' });
  expect(g.launch(g.launchPath)).toEqual({ kind: 'interfered', why: 'second-launch' });
});

test('another path under /launch/ is not found and uses nothing up', () => {
  const g = guard();
  expect(g.launch(`${LAUNCH_PREFIX}guess`)).toEqual({ kind: 'not-found' });
  expect(g.launch(`${g.launchPath}x`)).toEqual({ kind: 'not-found' });
  expect(g.launch('/callback')).toEqual({ kind: 'not-found' });
  expect(g.launched).toBe(false);
  expect(g.launch(g.launchPath).kind).toBe('redirect');
});

test('an answer before any launch is interference', () => {
  const g = guard();
  expect(g.answer(undefined)).toEqual({ kind: 'interfered', why: 'answer-before-launch' });
  // Even one that carries a cookie of the right name: no launch, no cookie of ours.
  expect(g.answer(`${NAME}=anything`)).toEqual({ kind: 'interfered', why: 'answer-before-launch' });
});

test('an answer without the cookie, with another value, or with it twice is interference', () => {
  const g = guard();
  const verdict = g.launch(g.launchPath);
  const mine = cookieOf(verdict.kind === 'redirect' ? verdict.setCookie : '');
  const value = mine.slice(NAME.length + 1);
  for (const header of [
    undefined,
    '',
    'other=1',
    `${NAME}=`,
    `${NAME}=${value.slice(1)}`,
    `${NAME}=${value}x`,
    `${NAME}=${value.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`,
    `keyless_aws_signin_1=${value}`,
    `${mine}; ${NAME}=planted`,
  ]) {
    expect(g.answer(header)).toEqual({ kind: 'interfered', why: 'answer-without-cookie' });
  }
});

test('cookieValue', () => {
  expect(cookieValue('a=1; b=2', 'b')).toBe('2');
  expect(cookieValue('a=1;b=2', 'a')).toBe('1');
  expect(cookieValue('ab=1', 'a')).toBeUndefined();
  expect(cookieValue('a=1; a=2', 'a')).toBeUndefined();
  expect(cookieValue(undefined, 'a')).toBeUndefined();
});
