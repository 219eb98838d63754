import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';

export interface ProxySettings {
  readonly url: string;
  readonly noProxy: readonly string[];
}

/** NO_PROXY semantics as curl and most SDKs read them: exact host, domain suffix (with or without a dot), or `*`. */
export function bypassesProxy(host: string, noProxy: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return noProxy.some((rawEntry) => {
    const entry = rawEntry.toLowerCase().replace(/:\d+$/, '');
    if (entry === '*') return true;
    const bare = entry.replace(/^\*?\./, '');
    return h === bare || h.endsWith(`.${bare}`);
  });
}

let cached: { key: string; agent: Agent } | undefined;

/** One CONNECT-tunnelling agent per proxy URL; undefined when the request should go direct. */
export function proxyAgentFor(target: URL, proxy: ProxySettings | undefined): Agent | undefined {
  if (!proxy || bypassesProxy(target.hostname, proxy.noProxy)) return undefined;
  if (cached?.key !== proxy.url) cached = { key: proxy.url, agent: new HttpsProxyAgent(proxy.url) };
  return cached.agent;
}
