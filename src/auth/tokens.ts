import { TokenError } from '../errors';
import { registerSecret } from '../secrets';
import type { ProviderEndpoint } from './provider';
import type { SignedIn } from './session-file';

/** What is kept from a token endpoint answer: the ID token (for AWS) and the refresh token (for later calls). */
export function tokensOf(
  response: { id_token?: string; refresh_token?: string },
  provider: ProviderEndpoint,
  previousRefreshToken?: string,
): SignedIn {
  const idToken = response.id_token;
  if (!idToken) {
    throw new TokenError('NoIdToken', `The provider ${provider.name} answered without an ID token.`, {
      hint: 'Include "openid" in scopes.',
    });
  }
  registerSecret(idToken);
  const refreshToken = response.refresh_token ?? previousRefreshToken;
  registerSecret(refreshToken);
  return {
    issuer: provider.issuer,
    clientId: provider.clientId,
    idToken,
    ...(refreshToken ? { refreshToken } : {}),
  };
}
