import { type IncomingHttpHeaders, request as plainRequest } from 'node:http';
import { EndpointError, KeylessError, TimeoutError, TransientError } from '../errors';
import { type ProxySettings, proxyAgentFor } from './proxy';
import { certificateError } from './tls-errors';

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
  /** The bound on the whole attempt: connect, TLS, headers and every byte of the body. */
  readonly timeoutMs: number;
  readonly proxy?: ProxySettings;
  /** Named in errors instead of the URL, which may carry a query the user did not write. */
  readonly what: string;
  /** Called once the request has been handed to the network, while the answer is still to come. */
  readonly onRequestSent?: () => void;
}

/** Every server we call answers in a few KiB (an ID token, an STS or Cognito document, a JWKS). */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

function tooLarge(what: string): EndpointError {
  return new EndpointError('ResponseTooLarge', `${what} sent more than 1 MiB, which no token or AWS answer needs.`, {
    hint: 'Check the URL: it probably points at something other than the service (or a proxy answers instead).',
  });
}

/** Our own errors pass; TLS certificate failures are final; anything else the network did is worth another try. */
function wrap(error: Error, url: URL, what: string): KeylessError {
  if (error instanceof KeylessError) return error;
  const untrusted = certificateError(error, url.hostname, what);
  if (untrusted) return untrusted;
  const cause = (error as NodeJS.ErrnoException).code ?? error.message;
  return new TransientError('NetworkError', `${what} could not be reached or hung up: ${cause}.`, { cause: error });
}

/**
 * The one HTTP client: a hard deadline over the whole exchange (connect, headers, body) so a server that stalls
 * mid-body costs `timeoutMs`, not the run; the body is capped at MAX_RESPONSE_BYTES and the socket dropped past it.
 * Network failures and cut-off bodies become TransientError, the deadline TimeoutError, certificates EndpointError.
 */
export function httpRequest(url: URL, options: HttpOptions): Promise<HttpResponse> {
  return new Promise((resolvePromise, reject) => {
    // node:https brings TLS with it; it is loaded only when a URL needs it (on the start-up path of every run).
    const send =
      url.protocol === 'https:' ? (require('node:https') as typeof import('node:https')).request : plainRequest;
    const agent = proxyAgentFor(url, options.proxy);
    const req = send(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      ...(agent ? { agent } : {}),
    });
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(wrap(error, url, options.what));
      req.destroy();
    };
    const timer = setTimeout(
      () => fail(new TimeoutError(`${options.what} did not answer within ${options.timeoutMs / 1000} s.`)),
      options.timeoutMs,
    );
    req.on('response', (res) => {
      if (Number(res.headers['content-length']) > MAX_RESPONSE_BYTES) return fail(tooLarge(options.what));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) fail(tooLarge(options.what));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      // The connection closed before the announced length arrived: a truncated answer, as transient as a reset.
      res.on('aborted', () => fail(new Error('connection closed mid-body')));
      res.on('error', fail);
    });
    req.on('error', fail);
    if (options.onRequestSent) req.once('finish', options.onRequestSent);
    req.end(options.body);
  });
}

/** `httpRequest` with the body decoded as UTF-8 (token endpoints answer JSON). */
export async function httpRequestText(
  url: URL,
  options: HttpOptions,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const response = await httpRequest(url, options);
  return { ...response, body: response.body.toString('utf8') };
}
