import type { Agent } from 'node:http';
import { InputError } from '../errors';
import { registerSecret } from '../secrets';

export interface ProxySettings {
  readonly url: string;
  readonly noProxy: readonly string[];
}

function decodes(part: string): boolean {
  try {
    decodeURIComponent(part);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a proxy URL where the user gave it; `setting` names that place (`--http-proxy`, `input "http-proxy"`,
 * `HTTPS_PROXY`). The password is a secret: registered before anything can print it, and never echoed. A bad
 * percent-encoding in the credentials is caught here, not as a URIError from the proxy agent at the first request.
 */
export function checkProxyUrl(value: string, setting: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (parsed?.password) {
    registerSecret(parsed.password);
    if (decodes(parsed.password)) registerSecret(decodeURIComponent(parsed.password));
  }
  const shown = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@/]*@/i, '$1***@');
  // "proxy.corp:3128" parses as a URL with scheme "proxy.corp:"; only an http(s) proxy URL can work.
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
    throw new InputError(`${setting} must be a URL such as http://proxy:3128, got "${shown}".`);
  }
  if (!decodes(parsed.username) || !decodes(parsed.password)) {
    throw new InputError(
      `The proxy URL in ${setting} has a user name or password with a broken percent-encoding (a % not followed by two hex digits): "${shown}".`,
      'Percent-encode the credentials: a literal % is %25, @ is %40, : is %3A, / is %2F.',
    );
  }
  return parsed;
}

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
