/**
 * Typed errors of the issuer. Callers branch on the class (or `code`), never on message text.
 *
 * - ConfigError: a flag, config-file entry or startup input is wrong. The CLI maps it to exit code 2.
 * - KeyStoreError: the key directory holds something unusable (corrupt file, lock never released). Exit 1.
 * - HttpError: a request is refused; `status` and `error` go on the wire as `{"error", "message"}`.
 */

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ISSUER_CONFIG';
  readonly exitCode = 2;

  /**
   * @param flag the flag (without dashes) the problem is about, so the message and the caller agree on it.
   * @param message what is wrong and what to change.
   */
  constructor(
    readonly flag: string | undefined,
    message: string,
  ) {
    super(flag ? `--${flag}: ${message}` : message);
  }
}

export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
  readonly code = 'ISSUER_KEYSTORE';
  readonly exitCode = 1;
}

export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/**
 * The single answer for every request-token failure (missing, malformed, forged, expired, wrong kind). Giving
 * one message for all reasons means a caller probing with altered tokens learns nothing about which check failed.
 */
export function invalidRequestToken(): HttpError {
  return new HttpError(401, 'invalid_token', 'The request token is missing, invalid or expired.', {
    'www-authenticate': 'Bearer error="invalid_token"',
  });
}

/** Same idea for the admin endpoint: one message whether the header is missing or the secret is wrong. */
export function invalidAdminCredentials(): HttpError {
  return new HttpError(
    401,
    'unauthorized',
    "Admin authentication failed: send Authorization: Bearer <admin secret>, the content of the service's " +
      '--admin-secret-file (surrounding whitespace and line ends are ignored on both sides).',
    {
      'www-authenticate': 'Bearer',
    },
  );
}
