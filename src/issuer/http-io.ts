/** Small HTTP helpers: JSON responses, bounded JSON bodies, bearer extraction. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBoundedBody } from '../shared/bounded-body';
import { HttpError } from './errors';

export const MAX_BODY_BYTES = 64 * 1024;

export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function sendJson(res: ServerResponse, response: JsonResponse): void {
  const payload = JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'x-content-type-options': 'nosniff',
    ...response.headers,
  });
  res.end(payload);
}

export function errorResponse(error: HttpError): JsonResponse {
  return {
    status: error.status,
    body: { error: error.error, message: error.message },
    headers: { 'cache-control': 'no-store', ...error.headers },
  };
}

/** The token after `Bearer ` (scheme case-insensitive, per RFC 6750), or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}

/**
 * Reads a JSON body of at most MAX_BODY_BYTES. Oversize bodies are refused from Content-Length when declared,
 * else as soon as the limit is crossed, without buffering the rest (see src/shared/bounded-body.ts).
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.');
  }
  let body: Buffer;
  try {
    body = await readBoundedBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      throw new HttpError(413, 'payload_too_large', error.message, { connection: 'close' });
    }
    throw new HttpError(400, 'invalid_request', 'The request body could not be read.');
  }
  const text = body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_request', 'The body is not valid JSON.');
  }
  const repeated = repeatedMemberName(text);
  if (repeated !== undefined) {
    throw new HttpError(
      400,
      'invalid_request',
      `The member "${repeated.slice(0, 64)}" appears twice in one object; send each name once.`,
    );
  }
  return value;
}

/** A JSON string token, optionally followed by the colon that makes it a member name. */
const STRING_OR_BRACKET = /"(?:[^"\\]|\\.)*"(?:\s*:)?|[{}[\]]/g;

/**
 * The first member name that appears twice in one object of a valid JSON text, or undefined. JSON.parse keeps the
 * last one silently, so `{"job":"app",…,"job":"prod/deploy"}` (a controller library writing a value's text into
 * the body unescaped) would register another job's identity; such a body is refused instead.
 */
export function repeatedMemberName(text: string): string | undefined {
  const objects: Array<Set<string> | undefined> = [];
  for (const [token] of text.matchAll(STRING_OR_BRACKET)) {
    if (token === '{') objects.push(new Set());
    else if (token === '[') objects.push(undefined);
    else if (token === '}' || token === ']') objects.pop();
    else if (token.endsWith(':')) {
      const name = JSON.parse(token.slice(0, -1).trim()) as string;
      const names = objects.at(-1);
      if (names?.has(name)) return name;
      names?.add(name);
    }
  }
  return undefined;
}
