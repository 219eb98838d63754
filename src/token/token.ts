import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { TokenError } from '../errors';
import { registerSecret } from '../secrets';

/** A CI ID token. `value` is the secret; `claims` and `header` are not and are the best debugging aid we have. */
export interface Token {
  readonly value: string;
  readonly claims: JWTPayload & Record<string, unknown>;
  readonly header: Record<string, unknown>;
  /** Where it came from, for messages ("GitHub token endpoint", "file /path", "env AWS_TOKEN"). */
  readonly origin: string;
}

/** Returns a fresh token on every call, so that retries and credential refreshes never resend an expired one. */
export type TokenSource = () => Promise<Token>;

/** Decodes without verifying: AWS verifies. Registering the raw value first keeps it out of every later log line. */
export function decodeToken(raw: string, origin: string): Token {
  const value = raw.trim();
  registerSecret(value);
  try {
    return { value, claims: decodeJwt(value) as Token['claims'], header: decodeProtectedHeader(value), origin };
  } catch {
    throw new TokenError(
      'MalformedToken',
      `The token from ${origin} is not a JWT (expected header.payload.signature).`,
      {
        hint: 'Check that the source holds the ID token itself, not a file path, an access token or an empty value.',
      },
    );
  }
}

/** `https://token.actions.githubusercontent.com` → `token.actions.githubusercontent.com`: the IAM condition-key prefix. */
export function issuerHost(iss: unknown): string | undefined {
  return typeof iss === 'string' && iss.length > 0 ? iss.replace(/^https?:\/\//, '') : undefined;
}
