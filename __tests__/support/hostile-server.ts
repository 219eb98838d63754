/**
 * A loopback server that misbehaves on purpose, for the client's time, size and TLS bounds. Each request gets the
 * behaviour set last (default: a 200 JSON `{}`):
 *
 *   const server = await startHostileServer();                 // http://127.0.0.1:<port>
 *   const tls = await startHostileServer({ tls: selfSignedCert() }); // https with a certificate nobody trusts
 *   server.behave({ kind: 'stall-body' });                     // headers and a first byte, then nothing
 *   server.behave({ kind: 'flood', bytes: 128 * 2 ** 20 });    // streams that many bytes, as fast as the client reads
 *   server.behave({ kind: 'truncate', body: '{"value":"ey' }); // announces more than it sends, then closes
 *   server.behave({ kind: 'raw', status: 200, contentType: 'text/html', body: '<html>…' });
 *   server.requests   // how many requests arrived (the attempts a client made)
 *   server.connections // TCP connections (counts attempts whose TLS handshake failed, too)
 *   server.bytesSent  // body bytes handed to the socket, over all requests
 *   await server.close();
 *
 * Sockets that stall are destroyed by close(), so no test waits for them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type HostileBehaviour =
  | { readonly kind: 'stall-body'; readonly contentType?: string }
  /** `declareLength`: send Content-Length (a client can refuse at the headers); otherwise chunked, refused mid-stream. */
  | { readonly kind: 'flood'; readonly bytes: number; readonly declareLength?: boolean; readonly contentType?: string }
  | { readonly kind: 'truncate'; readonly body: string; readonly contentType?: string }
  | { readonly kind: 'raw'; readonly status: number; readonly body: string; readonly contentType?: string };

export interface HostileServer {
  readonly url: string;
  readonly requests: number;
  readonly bytesSent: number;
  /** TCP connections accepted, TLS handshake or not. */
  readonly connections: number;
  behave(behaviour: HostileBehaviour): void;
  close(): Promise<void>;
}

export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
}

/**
 * A self-signed certificate made with openssl at test time (never a committed key), for 127.0.0.1/localhost unless
 * `subjectAltName` names something else (a certificate for another host).
 */
export function selfSignedCert(subjectAltName = 'DNS:localhost,IP:127.0.0.1'): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        `subjectAltName=${subjectAltName}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startHostileServer(options: { tls?: TlsMaterial } = {}): Promise<HostileServer> {
  let behaviour: HostileBehaviour = { kind: 'raw', status: 200, body: '{}', contentType: 'application/json' };
  let requests = 0;
  let bytesSent = 0;
  let connections = 0;
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    req.resume();
    const current = behaviour;
    const contentType = current.contentType ?? 'application/json';
    switch (current.kind) {
      case 'raw':
        bytesSent += Buffer.byteLength(current.body);
        res.writeHead(current.status, { 'content-type': contentType }).end(current.body);
        return;
      case 'stall-body':
        res.writeHead(200, { 'content-type': contentType, 'content-length': '1000' });
        res.write('{');
        bytesSent += 1;
        return;
      case 'truncate':
        res.writeHead(200, { 'content-type': contentType, 'content-length': String(current.body.length + 100) });
        res.write(current.body, () => res.socket?.destroy());
        bytesSent += current.body.length;
        return;
      case 'flood': {
        res.writeHead(200, {
          'content-type': contentType,
          ...(current.declareLength ? { 'content-length': String(current.bytes) } : {}),
        });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let left = current.bytes;
        // Writes only while the socket drains: the count is what the client actually took, plus socket buffers.
        const pump = () => {
          while (left > 0 && !res.destroyed) {
            const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
            left -= piece.length;
            bytesSent += piece.length;
            if (!res.write(piece)) return void res.once('drain', pump);
          }
          if (left === 0) res.end();
        };
        pump();
        return;
      }
    }
  };

  const server: Server = options.tls ? createTlsServer(options.tls, handle) : createServer(handle);
  // 'connection' is the TCP socket, before any TLS handshake: a refused certificate still counts as an attempt.
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    get requests() {
      return requests;
    },
    get connections() {
      return connections;
    },
    get bytesSent() {
      return bytesSent;
    },
    behave(next) {
      behaviour = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
