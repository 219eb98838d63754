import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { decodeProcAddress, loopbackPeer, type PeerVerdict, socketUidFromTable } from '../../src/net/loopback-peer';

// Two ends of one connection 127.0.0.1:41000 (client, uid 1001) → 127.0.0.1:8080 (server, uid 1000), as
// /proc/net/tcp lists them on a little-endian machine, beside a listener and a TIME_WAIT leftover (uid 0).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 40564 1 0000000052d7107d 100 0 0 10 0
   1: 0100007F:A028 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1001        0 40601 1 0000000011111111 20 4 30 10 -1
   2: 0100007F:1F90 0100007F:A028 01 00000000:00000000 00:00000000 00000000  1000        0 40602 1 0000000022222222 20 4 30 10 -1
   3: 0100007F:A029 0100007F:1F90 06 00000000:00000000 03:00000C11 00000000     0        0 0 3 00000000fa4dc1b6
`;

// A dual-stack client (an AF_INET6 socket connected to ::ffff:127.0.0.1) appears in tcp6 with mapped addresses.
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000100007F:A02A 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000  1002        0 40700 1 0000000033333333 20 4 30 10 -1
   1: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 40701 1 0000000044444444 100 0 0 10 0
`;

const server = { address: '127.0.0.1', port: 8080 };

describe('decodeProcAddress', () => {
  test('IPv4 in the kernel byte order', () => {
    expect(decodeProcAddress('0100007F', 'LE')).toBe('127.0.0.1');
    expect(decodeProcAddress('7F000001', 'BE')).toBe('127.0.0.1');
    expect(decodeProcAddress('00000000', 'LE')).toBe('0.0.0.0');
  });

  test('IPv6: IPv4-mapped reads as IPv4; ::1 as IPv6', () => {
    expect(decodeProcAddress('0000000000000000FFFF00000100007F', 'LE')).toBe('127.0.0.1');
    expect(decodeProcAddress('00000000000000000000000001000000', 'LE')).toBe('0:0:0:0:0:0:0:1');
  });

  test('anything else is not an address', () => {
    expect(decodeProcAddress('0100007', 'LE')).toBeUndefined();
    expect(decodeProcAddress('0100007G', 'LE')).toBeUndefined();
    expect(decodeProcAddress('0100007F0100007F', 'LE')).toBeUndefined();
  });
});

describe('socketUidFromTable', () => {
  test("the peer's socket: its local end is the connection's remote end, connected to our port", () => {
    expect(socketUidFromTable(TCP, { address: '127.0.0.1', port: 41000 }, server, 'LE')).toBe(1001);
    // Our own end of the same connection is the other row.
    expect(socketUidFromTable(TCP, server, { address: '127.0.0.1', port: 41000 }, 'LE')).toBe(1000);
  });

  test('a dual-stack peer in tcp6 (mapped addresses, or the ::ffff: form Node reports)', () => {
    expect(socketUidFromTable(TCP6, { address: '127.0.0.1', port: 41002 }, server, 'LE')).toBe(1002);
    expect(socketUidFromTable(TCP6, { address: '::ffff:127.0.0.1', port: 41002 }, server, 'LE')).toBe(1002);
  });

  test('no match: another port pair, another address, a listener, a header, garbage', () => {
    expect(socketUidFromTable(TCP, { address: '127.0.0.1', port: 41005 }, server, 'LE')).toBeUndefined();
    expect(socketUidFromTable(TCP, { address: '127.0.0.2', port: 41000 }, server, 'LE')).toBeUndefined();
    expect(socketUidFromTable(TCP, server, { address: '0.0.0.0', port: 1 }, 'LE')).toBeUndefined();
    expect(socketUidFromTable('', { address: '127.0.0.1', port: 41000 }, server, 'LE')).toBeUndefined();
    expect(
      socketUidFromTable('header\n   0: x y z\n\n', { address: '127.0.0.1', port: 41000 }, server),
    ).toBeUndefined();
  });

  test('a socket no process holds (inode 0: TIME_WAIT, or closed mid-FIN) has no owner', () => {
    // The kernel lists a TIME_WAIT socket with uid 0 whoever made it: taken as a uid, another user who sends a
    // request and closes at once would pass for root.
    expect(socketUidFromTable(TCP, { address: '127.0.0.1', port: 41001 }, server, 'LE')).toBeUndefined();
    // A live row for the same ends after a leftover one is still found.
    const leftoverFirst = TCP.replace('A029', 'A028');
    const lines = leftoverFirst.split('\n');
    const reordered = [lines[0], lines[4], lines[1], lines[2], lines[3], ''].join('\n');
    expect(socketUidFromTable(reordered, { address: '127.0.0.1', port: 41000 }, server, 'LE')).toBe(1001);
  });
});

