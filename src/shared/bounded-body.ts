// Bounded request-body reading shared by the emulator and the token service. An oversize body must still get its
// 413 answer, so the socket is never destroyed here: past the limit the rest of the body is read and dropped.
import type { IncomingMessage } from 'node:http';

/** The body is (declared or turned out to be) longer than the limit. */
export class BodyTooLargeError extends Error {
  readonly limit: number;

  constructor(limit: number) {
    super(`The body exceeds ${limit} bytes.`);
    this.name = 'BodyTooLargeError';
    this.limit = limit;
  }
}

/** The client went away or sent a broken body (e.g. a bad chunked encoding). */
export class BodyReadError extends Error {
  constructor() {
    super('The request body could not be read.');
    this.name = 'BodyReadError';
  }
}

/**
 * Collects a request body of at most `maxBytes`. A declared Content-Length over the limit is refused at once;
 * otherwise the limit is enforced while streaming. Events rather than `for await`: leaving an async iterator early
 * destroys the request and with it the socket, and the 413 answer could then never be sent. After a refusal the
 * rest of the body is drained unbuffered, so the caller can answer (with `connection: close`) on a healthy socket.
 */
export function readBoundedBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    let settled = false;
    const refuse = (error: Error) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      reject(error);
    };
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) refuse(new BodyTooLargeError(maxBytes));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks));
    });
    req.on('error', () => refuse(new BodyReadError()));
    if (declared > maxBytes) refuse(new BodyTooLargeError(maxBytes));
  });
}

/**
 * Reads a fetch() answer's body as text, at most `maxBytes` of it: past the limit the stream is cancelled (the
 * connection dropped) and BodyTooLargeError thrown, so a server streaming gigabytes costs about `maxBytes` of memory.
 * The time bound is the fetch's own AbortSignal, which covers the body too.
 */
export async function readBoundedResponse(response: Response, maxBytes: number): Promise<string> {
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body?.cancel();
    throw new BodyTooLargeError(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    size += next.value.byteLength;
    if (size > maxBytes) {
      await reader?.cancel();
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
