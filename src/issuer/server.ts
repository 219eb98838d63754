/**
 * Routes of the token service. Every path is relative to the issuer URL's path (issuer https://h/oidc → /oidc/…).
 *
 *   GET  /.well-known/openid-configuration   public
 *   GET  /.well-known/jwks                   public
 *   GET  /authorize                          public, always 400: no interactive sign-in (named by discovery)
 *   GET  /healthz                            public
 *   POST /request-tokens                     admin secret (the Jenkins controller)
 *   GET  /token?audience=…                   request token (the build)
 *
 * One JSON log line per request; it names the route, status, timing and the build's sub/jti, never a token, a
 * secret or the query string.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRegistration } from './build-claims';
import { clientAddress } from './client-address';
import type { IssuerSettings } from './config';
import { AUTHORIZATION_PATH, DISCOVERY_PATH, discoveryDocument, JWKS_PATH } from './discovery';
import { HttpError, invalidAdminCredentials, invalidRequestToken } from './errors';
import { bearerToken, errorResponse, type JsonResponse, readJsonBody, sendJson } from './http-io';
import { signIdToken } from './id-tokens';
import { JWKS_MAX_AGE_SECONDS, KEY_PROPAGATION_SECONDS, type KeyStore } from './keys';
import type { LogFields, Logger } from './log';
import type { RateLimiter } from './rate-limit';
import { issueRequestToken, verifyRequestToken } from './request-tokens';

export interface ServiceContext {
  readonly settings: IssuerSettings;
  readonly issuerUrl: string;
  readonly tokenUrl: string;
  readonly keys: KeyStore;
  readonly logger: Logger;
  /** Per request-token jti, on GET /token. */
  readonly tokenLimiter: RateLimiter;
  /** Per client address, counting failed admin authentications only. */
  readonly adminFailureLimiter: RateLimiter;
  /** Unix seconds. */
  readonly now: () => number;
}

interface Exchange {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** Non-secret facts learnt while handling (sub, jti), added to the request's log line. */
  readonly log: Record<string, string | number | undefined>;
}

type Handler = (service: ServiceContext, exchange: Exchange) => Promise<JsonResponse>;

const PUBLIC_CACHE = `public, max-age=${JWKS_MAX_AGE_SECONDS}`;
const NO_STORE = { 'cache-control': 'no-store' };

const routes: ReadonlyMap<string, Readonly<Record<string, Handler>>> = new Map<string, Record<string, Handler>>([
  [DISCOVERY_PATH, { GET: getDiscovery, HEAD: getDiscovery }],
  [JWKS_PATH, { GET: getJwks, HEAD: getJwks }],
  [AUTHORIZATION_PATH, { GET: refuseAuthorization, POST: refuseAuthorization }],
  ['/healthz', { GET: getHealth, HEAD: getHealth }],
  ['/request-tokens', { POST: postRequestToken }],
  ['/token', { GET: getToken }],
]);

export function createRequestHandler(service: ServiceContext): (req: IncomingMessage, res: ServerResponse) => void {
  const basePath = new URL(service.issuerUrl).pathname.replace(/\/$/, '');
  return (req, res) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://issuer.invalid');
    const exchange: Exchange = { req, url, log: {} };
    void respond(service, basePath, exchange)
      .then((response) => {
        sendJson(res, response);
        const fields: LogFields = {
          method: req.method,
          path: url.pathname,
          status: response.status,
          duration_ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
          remote: req.socket.remoteAddress,
          ...exchange.log,
        };
        service.logger.info('request', fields);
      })
      .catch((error: unknown) => {
        // Only reachable if writing the answer itself failed (e.g. the client vanished); nothing left to tell it.
        service.logger.error('response failed', { path: url.pathname, error: (error as Error).message });
      });
  };
}

async function respond(service: ServiceContext, basePath: string, exchange: Exchange): Promise<JsonResponse> {
  try {
    const { pathname } = exchange.url;
    const route = pathname.startsWith(basePath) ? routes.get(pathname.slice(basePath.length)) : undefined;
    if (!route) throw new HttpError(404, 'not_found', `No such endpoint: ${pathname}.`);
    const handler = route[exchange.req.method ?? ''];
    if (!handler) {
      const allowed = Object.keys(route).join(', ');
      throw new HttpError(405, 'method_not_allowed', `Use ${allowed} for ${pathname}.`, { allow: allowed });
    }
    assertKeysCurrent(service);
    return await handler(service, exchange);
  } catch (error) {
    if (error instanceof HttpError) return errorResponse(error);
    service.logger.error('unexpected error', { error: error instanceof Error ? error.message : String(error) });
    return errorResponse(new HttpError(500, 'internal_error', 'The issuer failed to handle the request.'));
  }
}

/**
 * An instance that has not re-read the key directory for KEY_PROPAGATION_SECONDS may lack a key the other instances
 * already publish, and key activation counts on every instance publishing within that time (keys.ts): its JWKS
 * could send a verifier away without the key the next tokens are signed with. So it stops answering (503; /healthz
 * too, so load balancers take it out) until a reload succeeds. Only with periodic reloads: an embedder that
 * reloads by hand (interval 0) owns the timing.
 */
