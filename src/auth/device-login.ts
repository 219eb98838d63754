/**
 * Device authorization grant (RFC 8628) for a machine without a browser: the person enters a short code on another
 * device. openid-client polls at the provider's interval and slows down when told to (slow_down).
 */
import type { Configuration } from 'openid-client';
import { TimeoutError, TokenError } from '../errors';
import type { Logger } from '../log';
import { deadline } from '../shared/deadline';
import { type OpenIdClient, oauthErrorCode, type ProviderEndpoint, providerError } from './provider';
import type { SignedIn } from './session-file';
import { tellPerson } from './tell-person';
import { tokensOf } from './tokens';

export async function deviceLogin(
  client: OpenIdClient,
  config: Configuration,
  provider: ProviderEndpoint,
  options: { readonly timeoutMs: number; readonly log: Logger },
): Promise<SignedIn> {
  if (!config.serverMetadata().device_authorization_endpoint) {
    throw new TokenError(
      'NoDeviceFlow',
      `The provider ${provider.name} does not offer the device flow (no device_authorization_endpoint).`,
      {
        hint: 'Sign in with the browser (drop --device), or enable the device grant for this client at the provider.',
      },
    );
  }
  let started: Awaited<ReturnType<OpenIdClient['initiateDeviceAuthorization']>>;
  try {
    started = await client.initiateDeviceAuthorization(config, { scope: provider.scopes });
  } catch (error) {
    throw providerError(error, provider, 'device authorization');
  }
  // The person needs these two: they are what the flow shows, not secrets of this machine.
  tellPerson(
    options.log,
    `To sign in with ${provider.name}, open ${started.verification_uri} and enter the code ${started.user_code}` +
      ` (valid ${Math.round(started.expires_in / 60)} min).`,
  );
  const bound = deadline(Math.min(options.timeoutMs, started.expires_in * 1000));
  const { signal } = bound;
  try {
    return tokensOf(await client.pollDeviceAuthorizationGrant(config, started, undefined, { signal }), provider);
  } catch (error) {
    const code = oauthErrorCode(error);
    if (code === 'expired_token' || signal.aborted) {
      throw new TimeoutError(
        `The device code for ${provider.name} expired before the sign-in was finished.`,
        'Run the command again and enter the new code within its lifetime.',
      );
    }
    if (code === 'access_denied') {
      throw new TokenError(
        'SignInDenied',
        `The sign-in with ${provider.name} was declined on the other device (access_denied).`,
        {
          hint: 'Run the command again and approve the request.',
        },
      );
    }
    throw providerError(error, provider, 'device sign-in');
  } finally {
    bound.clear();
  }
}
