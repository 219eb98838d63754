/**
 * Authorization code + PKCE through the person's browser, with a loopback redirect (RFC 8252 §7.3): a one-shot
 * listener on 127.0.0.1 at a port the system picks. openid-client checks state, nonce, PKCE and the ID token.
 * The code and the verifier live in this process only: never in argv, a log or the page shown to the person.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration } from 'openid-client';
import { TimeoutError, TokenError } from '../errors';
import type { Logger } from '../log';
import { registerSecret } from '../secrets';
import { openBrowser } from './open-browser';
import { type OpenIdClient, oauthErrorCode, type ProviderEndpoint, providerError } from './provider';
import type { SignedIn } from './session-file';
import { tellPerson } from './tell-person';
import { tokensOf } from './tokens';

export interface BrowserLoginOptions {
  readonly browser: string;
  readonly timeoutMs: number;
  readonly log: Logger;
}

const CALLBACK_PATH = '/callback';

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const body = `<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><p>${text}</p>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'close',
  });
  res.end(body);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** openid-client wraps oauth4webapi's precise check ("unexpected \"state\" …") in a generic one; values stay in `cause`. */
function innermostMessage(error: unknown): string {
  let current = error as { message?: string; cause?: unknown };
  while (current?.cause instanceof Error) current = current.cause;
  return current?.message ?? String(error);
}

function callbackError(error: unknown, provider: ProviderEndpoint): Error {
  const code = oauthErrorCode(error);
  if (code === 'access_denied') {
    return new TokenError('SignInDenied', `The sign-in with ${provider.name} was declined (access_denied).`, {
      hint: 'Sign in again and allow the access; if the provider refuses you, ask its administrator for access to this client.',
    });
  }
  if (code === 'invalid_grant') {
    return new TokenError(
      'SignInCodeRefused',
      `The provider ${provider.name} refused the sign-in's authorization code (invalid_grant).`,
      {
        hint: 'The code was already used, has expired, or the PKCE verifier did not match its challenge: sign in again.',
      },
    );
  }
  if (code) return providerError(error, provider, 'sign-in');
  // state, nonce, issuer or signature checks of openid-client: the answer is not the one this sign-in asked for.
  return new TokenError('SignInAnswerRefused', `The sign-in answer was refused: ${innermostMessage(error)}.`, {
    hint: "Another page or program answered this sign-in, or the provider is misconfigured. Sign in again; if it repeats, tell the provider's administrator.",
  });
}

export async function browserLogin(
  client: OpenIdClient,
  config: Configuration,
  provider: ProviderEndpoint,
  options: BrowserLoginOptions,
): Promise<SignedIn> {
  const verifier = client.randomPKCECodeVerifier();
  registerSecret(verifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const challenge = await client.calculatePKCECodeChallenge(verifier);

  let settle: { resolve: (s: SignedIn) => void; reject: (e: Error) => void } | undefined;
  const done = new Promise<SignedIn>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let redirectUri = '';
  let handled = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', redirectUri);
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH || handled) {
      page(res, 404, 'Not found', 'This address only takes the one sign-in answer.');
      return;
    }
    // Any local program can reach this port: an answer without this sign-in's state is not the provider's redirect
    // and must not use up the one answer (the person's real one would then be turned away).
    if (url.searchParams.get('state') !== state) {
      page(res, 400, 'Not this sign-in', 'This answer does not belong to the sign-in keyless-aws is waiting for.');
      tellPerson(
        options.log,
        'An answer that does not belong to this sign-in (another state) reached the sign-in listener and was turned away; still waiting for yours.',
      );
      return;
    }
    handled = true;
    const code = url.searchParams.get('code');
    if (code) registerSecret(code);
    client
      .authorizationCodeGrant(config, url, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      })
      .then((response) => {
        page(res, 200, 'Signed in', 'keyless-aws has your sign-in. You can close this tab.');
        settle?.resolve(tokensOf(response, provider));
      })
      .catch((error: unknown) => {
        const failure = callbackError(error, provider);
        page(res, 400, 'Sign-in failed', 'keyless-aws could not use this answer; the terminal says why.');
        settle?.reject(failure);
      });
  });
  server.requestTimeout = 10_000;
  const port = await listen(server);
  redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
  const timer = setTimeout(
    () =>
      settle?.reject(
        new TimeoutError(
          `No sign-in answer from the browser within ${Math.round(options.timeoutMs / 1000)} s (closed, or still on the provider's page).`,
          'Run the command again and finish the sign-in in the browser, or use --device on a machine without one.',
        ),
      ),
    options.timeoutMs,
  );
  try {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: provider.scopes,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      nonce,
      // OIDC Core §11: a refresh token (offline_access) is asked for with prompt=consent.
      ...(provider.scopes.split(' ').includes('offline_access') ? { prompt: 'consent' } : {}),
    });
    if (await openBrowser(options.browser, url.href)) {
      tellPerson(options.log, `Signing in with ${provider.name}: finish in the browser that just opened.`);
    } else {
      tellPerson(
        options.log,
        `Could not start the browser (${options.browser.split(' ')[0]}). Open this address to sign in with ${provider.name}:\n${url.href}`,
      );
    }
    return await done;
  } finally {
    clearTimeout(timer);
    server.close();
    server.closeAllConnections();
  }
}
