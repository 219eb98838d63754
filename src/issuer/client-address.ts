/**
 * Which client a request comes from, for per-client throttling. By default the socket's peer address. Behind a
 * reverse proxy every request's peer is the proxy, so one client's failures would throttle everyone; with
 * `--trust-proxy` the service believes the `X-Forwarded-For` header, but only as far as it was written by proxies
 * it trusts:
 *
 *   - only when the socket peer itself is a trusted proxy (anyone else's header is ignored), and
 *   - reading the list from the right: each trusted proxy appends the address it received the request from, so the
 *     right-most address that is not a trusted proxy is the client as our outermost proxy saw it. Entries to its
 *     left were sent by the client and may be anything.
 *
 * `Forwarded` (RFC 7239) is deliberately not read: a proxy writes one of the two headers, and believing the other
 * one too would let a client supply it unchecked.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { ConfigError } from './errors';

/** Parses `--trust-proxy` entries: addresses or CIDR ranges, IPv4 or IPv6, each entry possibly comma-separated. */
export function parseTrustedProxies(entries: readonly string[] | undefined): BlockList | undefined {
  if (entries === undefined || entries.length === 0) return undefined;
  const list = new BlockList();
  for (const entry of entries.flatMap((value) => String(value).split(','))) {
    const text = entry.trim();
    const [address = '', prefix, extra] = text.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    if (family === 0 || extra !== undefined || (prefix !== undefined && !isPrefix(prefix, bits))) {
      throw new ConfigError(
        'trust-proxy',
        `"${text.slice(0, 64)}" is not an IP address or CIDR range; write e.g. --trust-proxy 10.0.0.0/8,127.0.0.1.`,
      );
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/** The client address to key per-client limits by (see the module comment). */
export function clientAddress(req: IncomingMessage, trusted: BlockList | undefined): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? '') ?? 'unknown';
  if (!trusted || !isTrusted(peer, trusted)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').filter((hop) => hop.trim());
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i] as string);
    // A hop our own proxy wrote but we cannot parse: keep the last address we are sure of rather than guess.
    if (hop === undefined) return client;
    client = hop;
    if (!isTrusted(hop, trusted)) return hop;
  }
  return client;
}

function isTrusted(address: string, trusted: BlockList): boolean {
  return trusted.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
}

/** A bare address from `1.2.3.4`, `1.2.3.4:5678`, `[::1]:5678`, `::ffff:1.2.3.4`; undefined if it is none. */
function normalizeAddress(raw: string): string | undefined {
  let text = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1] as string;
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  const mapped = /^::ffff:([\d.]+)$/i.exec(text);
  if (mapped) text = mapped[1] as string;
  return isIP(text) === 0 ? undefined : text.toLowerCase();
}

function isPrefix(text: string, bits: number): boolean {
  return /^\d{1,3}$/.test(text) && Number(text) <= bits;
}