function assertKeysCurrent(service: ServiceContext): void {
  if (service.settings.keyReloadIntervalMs === 0) return;
  const behind = service.keys.secondsSinceRead();
  if (behind <= KEY_PROPAGATION_SECONDS) return;
  throw new HttpError(
    503,
    'keys_unavailable',
    `This instance has not been able to re-read its key directory for ${behind} s, so it may be missing a new ` +
      'key; it answers again once a reload succeeds (see its log).',
    { 'retry-after': '30' },
  );
}

async function getDiscovery(service: ServiceContext): Promise<JsonResponse> {
  return { status: 200, body: discoveryDocument(service.issuerUrl), headers: { 'cache-control': PUBLIC_CACHE } };
}

async function getJwks(service: ServiceContext): Promise<JsonResponse> {
  return { status: 200, body: service.keys.jwks(), headers: { 'cache-control': PUBLIC_CACHE } };
}

/** The authorization endpoint discovery must name. Nothing is ever authorized here; the answer says where to go. */
async function refuseAuthorization(service: ServiceContext): Promise<JsonResponse> {
  throw new HttpError(
    400,
    'unauthorized_client',
    'This issuer has no interactive sign-in: it issues ID tokens only to CI builds registered by the Jenkins ' +
      `controller, which fetch them from ${service.tokenUrl} with their request token.`,
  );
}

async function getHealth(): Promise<JsonResponse> {
  return { status: 200, body: { status: 'ok' }, headers: NO_STORE };
}

async function postRequestToken(service: ServiceContext, exchange: Exchange): Promise<JsonResponse> {
  authenticateAdmin(service, exchange);
  const registration = parseRegistration(await readJsonBody(exchange.req), {
    allowedAudiences: service.settings.audiences,
    maxLifetimeSeconds: service.settings.requestTokenTtlSeconds,
    allowedClaimNames: service.settings.allowedClaims,
  });
  const issued = await issueRequestToken(registration, {
    key: service.keys.requestTokenKey,
    issuerUrl: service.issuerUrl,
    now: service.now,
  });
  exchange.log.sub = registration.sub;
  exchange.log.jti = issued.jti;
  return {
    status: 201,
    body: {
      request_token: issued.token,
      token_url: service.tokenUrl,
      expires_at: new Date(issued.expiresAt * 1000).toISOString(),
    },
    headers: NO_STORE,
  };
}

async function getToken(service: ServiceContext, exchange: Exchange): Promise<JsonResponse> {
  const presented = bearerToken(exchange.req);
  const grant =
    presented === undefined
      ? undefined
      : await verifyRequestToken(presented, {
          key: service.keys.requestTokenKey,
          issuerUrl: service.issuerUrl,
          now: service.now,
        });
  if (!grant) throw invalidRequestToken();
  exchange.log.sub = grant.sub;
  exchange.log.jti = grant.jti;

  const limit = service.tokenLimiter.take(grant.jti);
  if (!limit.allowed) {
    throw new HttpError(429, 'rate_limited', 'Too many token requests for this build; retry later.', {
      'retry-after': String(limit.retryAfterSeconds),
    });
  }

  const audience = chooseAudience(exchange.url.searchParams.getAll('audience'), grant.audiences, service);
  const now = service.now();
  const idToken = await signIdToken({
    grant,
    audience,
    issuerUrl: service.issuerUrl,
    tokenTtlSeconds: service.settings.tokenTtlSeconds,
    key: service.keys.signingKey(),
    now,
  });
  return { status: 200, body: { value: idToken.token }, headers: NO_STORE };
}

/**
 * The requested audience must be both granted to this build and still allowed by the service (a configuration
 * change that drops an audience takes effect for outstanding request tokens too). No parameter: the first such.
 */
function chooseAudience(requested: string[], granted: readonly string[], service: ServiceContext): string {
  const usable = granted.filter((audience) => service.settings.audiences.includes(audience));
  if (requested.length > 1) throw new HttpError(400, 'invalid_request', 'Give the audience parameter at most once.');
  const [audience] = requested;
  if (audience === undefined) {
    const fallback = usable[0];
    if (fallback === undefined) throw new HttpError(400, 'invalid_audience', 'No audience is allowed for this build.');
    return fallback;
  }
  if (!usable.includes(audience)) {
    throw new HttpError(
      400,
      'invalid_audience',
      `Audience "${audience.slice(0, 256)}" is not allowed for this build; allowed: ${usable.join(', ')}.`,
    );
  }
  return audience;
}

/**
 * Checks `Authorization: Bearer <admin secret>` in constant time. Both sides are hashed first so the comparison
 * neither depends on nor leaks the secret's length. Repeated failures from one client are throttled; behind a
 * trusted reverse proxy the client is the one the proxy names (client-address.ts).
 */
function authenticateAdmin(service: ServiceContext, exchange: Exchange): void {
  const { req } = exchange;
  const client = clientAddress(req, service.settings.trustedProxies);
  if (client !== req.socket.remoteAddress) exchange.log.client = client;
  const gate = service.adminFailureLimiter.peek(client);
  if (!gate.allowed) {
    throw new HttpError(429, 'rate_limited', 'Too many failed admin authentications; retry later.', {
      'retry-after': String(gate.retryAfterSeconds),
    });
  }
  const presented = bearerToken(req);
  const expected = digest(service.settings.adminSecret);
  if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
    service.adminFailureLimiter.take(client);
    throw invalidAdminCredentials();
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
