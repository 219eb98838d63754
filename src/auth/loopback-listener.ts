/**
 * The loopback listener of a browser sign-in (RFC 8252 §7.3) on 127.0.0.1 at a port the system picks. It serves
 * two paths: the one-time launch address the browser is started on (redirects to the provider, see
 * launch-guard.ts) and the callback the provider redirects back to. Every connection is first checked to come from
 * this user (loopback-peer.ts, Linux); every request gets a fresh connection (`connection: close`), so each is
 * checked. What the answer is worth (the code exchange) is the caller's: `useAnswer`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TokenError } from '../errors';
import { loopbackPeer, type PeerLookup, type PeerVerdict } from '../net/loopback-peer';
import { CALLBACK_PATH, createLaunchGuard, HOLD_MS, type Interference, LAUNCH_PREFIX } from './launch-guard';

export interface ListenerOptions<T> {
  /** The provider's authorization URL for this listener's redirect URI (known once the port is). */
  readonly authorizationUrl: (redirectUri: string) => string;
  /** Whether a callback URL carries this sign-in's state; one that does not is turned away, not used up. */
  readonly isThisSignIn: (callback: URL) => boolean;
  /** Uses the one accepted answer (the code exchange); a rejection ends the sign-in with that error. */
  readonly useAnswer: (callback: URL) => Promise<T>;
  /** What the person should know while the sign-in goes on (a refused connection, a stray answer). */
  readonly tell: (message: string) => void;
  /** How long an accepted answer waits for a late second launch; tests shorten it. */
  readonly holdMs?: number;
  readonly peerLookup?: PeerLookup;
}

export interface SignInListener<T> {
  readonly launchUrl: string;
  readonly redirectUri: string;
  /** The used answer, after the hold; rejects on interference, a failed exchange or abort(). */
  readonly result: Promise<T>;
  abort(error: Error): void;
  close(): void;
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const body = `<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><p>${text}</p>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    connection: 'close',
  });
  res.end(body);
}

const INTERFERENCE: Record<Interference, string> = {
  'second-launch': 'Your sign-in link was opened twice: another program or user of this machine used it',
  'answer-before-launch':
    'A sign-in answer reached keyless-aws before your browser opened the sign-in link: another program or user of this machine is answering your sign-in',
  'answer-without-cookie':
    'A sign-in answer came from outside the browser that opened your sign-in link: another program or user of this machine is answering your sign-in',
};

export function interferenceError(why: Interference): TokenError {
  return new TokenError(
    'SignInInterfered',
    `${INTERFERENCE[why]}. The sign-in was given up and nothing it answered was used.`,
    {
      hint: 'Sign in again. If it repeats, something on this machine is watching your sign-ins (the link is visible to other local users in the process list): sign in with --device, or from a machine only you use.',
    },
  );
}

function peerRefusal(verdict: PeerVerdict): string | undefined {
  if (verdict.kind === 'other-user') {
    return `A connection to the sign-in listener from another user of this machine (uid ${verdict.uid}) was refused; still waiting for your browser.`;
  }
  if (verdict.kind === 'unknown') {
    return 'A connection to the sign-in listener whose owner could not be confirmed (/proc/net/tcp) was refused; still waiting for your browser.';
  }
  return undefined;
}

export async function startSignInListener<T>(options: ListenerOptions<T>): Promise<SignInListener<T>> {
  let settled = false;
  let settle!: { resolve: (value: T) => void; reject: (error: Error) => void };
  const result = new Promise<T>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The caller may only look at `result` after awaiting the browser start: a failure before that is not unhandled.
  result.catch(() => {});
  const fail = (error: Error) => {
    if (settled) return;
    settled = true;
    settle.reject(error);
  };

  // Each thing the person is told, once: anyone who can reach the port (another user, a web page trying ports)
  // could otherwise fill the terminal with it.
  const told = new Set<string>();
  const tellOnce = (message: string) => {
    if (told.has(message)) return;
    told.add(message);
    options.tell(message);
  };

  const server = createServer();
  server.on('connection', (socket: Socket) => {
    const refusal = peerRefusal(loopbackPeer(socket, options.peerLookup));
    if (refusal) {
      socket.destroy();
      tellOnce(refusal);
    }
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  const host = `127.0.0.1:${port}`;
  const origin = `http://${host}`;
  const redirectUri = `${origin}${CALLBACK_PATH}`;
  const authorizationUrl = options.authorizationUrl(redirectUri);
  const guard = createLaunchGuard({ cookieName: `keyless_aws_signin_${port}` });
  let answered = false;
  let holding: { res: ServerResponse; timer: NodeJS.Timeout } | undefined;

