import { request as httpRequest } from 'node:http';
import { TimeoutError, TransientError } from '../errors';
import { type ProxySettings, proxyAgentFor } from './proxy';

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

export interface HttpOptions {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly proxy?: ProxySettings;
  /** Named in errors instead of the URL, which may carry a query the user did not write. */
  readonly what: string;
  /** Called once the request has been handed to the network, while the answer is still to come. */
  readonly onRequestSent?: () => void;
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A small HTTP client with a hard deadline over the whole exchange (connect, headers, body): a server that accepts
 * and never answers costs `timeoutMs`, not forever. Network failures become TransientError, timeouts TimeoutError.
 */
export function httpRequestText(url: URL, options: HttpOptions): Promise<HttpResponse> {
  return new Promise((resolvePromise, reject) => {
    // node:https brings TLS with it; it is loaded only when a URL needs it (on the start-up path of every run).
    const send =
      url.protocol === 'https:' ? (require('node:https') as typeof import('node:https')).request : httpRequest;
    const agent = proxyAgentFor(url, options.proxy);
    const req = send(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      ...(agent ? { agent } : {}),
    });
    const timer = setTimeout(() => {
      req.destroy(new TimeoutError(`${options.what} did not answer within ${options.timeoutMs / 1000} s.`));
    }, options.timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          req.destroy(new TransientError('ResponseTooLarge', `${options.what} sent more than 1 MiB.`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      if (error instanceof TimeoutError || error instanceof TransientError) reject(error);
      else
        reject(
          new TransientError('NetworkError', `${options.what} could not be reached: ${error.message}.`, {
            cause: error,
          }),
        );
    });
    if (options.onRequestSent) req.once('finish', options.onRequestSent);
    req.end(options.body);
  });
}
