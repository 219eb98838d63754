/**
 * Who is on the other end of a loopback connection. Any local user can connect to 127.0.0.1, so a listener that
 * takes a person's sign-in answer must know the connection comes from that person's own programs. Linux lists
 * every socket of the network namespace, with the uid that created it, in /proc/net/tcp and /proc/net/tcp6: the
 * peer's socket is the one whose local end is the connection's remote end and whose remote end is our port.
 * Elsewhere (macOS, Windows, a /proc we cannot read) there is no such table and the check is skipped; callers keep
 * their other guards.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { endianness } from 'node:os';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/**
 * An address of /proc/net/tcp{,6}: 32-bit words in hex, each in the kernel's byte order (little endian on x86 and
 * arm64, so 127.0.0.1 is `0100007F`). IPv4-mapped IPv6 (`::ffff:127.0.0.1`, a dual-stack client) reads as IPv4.
 */
export function decodeProcAddress(hex: string, order: 'LE' | 'BE' = endianness()): string | undefined {
  if (!/^(?:[0-9A-Fa-f]{8}){1,4}$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(word + i, word + i + 2), 16));
    bytes.push(...(order === 'LE' ? wordBytes.reverse() : wordBytes));
  }
  if (bytes.length === 4) return bytes.join('.');
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

function normalAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/**
 * The uid of the live socket whose local end is `local` and whose remote end is `remote`, from the text of
 * /proc/net/tcp or /proc/net/tcp6 (header line, then `sl local rem st tx:rx tr:when retrnsmt uid timeout inode …`).
 * Pure, so it can be tested on samples. Undefined when no such socket is listed.
 */
export function socketUidFromTable(
  table: string,
  local: Endpoint,
  remote: Endpoint,
  order: 'LE' | 'BE' = endianness(),
): number | undefined {
  const wantLocal = normalAddress(local.address);
  const wantRemote = normalAddress(remote.address);
  for (const line of table.split('\n').slice(1)) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 10) continue;
    const [, localColumn, remoteColumn, , , , , uidColumn, , inodeColumn] = columns;
    // Inode 0: a socket no process holds any more (closed: TIME_WAIT, or FIN_WAIT after close). The kernel lists
    // a TIME_WAIT one with uid 0 whoever made it, so another user who sends a request and closes at once would
    // pass for root; an orphaned one's uid says nothing about who is there now. Neither is an owner.
    if (inodeColumn === '0') continue;
    const ends = [localColumn, remoteColumn].map((column) => {
      const [hexAddress, hexPort] = (column ?? '').split(':');
      return { address: decodeProcAddress(hexAddress ?? '', order), port: Number.parseInt(hexPort ?? '', 16) };
    });
    const [l, r] = ends as [{ address?: string; port: number }, { address?: string; port: number }];
    if (l.port !== local.port || r.port !== remote.port) continue;
    if (l.address !== wantLocal || r.address !== wantRemote) continue;
    const uid = Number(uidColumn);
    if (Number.isInteger(uid) && uid >= 0) return uid;
  }
  return undefined;
}

export type PeerVerdict =
  /** The peer's socket belongs to the uid running this process. */
  | { readonly kind: 'same-user' }
  /** Another uid made the connection. */
  | { readonly kind: 'other-user'; readonly uid: number }
  /** The table was read but lists no such socket (the peer already went away, or is not what it seems). */
  | { readonly kind: 'unknown' }
  /** No way to tell here (not Linux, /proc unreadable, no uid): the caller's other guards must do. */
  | { readonly kind: 'unchecked'; readonly reason: string };

export interface PeerLookup {
  readonly platform?: NodeJS.Platform;
  readonly uid?: number;
  readonly readTable?: (path: string) => string;
}

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

/**
 * Decides who made `socket` (accepted by a server listening on loopback). Synchronous on purpose: called from the
 * server's `connection` event, the decision is made before a single byte of the request is read.
 */
export function loopbackPeer(socket: Socket, lookup: PeerLookup = {}): PeerVerdict {
  const platform = lookup.platform ?? process.platform;
  const uid = lookup.uid ?? process.getuid?.();
  if (platform !== 'linux') return { kind: 'unchecked', reason: `not available on ${platform}` };
  if (uid === undefined) return { kind: 'unchecked', reason: 'no uid' };
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  if (!remoteAddress || !remotePort || !localAddress || !localPort) return { kind: 'unknown' };
  const read = lookup.readTable ?? ((path: string) => readFileSync(path, 'utf8'));
  let readAny = false;
  for (const path of TABLES) {
    let table: string;
    try {
      table = read(path);
    } catch {
      continue; // tcp6 is missing on a kernel without IPv6
    }
    readAny = true;
    // The peer's socket: its local end is our connection's remote end, and it is connected to our port.
    const peerUid = socketUidFromTable(
      table,
      { address: remoteAddress, port: remotePort },
      { address: localAddress, port: localPort },
    );
    if (peerUid === undefined) continue;
    return peerUid === uid ? { kind: 'same-user' } : { kind: 'other-user', uid: peerUid };
  }
  return readAny ? { kind: 'unknown' } : { kind: 'unchecked', reason: '/proc/net/tcp is not readable' };
}