  const interfere = (res: ServerResponse, why: Interference) => {
    page(
      res,
      400,
      'Sign-in given up',
      'Someone else used this sign-in; keyless-aws gave it up. The terminal says more.',
    );
    if (holding) {
      clearTimeout(holding.timer);
      page(holding.res, 400, 'Sign-in given up', 'Someone else used this sign-in; keyless-aws gave it up.');
      holding = undefined;
    }
    fail(interferenceError(why));
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    // Host: a page of another site whose name was made to resolve to 127.0.0.1 (DNS rebinding) reaches this port
    // as its own origin, able to read what it is answered; the browser still names that site in Host.
    if (settled || req.method !== 'GET' || req.headers.host !== host) {
      page(res, 404, 'Not found', 'This address only takes the one sign-in.');
      return;
    }
    if (url.pathname.startsWith(LAUNCH_PREFIX)) {
      const verdict = guard.launch(url.pathname);
      if (verdict.kind === 'interfered') return interfere(res, verdict.why);
      if (verdict.kind === 'not-found') return page(res, 404, 'Not found', 'This is not the sign-in link.');
      res.writeHead(302, {
        location: authorizationUrl,
        'set-cookie': verdict.setCookie,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        connection: 'close',
      });
      res.end();
      return;
    }
    if (url.pathname !== CALLBACK_PATH) return page(res, 404, 'Not found', 'This address only takes the one sign-in.');
    // Without this sign-in's state an answer is noise, whoever sends it: the person's browser with an old tab's
    // answer, or any web page the browser shows (a cross-site GET or no-cors fetch reaches 127.0.0.1, and a page
    // can try every port). Judged before the launch and the cookie, so noise can neither use up the one answer nor
    // give the sign-in up; only a party that learned the state (from the launch's redirect) can interfere.
    if (!options.isThisSignIn(url)) {
      page(res, 400, 'Not this sign-in', 'This answer does not belong to the sign-in keyless-aws is waiting for.');
      tellOnce(
        'An answer that does not belong to this sign-in (another state) reached the sign-in listener and was turned away; still waiting for yours.',
      );
      return;
    }
    const verdict = guard.answer(req.headers.cookie);
    if (verdict.kind === 'interfered') return interfere(res, verdict.why);
    if (answered) return page(res, 404, 'Not found', 'This sign-in was already answered.');
    answered = true;
    options.useAnswer(url).then(
      (value) => {
        if (settled) return;
        // Held: a second launch now means someone else's browser started the sign-in this answer came from.
        holding = {
          res,
          timer: setTimeout(() => {
            holding = undefined;
            if (settled) return;
            page(res, 200, 'Signed in', 'keyless-aws has your sign-in. You can close this tab.');
            settled = true;
            settle.resolve(value);
          }, options.holdMs ?? HOLD_MS),
        };
      },
      (error: unknown) => {
        page(res, 400, 'Sign-in failed', 'keyless-aws could not use this answer; the terminal says why.');
        fail(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
  server.requestTimeout = 10_000;

  return {
    launchUrl: `${origin}${guard.launchPath}`,
    redirectUri,
    result,
    abort: fail,
    close() {
      if (holding) clearTimeout(holding.timer);
      server.close();
      server.closeAllConnections();
    },
  };
}
