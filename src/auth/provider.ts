/**
 * The one place that talks to openid-client (loaded lazily by the auth and logout commands only): discovery, and
 * turning the library's errors into the project's, with the provider's own error code and never a token.
 */
import type { Configuration } from 'openid-client';
import { EndpointError, KeylessError, TokenError, TransientError } from '../errors';

export interface ProviderEndpoint {
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly scopes: string;
}

/** Every request to the provider is bounded (openid-client's own timeout, in seconds). */
const REQUEST_TIMEOUT_S = 15;

export type OpenIdClient = typeof import('openid-client');

export async function loadOpenIdClient(): Promise<OpenIdClient> {
  return import('openid-client');
}

export async function discover(client: OpenIdClient, provider: ProviderEndpoint): Promise<Configuration> {
  const issuer = new URL(provider.issuer);
  // http is accepted only for a provider on this machine (tests, a local development provider): config.ts checks it.
  const insecure = issuer.protocol === 'http:';
  try {
    const config = await client.discovery(
      issuer,
      provider.clientId,
      provider.clientSecret,
      provider.clientSecret === undefined ? client.None() : undefined,
      { timeout: REQUEST_TIMEOUT_S, ...(insecure ? { execute: [client.allowInsecureRequests] } : {}) },
    );
    config.timeout = REQUEST_TIMEOUT_S;
    return config;
  } catch (error) {
    throw providerError(error, provider, 'discovery');
  }
}

/** The provider's OAuth error code (invalid_grant, access_denied, …) when the error carries one. */
export function oauthErrorCode(error: unknown): string | undefined {
  const e = error as { error?: unknown; code?: unknown };
  return typeof e?.error === 'string' ? e.error : undefined;
}

/** Wraps an openid-client failure; its message names checks (state, nonce, PKCE), never values. */
export function providerError(error: unknown, provider: ProviderEndpoint, step: string): KeylessError {
  if (error instanceof KeylessError) return error;
  const oauth = oauthErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { code?: string } })?.cause;
  if (oauth) {
    return new TokenError(
      oauth === 'invalid_grant' ? 'SignInExpired' : 'SignInRefused',
      `The provider ${provider.name} refused the ${step}: ${oauth}.`,
      {
        hint:
          oauth === 'invalid_grant'
            ? 'The sign-in was revoked or has expired: sign in again.'
            : "Check the provider's client settings (client-id, scopes, redirect URIs).",
      },
    );
  }
  if (/timed? ?out|abort/i.test(message) || (error as Error)?.name === 'TimeoutError') {
    return new TransientError(
      'ProviderTimeout',
      `The provider ${provider.name} did not answer the ${step} in ${REQUEST_TIMEOUT_S} s.`,
      {
        hint: `Check the network path to ${provider.issuer}.`,
      },
    );
  }
  if (cause?.code === 'ECONNREFUSED' || cause?.code === 'ENOTFOUND' || /fetch failed/.test(message)) {
    return new TransientError(
      'ProviderUnreachable',
      `Cannot reach the provider ${provider.name} (${provider.issuer}) for the ${step}.`,
      {
        hint: 'Check the issuer URL and the network (proxy, VPN).',
      },
    );
  }
  return new EndpointError(
    'ProviderAnswer',
    `The ${step} with the provider ${provider.name} failed a check: ${message}.`,
    {
      hint: `The issuer ${provider.issuer} answered in a way OpenID Connect forbids; if this persists, tell its administrator.`,
    },
  );
}
