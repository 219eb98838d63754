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
  /** What the endpoint is ("STS", "the GitHub ID-token endpoint"); errors add its URL without credentials or query. */
  readonly what: string;
  /** Called once the request has been handed to the network, while the answer is still to come. */
  readonly onRequestSent?: () => void;
  /** Under --debug: one line per request once it ends (method, URL without credentials or query, outcome, time). */
  readonly debug?: (line: string) => void;
}

/** Every server we call answers in a few KiB (an ID token, an STS or Cognito document, a JWKS). */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

function tooLarge(what: string): EndpointError {
  return new EndpointError('ResponseTooLarge', `${what} sent more than 1 MiB, which no token or AWS answer needs.`, {
    hint: 'Check the URL: it probably points at something other than the service (or a proxy answers instead).',
  });
}

/** Node's network error codes in words, and whether asking again can help. */
const NETWORK_FAILURES: Record<string, { code: string; words: string; final?: true }> = {
  ECONNREFUSED: {
    code: 'ConnectionRefused',
    words: 'connection refused (nothing listens there, or a firewall rejects)',
  },
  ECONNRESET: { code: 'ConnectionReset', words: 'connection reset' },
  EPIPE: { code: 'ConnectionReset', words: 'connection closed while sending' },
  EHOSTUNREACH: { code: 'NetworkUnreachable', words: 'no route to the host' },
  ENETUNREACH: { code: 'NetworkUnreachable', words: 'no route to the network' },
  EAI_AGAIN: { code: 'DnsUnavailable', words: 'the DNS lookup failed for now' },
  // NXDOMAIN: a mistyped or internal-only host name does not start resolving on a retry (the SDK does not retry it).
  ENOTFOUND: { code: 'HostNotFound', words: 'the host name does not resolve', final: true },
};

/** A URL as it may appear in a message: scheme, host, port and path; never credentials or the query. */
export function safeUrl(url: URL): string {
  return `${url.origin}${url.pathname === '/' ? '' : url.pathname}`;
}

/** The first bytes of a body, printable and short: enough to recognise a page or an error, never a dump. */
export function preview(body: Buffer | string): string {
  const head = typeof body === 'string' ? body.slice(0, 200) : body.subarray(0, 200).toString('utf8');
  const text = head
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** Our own errors pass; TLS certificates and unknown hosts are final; anything else the network did is transient. */
function wrap(error: Error, url: URL, what: string): KeylessError {
  if (error instanceof KeylessError) return error;
  const untrusted = certificateError(error, url.hostname, what);
  if (untrusted) return untrusted;
  const errno = (error as NodeJS.ErrnoException).code;
  const known = errno ? NETWORK_FAILURES[errno] : undefined;
  const message = `${what} could not be reached: ${known ? `${known.words} (${errno})` : (errno ?? error.message)}.`;
  if (known?.final) {
    return new EndpointError(known.code, message, {
      hint: `Check the host name ${url.hostname} in the URL; for an internal name, check this machine's DNS servers.`,
      cause: error,
    });
  }
  return new TransientError(known?.code ?? 'NetworkError', message, { cause: error });
}

/**
 * The one HTTP client: a hard deadline over the whole exchange (connect, headers, body) so a server that stalls
 * mid-body costs `timeoutMs`, not the run; the body is capped at MAX_RESPONSE_BYTES and the socket dropped past it.
 * Network failures and cut-off bodies become TransientError, the deadline TimeoutError, certificates EndpointError.
 */
export function httpRequest(url: URL, options: HttpOptions): Promise<HttpResponse> {
  const what = `${options.what} at ${safeUrl(url)}`;
  const started = Date.now();
  const report = (outcome: string) =>
    options.debug?.(
      `HTTP ${options.method ?? 'GET'} ${safeUrl(url)} (${options.what}): ${outcome} in ${Date.now() - started} ms`,
    );
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
      const wrapped = wrap(error, url, what);
      report(`failed, ${wrapped.code}`);
      reject(wrapped);
      req.destroy();
    };
    const timer = setTimeout(
      () => fail(new TimeoutError(`${what} did not answer within ${options.timeoutMs / 1000} s.`)),
      options.timeoutMs,
    );
    req.on('response', (res) => {
      if (Number(res.headers['content-length']) > MAX_RESPONSE_BYTES) return fail(tooLarge(what));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) fail(tooLarge(what));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        report(`HTTP ${res.statusCode}, ${size} bytes`);
        resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      // The connection closed before the announced length arrived: a truncated answer, as transient as a reset.
      res.on('aborted', () => fail(new Error('the connection closed mid-answer')));
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
