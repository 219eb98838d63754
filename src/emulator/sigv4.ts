// AWS Signature Version 4 verification: rebuild the canonical request exactly as the signer did (from the raw
// headers, the raw query and the exact body bytes) and compare HMACs. Both the Authorization-header form and the
// presigned query form are accepted.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

export interface IncomingSignedRequest {
  method: string;
  /** Path as received on the wire (still percent-encoded), without the query. */
  path: string;
  /** Raw query string without `?` (may be empty). */
  query: string;
  /** Node's `rawHeaders`: alternating names and values, duplicates preserved. */
  rawHeaders: string[];
  body: Buffer;
}

export interface SigV4Auth {
  accessKeyId: string;
  /** `YYYYMMDD` from the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** `YYYYMMDDTHHMMSSZ` request time. */
  amzDate: string;
  securityToken?: string;
  presigned: boolean;
  /** Presigned URLs only: validity in seconds from `amzDate`. */
  expiresSeconds?: number;
}

/** The request carries something that looks like SigV4 but cannot be parsed. */
export class MalformedSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedSignatureError';
  }
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function headerValues(rawHeaders: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === name) out.push(rawHeaders[i + 1] as string);
  }
  return out;
}

function firstHeader(rawHeaders: string[], name: string): string | undefined {
  return headerValues(rawHeaders, name)[0];
}

export function parseQuery(query: string): Array<[string, string]> {
  if (query === '') return [];
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [safeDecode(pair), ''] : [safeDecode(pair.slice(0, eq)), safeDecode(pair.slice(eq + 1))];
    });
}

/**
 * Reads SigV4 parameters from the Authorization header or the presigned query. Returns undefined when the request
 * carries no signature at all (the caller answers MissingAuthenticationToken).
 */
export function parseSigV4(request: IncomingSignedRequest): SigV4Auth | undefined {
  const authorization = firstHeader(request.rawHeaders, 'authorization');
  const query = new Map(parseQuery(request.query));
  if (authorization !== undefined) {
    const trimmed = authorization.trim();
    if (!trimmed.startsWith(`${SIGV4_ALGORITHM} `)) {
      throw new MalformedSignatureError(`Unsupported authorization type; only ${SIGV4_ALGORITHM} is accepted`);
    }
    const params = new Map<string, string>();
    for (const part of trimmed.slice(SIGV4_ALGORITHM.length).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    for (const required of ['Credential', 'SignedHeaders', 'Signature']) {
      if (!params.get(required)) {
        throw new MalformedSignatureError(
          `Authorization header requires '${required}' parameter. Authorization=${SIGV4_ALGORITHM}`,
        );
      }
    }
    const amzDate = firstHeader(request.rawHeaders, 'x-amz-date');
    if (!amzDate) {
      throw new MalformedSignatureError(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      );
    }
    return {
      ...parseCredential(params.get('Credential') as string),
      signedHeaders: (params.get('SignedHeaders') as string).split(';'),
      signature: params.get('Signature') as string,
      amzDate: amzDate.trim(),
      securityToken: firstHeader(request.rawHeaders, 'x-amz-security-token')?.trim(),
      presigned: false,
    };
  }
  if (query.has('X-Amz-Signature') || query.has('X-Amz-Credential')) {
    if (query.get('X-Amz-Algorithm') !== SIGV4_ALGORITHM) {
      throw new MalformedSignatureError(`X-Amz-Algorithm must be ${SIGV4_ALGORITHM}`);
    }
    for (const required of ['X-Amz-Credential', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Date']) {
      if (!query.get(required)) throw new MalformedSignatureError(`The presigned URL is missing ${required}`);
    }
    const expires = query.get('X-Amz-Expires');
    return {
      ...parseCredential(query.get('X-Amz-Credential') as string),
      signedHeaders: (query.get('X-Amz-SignedHeaders') as string).split(';'),
      signature: query.get('X-Amz-Signature') as string,
      amzDate: query.get('X-Amz-Date') as string,
      securityToken: query.get('X-Amz-Security-Token'),
      presigned: true,
      expiresSeconds: expires === undefined ? undefined : Number(expires),
    };
  }
  return undefined;
}

function parseCredential(credential: string): Pick<SigV4Auth, 'accessKeyId' | 'scopeDate' | 'region' | 'service'> {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1] as string)) {
    throw new MalformedSignatureError(
      `Credential should be scoped to a valid region, service and date: <key>/<yyyymmdd>/<region>/<service>/aws4_request, got '${credential.replace(/^[^/]*/, '…')}'`,
    );
  }
  const [accessKeyId, scopeDate, region, service] = parts as [string, string, string, string];
  return { accessKeyId, scopeDate, region, service };
}

function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/').slice(1)) {
    if (segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  // Non-S3 services encode the already-encoded wire path a second time.
  return `/${segments.map(encodeRfc3986).join('/')}`;
}

function canonicalQuery(query: string, presigned: boolean): string {
  return parseQuery(query)
    .filter(([key]) => !(presigned && key === 'X-Amz-Signature'))
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function canonicalHeaders(rawHeaders: string[], signedHeaders: string[]): string {
  return signedHeaders
    .map((name) => {
      const values = headerValues(rawHeaders, name).map((v) => v.trim().replace(/\s+/g, ' '));
      return `${name}:${values.join(',')}\n`;
    })
    .join('');
}

/**
 * Always the hash of the bytes received. A declared `x-amz-content-sha256` (including `UNSIGNED-PAYLOAD`, which
 * only S3 honours) is not trusted: STS carries its parameters in the form body, so a signature must cover it, and
 * a client that signed over anything else simply fails verification.
 */
function payloadHash(request: IncomingSignedRequest): string {
  return sha256Hex(request.body);
}

export function canonicalRequest(request: IncomingSignedRequest, auth: SigV4Auth): string {
  const sortedSigned = [...auth.signedHeaders];
  return [
    request.method.toUpperCase(),
    canonicalPath(request.path),
    canonicalQuery(request.query, auth.presigned),
    canonicalHeaders(request.rawHeaders, sortedSigned),
    sortedSigned.join(';'),
    payloadHash(request),
  ].join('\n');
}

export function stringToSign(request: IncomingSignedRequest, auth: SigV4Auth): string {
  const scope = `${auth.scopeDate}/${auth.region}/${auth.service}/aws4_request`;
  return [SIGV4_ALGORITHM, auth.amzDate, scope, sha256Hex(canonicalRequest(request, auth))].join('\n');
}

export function computeSignature(request: IncomingSignedRequest, auth: SigV4Auth, secretAccessKey: string): string {
  const kDate = hmac(`AWS4${secretAccessKey}`, auth.scopeDate);
  const kRegion = hmac(kDate, auth.region);
  const kService = hmac(kRegion, auth.service);
  const kSigning = hmac(kService, 'aws4_request');
  return createHmac('sha256', kSigning).update(stringToSign(request, auth)).digest('hex');
}

export function signatureMatches(request: IncomingSignedRequest, auth: SigV4Auth, secretAccessKey: string): boolean {
  const expected = Buffer.from(computeSignature(request, auth, secretAccessKey), 'utf8');
  const given = Buffer.from(auth.signature.toLowerCase(), 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** `YYYYMMDDTHHMMSSZ` → epoch ms, or NaN. */
export function parseAmzDate(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
