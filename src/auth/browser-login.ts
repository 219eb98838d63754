/**
 * Authorization code + PKCE through the person's browser, with a loopback redirect (RFC 8252 §7.3): a one-shot
 * listener on 127.0.0.1 at a port the system picks (loopback-listener.ts). The browser command is given only the
 * listener's one-time launch address, never the authorization URL: argv is readable by every local user, and the
 * authorization URL's port and state are all another user needs to answer this sign-in with their own identity
 * (launch-guard.ts). openid-client checks state, nonce, PKCE and the ID token. The code and the verifier live in
 * this process only: never in argv, a log or the page shown to the person.
 */
import type { Configuration } from 'openid-client';
import { TimeoutError, TokenError } from '../errors';
import type { Logger } from '../log';
import { registerSecret } from '../secrets';
import { sameSecret } from './launch-guard';
import { startSignInListener } from './loopback-listener';
import { openBrowser } from './open-browser';
import { type OpenIdClient, oauthErrorCode, type ProviderEndpoint, providerError } from './provider';
import type { SignedIn } from './session-file';
import { tellPerson } from './tell-person';
import { tokensOf } from './tokens';

export interface BrowserLoginOptions {
  readonly browser: string;
  readonly timeoutMs: number;
  readonly log: Logger;
  /** How long an accepted answer waits for a late second launch (launch-guard.ts HOLD_MS); tests shorten it. */
  readonly holdMs?: number;
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

  const listener = await startSignInListener<SignedIn>({
    authorizationUrl: (redirectUri) =>
      client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: provider.scopes,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state,
        nonce,
        // OIDC Core §11: a refresh token (offline_access) is asked for with prompt=consent.
        ...(provider.scopes.split(' ').includes('offline_access') ? { prompt: 'consent' } : {}),
      }).href,
    // Any local program can reach this port: an answer without this sign-in's state is not the provider's redirect
    // and must not use up the one answer (the person's real one would then be turned away).
    isThisSignIn: (callback) => sameSecret(callback.searchParams.get('state') ?? '', state),
    useAnswer: async (callback) => {
      const code = callback.searchParams.get('code');
      if (code) registerSecret(code);
      try {
        const response = await client.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: verifier,
          expectedState: state,
          expectedNonce: nonce,
          idTokenExpected: true,
        });
        return tokensOf(response, provider);
      } catch (error) {
        throw callbackError(error, provider);
      }
    },
    tell: (message) => tellPerson(options.log, message),
    ...(options.holdMs === undefined ? {} : { holdMs: options.holdMs }),
  });
  const timer = setTimeout(
    () =>
      listener.abort(
        new TimeoutError(
          `No sign-in answer from the browser within ${Math.round(options.timeoutMs / 1000)} s (closed, or still on the provider's page).`,
          'Run the command again and finish the sign-in in the browser, or use --device on a machine without one.',
        ),
      ),
    options.timeoutMs,
  );
  try {
    // The launch address works once: printing it for the person to open by hand gives nothing away.
    if (await openBrowser(options.browser, listener.launchUrl)) {
      tellPerson(options.log, `Signing in with ${provider.name}: finish in the browser that just opened.`);
    } else {
      tellPerson(
        options.log,
        `Could not start the browser (${options.browser.split(' ')[0]}). Open this address to sign in with ${provider.name} (it works once):\n${listener.launchUrl}`,
      );
    }
    return await listener.result;
  } finally {
    clearTimeout(timer);
    listener.close();
  }
}
