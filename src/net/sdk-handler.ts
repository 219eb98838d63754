import { EndpointError } from '../errors';
import { httpRequest, preview, safeUrl } from './http';
import type { ProxySettings } from './proxy';

/** The parts of the SDK's (smithy's) HttpRequest we send; structural, so no smithy package is imported. */
interface SdkRequest {
  readonly method: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly port?: number;
  readonly path: string;
  readonly query?: Record<string, string | readonly string[] | null>;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

export interface ServiceAnswer {
  /** "STS", "Cognito": named in errors with the endpoint's URL. */
  readonly name: string;
  /** What the service's documents are sent as: text/xml for STS's Query protocol, JSON for Cognito's. */
  readonly contentType: RegExp;
}

/** RFC 3986 encoding, as SigV4 signs the query (URLSearchParams would send a space as `+`). */
const rfc3986 = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function urlOf(request: SdkRequest): URL {
  const url = new URL(`${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`);
  url.pathname = request.path;
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(request.query ?? {})) {
    const items: readonly (string | null)[] = Array.isArray(value) ? value : [value as string | null];
    for (const item of items) pairs.push(item === null ? rfc3986(key) : `${rfc3986(key)}=${rfc3986(item)}`);
  }
  url.search = pairs.join('&');
  return url;
}

/** STS (form) and Cognito (JSON) requests are strings; anything else would be a request this handler cannot send. */
function bodyOf(body: unknown): string | Uint8Array {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  throw new Error(`The SDK handed the request handler a ${typeof body} body; only strings and bytes are sent.`);
}

/**
 * A captive portal or a corporate proxy answers in HTML where the service answers XML or JSON; empty bodies come
 * from the same places. Named plainly instead of the SDK's parse error. 5xx and 429 stay the SDK's (transient).
 */
function checkAnswer(status: number, contentType: string, body: Buffer, what: string, service: ServiceAnswer): void {
  if (status >= 500 || status === 429) return;
  if (body.length > 0 && service.contentType.test(contentType)) return;
  const got =
    body.length === 0
      ? 'an empty body'
      : `${body.length} bytes of ${contentType || 'untyped content'} ("${preview(body)}")`;
  throw new EndpointError(
    'UnexpectedResponse',
    `${what} answered HTTP ${status} with ${got}, not what ${service.name} sends.`,
    {
      hint: 'Something other than AWS answered (a captive portal, a proxy, a wrong endpoint URL): check the endpoint setting, HTTPS_PROXY and NO_PROXY.',
    },
  );
}

/**
 * The API call a request makes, for debug lines: Cognito names it in X-Amz-Target, STS in the form's Action field.
 * Only that field is read; the rest of the body holds the ID token.
 */
export function operationOf(request: SdkRequest): string {
  const target = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'x-amz-target')?.[1];
  if (target) return target.slice(target.lastIndexOf('.') + 1);
  const action = typeof request.body === 'string' ? /(?:^|&)Action=([A-Za-z]+)/.exec(request.body)?.[1] : undefined;
  return action ?? `${request.method} ${request.path}`;
}

/**
 * The request handler every AWS SDK client of ours gets. It sends through our one HTTP client, so the SDK's calls
 * get what token fetches get: one deadline over the whole attempt including the body (the SDK's own requestTimeout
 * is a socket idle timeout that a dribbling server resets forever), a size cap, the proxy, final certificate
 * errors. Retries are not the SDK's business (maxAttempts 1 at the client): our retry loop decides.
 */
export function sdkRequestHandler(
  timeoutMs: number,
  proxy: ProxySettings | undefined,
  service: ServiceAnswer,
  debug?: (line: string) => void,
) {
  return {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request: SdkRequest) {
      const url = urlOf(request);
      debug?.(`flow: ${service.name} ${operationOf(request)}`);
      const response = await httpRequest(url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: bodyOf(request.body) }),
        timeoutMs,
        what: service.name,
        ...(proxy ? { proxy } : {}),
        ...(debug ? { debug } : {}),
      });
      const contentType = String(response.headers['content-type'] ?? '');
      checkAnswer(response.status, contentType, response.body, `${service.name} at ${safeUrl(url)}`, service);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { response: { statusCode: response.status, headers, body: response.body } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
}
