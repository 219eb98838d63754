/** Small HTTP helpers: JSON responses, bounded JSON bodies, bearer extraction. */
import type { IncomingMessage, ServerResponse } from 'node:http';
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
 * else as soon as the limit is crossed, without buffering the rest.
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.');
  }
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > MAX_BODY_BYTES) throw tooLarge();

  const body = await readBounded(req);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid_request', 'The body is not valid JSON.');
  }
}

/**
 * Collects the body with events rather than `for await`: leaving an async iterator early destroys the request and
 * with it the socket, and the 413 answer could then never be sent. Past the limit the rest is drained unbuffered.
 */
function readBounded(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        settled = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks));
    });
    req.on('error', () => {
      if (settled) return;
      settled = true;
      reject(new HttpError(400, 'invalid_request', 'The request body could not be read.'));
    });
  });
}

function tooLarge(): HttpError {
  return new HttpError(413, 'payload_too_large', `The body exceeds ${MAX_BODY_BYTES} bytes.`, { connection: 'close' });
}
