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

/** A promise that rejects with the signal's reason once it aborts; `release` removes the listener. */
function abortOf(signal: AbortSignal): { aborted: Promise<never>; release: () => void } {
  let release = () => {};
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(signal.reason);
    if (signal.aborted) return fail();
    signal.addEventListener('abort', fail, { once: true });
    release = () => signal.removeEventListener('abort', fail);
  });
  aborted.catch(() => {}); // observed by the race below; never an unhandled rejection
  return { aborted, release };
}

/**
 * Reads a fetch() answer's body as text, at most `maxBytes` of it: past the limit the stream is cancelled (the
 * connection dropped) and BodyTooLargeError thrown, so a server streaming gigabytes costs about `maxBytes` of memory.
 * `signal` (the fetch's own) bounds the body too, and is watched here rather than left to fetch: undici reaches the
 * body through a weak reference to the Response, so once the Response is garbage collected an abort no longer ends a
 * pending read, and a server that stalls after the headers would hold the caller forever.
 */
export async function readBoundedResponse(response: Response, maxBytes: number, signal: AbortSignal): Promise<string> {
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body?.cancel();
    throw new BodyTooLargeError(maxBytes);
  }
  const reader = response.body?.getReader();
  if (!reader) return '';
  const { aborted, release } = abortOf(signal);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), aborted]);
      if (next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
      chunks.push(next.value);
    }
  } catch (error) {
    reader.cancel().catch(() => {}); // drops the connection; its own outcome does not matter
    throw error;
  } finally {
    release();
  }
  return Buffer.concat(chunks).toString('utf8');
}
