import { DeniedError, KeylessError, TimeoutError, TokenError, TransientError } from '../errors';
import { oneLine } from '../printable';

/** The parts of an SDK error we look at; everything else (request ids, raw responses) stays behind. */
export interface AwsErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly status?: number;
}

const TRANSIENT_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'IDPCommunicationError',
  'InternalFailure',
  'InternalError',
  'InternalErrorException',
  'ServiceUnavailable',
  'ExternalServiceException',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/** SDK exception class names carry an `Exception` suffix the wire code does not always have. */
function wireCode(name: string): string {
  const known: Record<string, string> = {
    InvalidIdentityTokenException: 'InvalidIdentityToken',
    IDPCommunicationErrorException: 'IDPCommunicationError',
    IDPRejectedClaimException: 'IDPRejectedClaim',
    MalformedPolicyDocumentException: 'MalformedPolicyDocument',
    PackedPolicyTooLargeException: 'PackedPolicyTooLarge',
  };
  return known[name] ?? name;
}

export function awsErrorInfo(error: unknown): AwsErrorInfo | undefined {
  if (!(error instanceof Error)) return undefined;
  const meta = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  if (meta === undefined || (error as { $fault?: string }).$fault === undefined) return undefined;
  return {
    code: wireCode(error.name),
    message: error.message,
    ...(meta.httpStatusCode ? { status: meta.httpStatusCode } : {}),
  };
}

/**
 * Whether STS refused for a reason that can pass: its verification-key fetch fails intermittently, and a token
 * minted a moment ago can look "not yet valid" to a clock slightly behind ours.
 */
function transientIdentityTokenError(message: string): boolean {
  return /couldn't retrieve verification key|not yet valid|issued in the future|nbf|before.*not before/i.test(message);
}

/**
 * Wraps any SDK or network error into our typed errors. `explain` turns a denial into the detail the user needs
 * (claims, trust-policy keys, likely causes); it is only asked for errors that are final.
 */
export function classifyAwsError(
  error: unknown,
  what: string,
  explain: (info: AwsErrorInfo) => { hint?: string; details?: string },
): KeylessError {
  if (error instanceof KeylessError) return error;
  const info = awsErrorInfo(error);
  if (info === undefined) {
    const err = error as NodeJS.ErrnoException & { name?: string };
    if (err?.name === 'CredentialsProviderError') {
      // The SDK's default chain found nothing to sign with: no amount of retrying changes that.
      return new TokenError('NoCredentials', `${what}: no AWS credentials to sign the request with.`, {
        hint: 'In GitHub Actions give the job permissions: id-token: write (for OIDC), or pass aws-access-key-id and aws-secret-access-key; on a self-hosted runner check its instance credentials.',
      });
    }
    if (err?.name === 'TimeoutError' || err?.code === 'ETIMEDOUT' || /timed? ?out/i.test(err?.message ?? '')) {
      return new TimeoutError(
        `${what}: the request timed out.`,
        'Check that the endpoint is reachable from this machine (proxy, firewall, endpoint URL).',
      );
    }
    // The SDK wraps throwables that are not `instanceof Error` (another realm) as "AWS SDK error wrapper for …",
    // dropping `code`; the code is still in the message.
    const networkCode =
      err?.code && NETWORK_CODES.has(err.code)
        ? err.code
        : [...NETWORK_CODES].find((code) => new RegExp(`\\b${code}\\b`).test(err?.message ?? ''));
    if (networkCode) {
      return new TransientError('NetworkError', `${what}: network error ${networkCode}.`, {
        hint: 'Check the endpoint URL, proxy settings and DNS.',
      });
    }
    return new TransientError('UnexpectedError', `${what}: ${oneLine(err?.message ?? String(error))}`);
  }
  // The code and message are the server's words: one line each, whatever a hostile or broken endpoint sends.
  const text = `${what} failed: ${oneLine(info.code)}: ${oneLine(info.message)}`;
  if (TRANSIENT_CODES.has(info.code) || (info.status !== undefined && info.status >= 500)) {
    return new TransientError(info.code, text);
  }
  if (info.code === 'InvalidIdentityToken' && transientIdentityTokenError(info.message)) {
    return new TransientError(info.code, text, explain(info));
  }
  return new DeniedError(info.code, text, explain(info));
}
