import type { JWTPayload } from 'jose';
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
export type TokenSource = (hooks?: TokenFetchHooks) => Promise<Token>;

export interface TokenFetchHooks {
  /** A network source calls this once its request is out, so the caller can do other work while the CI answers. */
  readonly onRequestSent?: () => void;
}

/**
 * One base64url JSON object of a compact JWS. Hand-written rather than jose's decodeJwt: decoding is all the action
 * needs, and not loading jose takes ~20 ms off every run's start-up.
 */
function decodeSegment(segment: string | undefined): Record<string, unknown> {
  if (!segment || !/^[A-Za-z0-9_-]+$/.test(segment)) throw new Error('not base64url');
  const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
  return value as Record<string, unknown>;
}

/** Decodes without verifying: AWS verifies. Registering the raw value first keeps it out of every later log line. */
export function decodeToken(raw: string, origin: string): Token {
  const value = raw.trim();
  registerSecret(value);
  try {
    const parts = value.split('.');
    if (parts.length !== 3) throw new Error('not three segments');
    return { value, claims: decodeSegment(parts[1]) as Token['claims'], header: decodeSegment(parts[0]), origin };
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

/**
 * Starts a fetch and says when its request is out: `sent` settles then (or when the fetch ends, for sources with
 * no request), so the caller can do other work, such as loading the STS client, while the CI answers.
 */
export function startTokenFetch(source: TokenSource): { readonly token: Promise<Token>; readonly sent: Promise<void> } {
  let markSent: () => void = () => {};
  const sent = new Promise<void>((resolve) => {
    markSent = resolve;
  });
  const token = source({ onRequestSent: () => markSent() });
  token.then(markSent, markSent);
  return { token, sent };
}
