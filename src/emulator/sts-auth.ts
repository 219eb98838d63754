// Authenticates signed STS calls: SigV4 against a key the emulator knows, with AWS's order of checks and its
// 403 error codes. The checks run in the order that lets each failure be observed on its own (unknown key, wrong
// session token, expired session, clock skew, wrong signature).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock';
import { StsError } from './errors';
import type { IamModel } from './iam-model';
import { type Caller, lookupCaller, type SessionStore } from './sessions';
import {
  formatAmzDate,
  type IncomingSignedRequest,
  MalformedSignatureError,
  parseAmzDate,
  parseSigV4,
  signatureMatches,
} from './sigv4';

const MAX_SKEW_MS = 15 * 60 * 1000;
/** SigV4's ceiling for a presigned URL's X-Amz-Expires: seven days. */
const MAX_PRESIGNED_EXPIRES_SECONDS = 604_800;

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export function authenticate(
  request: IncomingSignedRequest,
  model: IamModel,
  sessions: SessionStore,
  clock: Clock,
  /** The service the credential scope must name (`sts`, or `iam` for the IAM read API). */
  service = 'sts',
): Caller {
  let auth: ReturnType<typeof parseSigV4>;
  try {
    auth = parseSigV4(request);
  } catch (error) {
    if (error instanceof MalformedSignatureError) throw new StsError('IncompleteSignature', error.message, 400);
    throw error;
  }
  if (!auth) throw new StsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  if (!auth.signedHeaders.includes('host')) {
    throw new StsError(
      'IncompleteSignature',
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
      400,
    );
  }

  const caller = lookupCaller(auth.accessKeyId, sessions, model);
  if (!caller) throw new StsError('InvalidClientTokenId', INVALID_TOKEN, 403);
  if (caller.kind === 'session') {
    if (!sameSecret(auth.securityToken, caller.session.sessionToken)) {
      throw new StsError('InvalidClientTokenId', INVALID_TOKEN, 403);
    }
    if (clock() >= caller.session.expiresAt) {
      throw new StsError('ExpiredToken', 'The security token included in the request is expired', 403);
    }
  } else if (auth.securityToken !== undefined) {
    // Long-term keys never come with a session token; AWS rejects the pair as an invalid token.
    throw new StsError('InvalidClientTokenId', INVALID_TOKEN, 403);
  }

  const signedAt = parseAmzDate(auth.amzDate);
  if (Number.isNaN(signedAt))
    throw new StsError('IncompleteSignature', `Date must be in ISO-8601 'basic format'. Got '${auth.amzDate}'.`, 400);
  if (auth.scopeDate !== auth.amzDate.slice(0, 8)) {
    throw new StsError(
      'SignatureDoesNotMatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${auth.amzDate.slice(0, 8)}'`,
      403,
    );
  }
  if (auth.service !== service) {
    throw new StsError('SignatureDoesNotMatch', `Credential should be scoped to correct service: '${service}'.`, 403);
  }
  const now = clock();
  if (auth.presigned) {
    const expires = auth.expiresSeconds ?? 900;
    if (!Number.isInteger(expires) || expires < 0) {
      throw new StsError('AuthorizationQueryParametersError', 'X-Amz-Expires must be a non-negative integer', 400);
    }
    if (expires > MAX_PRESIGNED_EXPIRES_SECONDS) {
      throw new StsError(
        'AuthorizationQueryParametersError',
        `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_EXPIRES_SECONDS}`,
        400,
      );
    }
    if (signedAt - now > MAX_SKEW_MS) {
      throw new StsError(
        'SignatureDoesNotMatch',
        `Signature not yet current: ${auth.amzDate} is still later than ${formatAmzDate(now + MAX_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`,
        403,
      );
    }
    if (now > signedAt + expires * 1000) throw new StsError('AccessDenied', 'Request has expired', 403);
  } else if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    const bound =
      now > signedAt
        ? `is now earlier than ${formatAmzDate(now - MAX_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`
        : `is now later than ${formatAmzDate(now + MAX_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`;
    throw new StsError('SignatureDoesNotMatch', `Signature expired: ${auth.amzDate} ${bound}`, 403);
  }

  const secret = caller.kind === 'session' ? caller.session.secretAccessKey : caller.key.secretAccessKey;
  if (!signatureMatches(request, auth, secret)) throw new StsError('SignatureDoesNotMatch', SIGNATURE_MISMATCH, 403);
  return caller;
}

/** Constant-time comparison of a presented secret with the expected one (digests first, so lengths never leak). */
function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
