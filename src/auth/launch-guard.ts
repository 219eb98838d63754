/**
 * Who may answer a browser sign-in. The browser is not given the authorization URL (argv is readable by every local
 * user: the URL names the loopback port and the state, enough to sign in as oneself and hand one's own answer to
 * this listener) but a one-time launch address on the listener. Its first request gets a cookie and the redirect to
 * the provider; the answer is taken only from the browser holding that cookie. Whoever uses the launch address
 * first owns the sign-in, so a second use means two parties had the address: the sign-in is given up, never
 * finished. A party that used it first and answers fast could be done before the person's browser arrives, so an
 * accepted answer is held for a moment (HOLD_MS) and dropped if the person's browser shows up during it.
 *
 * Pure state machine: no I/O, no clock. The listener (loopback-listener.ts) feeds it requests and acts on verdicts.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** How long an accepted answer waits for a late second launch before it is used. */
export const HOLD_MS = 4000;

export type Interference =
  /** The launch address was requested a second time. */
  | 'second-launch'
  /** A sign-in answer arrived before anyone requested the launch address. */
  | 'answer-before-launch'
  /** A sign-in answer arrived without the cookie the launch gave (or with another value). */
  | 'answer-without-cookie';

export type LaunchVerdict =
  | { readonly kind: 'redirect'; readonly setCookie: string }
  | { readonly kind: 'interfered'; readonly why: Interference }
  /** Not this sign-in's launch address: answered 404, nothing changes. */
  | { readonly kind: 'not-found' };

export type AnswerVerdict = { readonly kind: 'accept' } | { readonly kind: 'interfered'; readonly why: Interference };

export interface LaunchGuard {
  /** The path to give the browser: `/launch/<32 random bytes, base64url>`. */
  readonly launchPath: string;
  /** A GET of a path under /launch/. */
  launch(path: string): LaunchVerdict;
  /** A GET of the callback, with its Cookie header. */
  answer(cookieHeader: string | undefined): AnswerVerdict;
  /** Whether the launch address has been used (for messages: "still waiting for the browser"). */
  readonly launched: boolean;
}

export const LAUNCH_PREFIX = '/launch/';
export const CALLBACK_PATH = '/callback';

/** Compares a value someone sent with a secret in a time that does not depend on how much of it they got right. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // timingSafeEqual needs equal lengths; comparing b with itself keeps the time independent of the given length.
  return a.length === b.length ? timingSafeEqual(a, b) : !timingSafeEqual(b, b);
}

/** The value of cookie `name` in a Cookie header, or undefined; a name given twice counts as not given. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const values = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
  return values.length === 1 ? values[0] : undefined;
}

export interface LaunchGuardOptions {
  /**
   * The cookie's name. Cookies are kept per host, not per port, so two sign-ins at once (two providers) in one
   * browser would overwrite each other's under one name: the caller puts its port in it.
   */
  readonly cookieName: string;
  readonly random?: (bytes: number) => Buffer;
}

export function createLaunchGuard(options: LaunchGuardOptions): LaunchGuard {
  const random = options.random ?? randomBytes;
  const launchPath = `${LAUNCH_PREFIX}${random(32).toString('base64url')}`;
  const cookie = random(32).toString('base64url');
  let launched = false;
  return {
    launchPath,
    get launched() {
      return launched;
    },
    launch(path) {
      if (!path.startsWith(LAUNCH_PREFIX) || !sameSecret(path, launchPath)) return { kind: 'not-found' };
      if (launched) return { kind: 'interfered', why: 'second-launch' };
      launched = true;
      return {
        kind: 'redirect',
        // HttpOnly: no page script reads it. SameSite=Lax: sent on the provider's top-level redirect back to us,
        // not on a cross-site subrequest. Path: only the callback gets it. No Max-Age: it dies with the browser session.
        setCookie: `${options.cookieName}=${cookie}; Path=${CALLBACK_PATH}; HttpOnly; SameSite=Lax`,
      };
    },
    answer(cookieHeader) {
      if (!launched) return { kind: 'interfered', why: 'answer-before-launch' };
      const given = cookieValue(cookieHeader, options.cookieName);
      if (given === undefined || !sameSecret(given, cookie))
        return { kind: 'interfered', why: 'answer-without-cookie' };
      return { kind: 'accept' };
    },
  };
}