describe('loopbackPeer', () => {
  const fakeSocket = {
    remoteAddress: '127.0.0.1',
    remotePort: 41000,
    localAddress: '127.0.0.1',
    localPort: 8080,
  } as Socket;
  const tables = (tcp: string, tcp6?: string) => (path: string) => {
    if (path === '/proc/net/tcp') return tcp;
    if (path === '/proc/net/tcp6' && tcp6 !== undefined) return tcp6;
    throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  };

  test('same uid, another uid, none listed', () => {
    expect(loopbackPeer(fakeSocket, { platform: 'linux', uid: 1001, readTable: tables(TCP) })).toEqual({
      kind: 'same-user',
    });
    expect(loopbackPeer(fakeSocket, { platform: 'linux', uid: 1000, readTable: tables(TCP, TCP6) })).toEqual({
      kind: 'other-user',
      uid: 1001,
    });
    const gone = { ...fakeSocket, remotePort: 41009 } as Socket;
    expect(loopbackPeer(gone, { platform: 'linux', uid: 1000, readTable: tables(TCP, TCP6) })).toEqual({
      kind: 'unknown',
    });
  });

  test('found only in tcp6', () => {
    const dual = { ...fakeSocket, remotePort: 41002 } as Socket;
    expect(loopbackPeer(dual, { platform: 'linux', uid: 1002, readTable: tables(TCP, TCP6) }).kind).toBe('same-user');
  });

  test('skipped where there is no table: other platforms, an unreadable /proc', () => {
    expect(loopbackPeer(fakeSocket, { platform: 'darwin', uid: 501 }).kind).toBe('unchecked');
    expect(loopbackPeer(fakeSocket, { platform: 'win32' }).kind).toBe('unchecked');
    expect(loopbackPeer(fakeSocket, { platform: 'linux', uid: 1000, readTable: tables('') }).kind).toBe('unknown');
    const unreadable = () => {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    };
    expect(loopbackPeer(fakeSocket, { platform: 'linux', uid: 1000, readTable: unreadable }).kind).toBe('unchecked');
  });
});

const onLinux = process.platform === 'linux' ? describe : describe.skip;

onLinux('loopbackPeer on real sockets (Linux)', () => {
  let server: Server;
  let verdicts: PeerVerdict[];
  let port: number;

  beforeAll(async () => {
    server = createServer((socket) => {
      verdicts.push(loopbackPeer(socket));
      socket.destroy(); // not end(): a peer that is already gone would leave it half open, holding server.close()
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    verdicts = [];
  });

  const connectFromChild = (options: { uid?: number; gid?: number } = {}) =>
    new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '-e',
          `const s = require('node:net').connect(${port}, '127.0.0.1'); s.on('data', () => {}); s.on('close', () => process.exit(0)); s.on('error', () => process.exit(1));`,
        ],
        { stdio: 'ignore', ...options },
      );
      child.once('error', reject);
      child.once('exit', resolve);
    });

  test('a connection of this user is the same user', async () => {
    expect(await connectFromChild()).toBe(0);
    expect(verdicts).toEqual([{ kind: 'same-user' }]);
  });

  const asRoot = process.getuid?.() === 0 ? test : test.skip;
  asRoot('a connection of another uid (nobody, 65534) is seen as another user', async () => {
    expect(await connectFromChild({ uid: 65534, gid: 65534 })).toBe(0);
    expect(verdicts).toEqual([{ kind: 'other-user', uid: 65534 }]);
  });

  asRoot('another uid that writes and closes before the connection is accepted is not taken for root', () => {
    // spawnSync holds this event loop: nobody's socket is closed (uid 0, inode 0 in the table) before we look.
    const child = spawnSync(
      process.execPath,
      ['-e', `const s = require('node:net').connect(${port}, '127.0.0.1', () => { s.end('x'); s.destroy(); });`],
      { stdio: 'ignore', uid: 65534, gid: 65534 },
    );
    expect(child.status).toBe(0);
    return new Promise<void>((resolve) => {
      const wait = () => (verdicts.length > 0 ? resolve() : setTimeout(wait, 10));
      wait();
    }).then(() => expect(verdicts).toEqual([{ kind: 'unknown' }]));
  });
});
