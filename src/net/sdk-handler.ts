import { type ProxySettings, proxyAgentFor } from './proxy';

/**
 * The request-handler options every AWS SDK client of ours gets: a bound on each request, and the proxy when one
 * applies to the endpoint. Retries are not the SDK's business (maxAttempts 1 at the client): our retry loop decides.
 */
export function sdkRequestHandler(endpoint: URL, timeoutMs: number, proxy: ProxySettings | undefined) {
  const agent = proxyAgentFor(endpoint, proxy);
  return {
    requestTimeout: timeoutMs,
    // Without this the SDK only logs a warning when requestTimeout passes and keeps waiting for an answer.
    throwOnRequestTimeout: true,
    connectionTimeout: timeoutMs,
    ...(agent ? { httpsAgent: agent, httpAgent: agent } : {}),
  };
}
