import type { Agent } from 'node:http';
import type { ProxySettings } from './proxy-url';

export type { ProxySettings } from './proxy-url';

/** `host:port` → host; `[v6]:port` and `[v6]` → v6; a bare IPv6 address has no port to strip (`::1` stays `::1`). */
function entryHost(entry: string): string {
  if (entry.startsWith('[')) return entry.replace(/^\[([^\]]*)\](?::\d+)?$/, '$1');
  if (entry.indexOf(':') !== entry.lastIndexOf(':')) return entry;
  return entry.replace(/:\d+$/, '');
}

/** NO_PROXY semantics as curl and most SDKs read them: exact host, domain suffix (with or without a dot), or `*`. */
export function bypassesProxy(host: string, noProxy: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return noProxy.some((rawEntry) => {
    const entry = entryHost(rawEntry.toLowerCase());
    if (entry === '*') return true;
    const bare = entry.replace(/^\*?\./, '');
    return h === bare || h.endsWith(`.${bare}`);
  });
}

let cached: { key: string; agent: Agent } | undefined;

/** One CONNECT-tunnelling agent per proxy URL; undefined when the request should go direct. */
export function proxyAgentFor(target: URL, proxy: ProxySettings | undefined): Agent | undefined {
  if (!proxy || bypassesProxy(target.hostname, proxy.noProxy)) return undefined;
  if (cached?.key !== proxy.url) {
    // Required on first use: most runs have no proxy and should not pay for loading the agent at start-up.
    const { HttpsProxyAgent } = require('https-proxy-agent') as typeof import('https-proxy-agent');
    cached = { key: proxy.url, agent: new HttpsProxyAgent(proxy.url) };
  }
  return cached.agent;
}
