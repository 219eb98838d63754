/**
 * The programmatic entry point: `startIssuer(options)` validates the options, opens the key directory, and serves
 * the token service until `close()`. The CLI `serve` command is a thin wrapper around it; tests and demos start
 * it in-process:
 *
 *   const issuer = await startIssuer({ keysDir, adminSecret: 's3cret', port: 0 });
 *   // issuer.url        e.g. http://127.0.0.1:41234          (where it listens, plus the issuer path)
 *   // issuer.issuerUrl  the `iss` of its tokens (options.issuerUrl, or issuer.url when that was omitted)
 *   // issuer.tokenUrl   what builds call: `${issuerUrl}/token` unless options.tokenUrl is set
 *   await issuer.close();
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type IssuerOptions, resolveIssuerOptions, type TlsFiles } from './config';
import { ConfigError } from './errors';
import { KeyStore, unixNow } from './keys';
import { createLogger, type Logger } from './log';
import { RateLimiter } from './rate-limit';
import { createRequestHandler, type ServiceContext } from './server';

export type { IssuerOptions } from './config';

export interface RunningIssuer {
  /** Local URL the server listens on, including the issuer URL's path: `${url}/.well-known/jwks` works. */
  readonly url: string;
  /** The `iss` of issued tokens. */
  readonly issuerUrl: string;
  /** The token endpoint handed to builds in `token_url`. */
  readonly tokenUrl: string;
  /** Re-reads the key directory (and TLS files) now, as SIGHUP does. */
  reload(): Promise<void>;
  /** Stops accepting connections, lets in-flight requests finish (up to 5 s), then resolves. */
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 5_000;

export async function startIssuer(options: IssuerOptions): Promise<RunningIssuer> {
  const settings = resolveIssuerOptions(options);
  const logger: Logger = options.logger ?? createLogger();
  for (const warning of settings.warnings) logger.warn(warning);

  const now = options.now ?? unixNow;
  const keys = await KeyStore.open(settings.keysDir, { now, onWarning: (message) => logger.warn(message) });
  let handler: ReturnType<typeof createRequestHandler> | undefined;
  const server: Server = settings.tls
    ? createHttpsServer(readTls(settings.tls), (req, res) => handler?.(req, res))
    : createHttpServer((req, res) => handler?.(req, res));
  // Bodies are at most 64 KiB; a client that trickles headers or body is cut off rather than holding a socket.
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;

  const address = await listen(server, settings.host, settings.port);
  const scheme = settings.tls ? 'https' : 'http';
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const listenOrigin = `${scheme}://${host}:${address.port}`;
  const issuerUrl = settings.issuerUrl ?? listenOrigin;
  const issuerPath = new URL(issuerUrl).pathname.replace(/\/$/, '');
  const tokenUrl = settings.tokenUrl ?? `${issuerUrl}/token`;

  const service: ServiceContext = {
    settings,
    issuerUrl,
    tokenUrl,
    keys,
    logger,
    tokenLimiter: new RateLimiter({
      ratePerSecond: settings.rateLimitPerSecond,
      burst: 2 * settings.rateLimitPerSecond,
    }),
    adminFailureLimiter: new RateLimiter({
      ratePerSecond: settings.adminFailureRateLimitPerSecond,
      burst: 10 * settings.adminFailureRateLimitPerSecond,
    }),
    now,
  };
  handler = createRequestHandler(service);

  const reload = async (): Promise<void> => {
    try {
      if (await keys.reload())
        logger.info('keys reloaded', {
          kids: keys
            .jwks()
            .keys.map((k) => k.kid)
            .join(','),
        });
      if (settings.tls && 'setSecureContext' in server) {
        (server as ReturnType<typeof createHttpsServer>).setSecureContext(readTls(settings.tls));
      }
    } catch (error) {
      // Keep serving with what is loaded: a half-copied key directory must not take the service down.
      logger.error('reload failed; keeping the loaded keys', { error: (error as Error).message });
    }
  };
  const timer = settings.keyReloadIntervalMs > 0 ? setInterval(reload, settings.keyReloadIntervalMs) : undefined;
  timer?.unref();

  logger.info('issuer listening', { url: listenOrigin + issuerPath, issuer: issuerUrl, kid: keys.signingKey().kid });

  let closing: Promise<void> | undefined;
  return {
    url: listenOrigin + issuerPath,
    issuerUrl,
    tokenUrl,
    reload,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        if (timer) clearInterval(timer);
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

function readTls(files: TlsFiles): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE') {
        reject(new ConfigError('port', `${host}:${port} is already in use; choose another --port (0 = any free).`));
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EACCES') {
        reject(new ConfigError(port < 1024 ? 'port' : 'host', `cannot listen on ${host}:${port} (${error.code}).`));
      } else {
        reject(error);
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}
