/**
 * A loopback ID-token endpoint speaking GitHub's protocol (which the keyless-aws Jenkins token service speaks too):
 * `GET <url>[?…]&audience=<aud>` with `Authorization: Bearer <request token>`, answered by `{"value": "<jwt>"}`.
 *
 *   const endpoint = await startTokenEndpoint();              // GitHub style: url carries ?api-version=2.0
 *   const jenkins = await startTokenEndpoint({ query: null }); // Jenkins style: url without a query string
 *   env = { ...endpoint.env() }                               // ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN
 *   endpoint.failTimes(2, 503); endpoint.hang(); endpoint.next({ kind: 'status', status: 400, body: '{}' });
 *   endpoint.setClaims({ sub: 'repo:o/r:ref:refs/heads/dev' });
 *   endpoint.requests   // every request: audience, raw query string as received, authorization, answered status
 *   endpoint.issued     // every JWT minted, in order (each has a distinct jti)
 *   endpoint.secrets()  // request token + every issued JWT, for the leak check
 *   await endpoint.close();
 *
 * A wrong or missing bearer is answered 401 without consuming a scripted response. Scripted responses are used
 * once each, in order; when none is left every authorised request gets a freshly minted token.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestIssuer, decodeClaims, GITHUB_ISSUER, githubClaims, type TestIssuer } from './jwt';

export type TokenEndpointResponse =
  /** Mint a token; `claims` are merged over the endpoint's claims for this one answer. */
  | { readonly kind: 'token'; readonly claims?: Record<string, unknown>; readonly expiresIn?: number }
  | { readonly kind: 'status'; readonly status: number; readonly body?: string }
  /** Accept the request and never answer. */
  | { readonly kind: 'hang' };

export interface TokenRequest {
  readonly method: string;
  readonly path: string;
  /** The query string exactly as received, without the leading '?'. */
  readonly rawQuery: string;
  /** The audience parameter, or null when absent. */
  readonly audience: string | null;
  readonly authorization: string | undefined;
  readonly authorized: boolean;
  /** HTTP status answered, or undefined while hanging. */
  status?: number;
  /** The JWT answered, if any. */
  jwt?: string;
  jti?: string;
}

export interface TokenEndpointOptions {
  readonly issuer?: TestIssuer;
  readonly requestToken?: string;
  readonly path?: string;
  /** Query string of the advertised URL; default 'api-version=2.0' (GitHub), null for none (Jenkins style). */
  readonly query?: string | null;
  /** Claims merged over githubClaims({ aud: <requested audience> }). */
  readonly claims?: Record<string, unknown>;
  readonly expiresIn?: number;
}

export interface TokenEndpoint {
  readonly url: string;
  readonly requestToken: string;
  readonly issuer: TestIssuer;
  readonly requests: TokenRequest[];
  readonly issued: string[];
  next(...responses: TokenEndpointResponse[]): void;
  failTimes(count: number, status?: number): void;
  /** The next `count` requests (default: all from now on) are accepted and never answered. */
  hang(count?: number): void;
  setClaims(claims: Record<string, unknown>): void;
  /** ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN, or JENKINS_ID_TOKEN_REQUEST_URL/_TOKEN. */
  env(kind?: 'github' | 'jenkins'): Record<string, string>;
  secrets(): string[];
  /** Forgets requests and scripted responses; keeps claims and the issuer. */
  reset(): void;
  close(): Promise<void>;
}

export async function startTokenEndpoint(options: TokenEndpointOptions = {}): Promise<TokenEndpoint> {
  const issuer = options.issuer ?? (await createTestIssuer(GITHUB_ISSUER));
  const requestToken = options.requestToken ?? `req-${randomBytes(24).toString('hex')}`;
  const path = options.path ?? '/_apis/distributedtask/token';
  const query = options.query === undefined ? 'api-version=2.0' : options.query;
  const requests: TokenRequest[] = [];
  const issued: string[] = [];
  let queue: TokenEndpointResponse[] = [];
  let hangForever = false;
  let claims: Record<string, unknown> = options.claims ?? {};

  const answer = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const rawQuery = q >= 0 ? raw.slice(q + 1) : '';
    const params = new URLSearchParams(rawQuery);
    const authorization = req.headers.authorization;
    const authorized = authorization === `Bearer ${requestToken}`;
    const record: TokenRequest = {
      method: req.method ?? '',
      path: q >= 0 ? raw.slice(0, q) : raw,
      rawQuery,
      audience: params.get('audience'),
      authorization,
      authorized,
    };
    requests.push(record);
    if (!authorized) {
      record.status = 401;
      answer(res, 401, JSON.stringify({ message: 'Bad credentials' }));
      return;
    }
    const scripted = queue.shift() ?? (hangForever ? { kind: 'hang' as const } : { kind: 'token' as const });
    if (scripted.kind === 'hang') return;
    if (scripted.kind === 'status') {
      record.status = scripted.status;
      answer(res, scripted.status, scripted.body ?? JSON.stringify({ message: `HTTP ${scripted.status}` }));
      return;
    }
    const audience = record.audience ?? `https://github.com/${String(githubClaims().repository_owner)}`;
    const jwt = await issuer.sign(
      { ...githubClaims({ aud: audience }), ...claims, ...scripted.claims },
      { expiresIn: scripted.expiresIn ?? options.expiresIn ?? 300 },
    );
    issued.push(jwt);
    record.jwt = jwt;
    record.jti = String(decodeClaims(jwt).jti);
    record.status = 200;
    answer(res, 200, JSON.stringify({ count: 1, value: jwt }));
  };

  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      handle(req, res).catch((error: Error) => answer(res, 500, JSON.stringify({ message: error.message })));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}${path}${query ? `?${query}` : ''}`;

  return {
    url,
    requestToken,
    issuer,
    requests,
    issued,
    next: (...responses) => {
      queue.push(...responses);
    },
    failTimes: (count, status = 500) => {
      for (let i = 0; i < count; i++) queue.push({ kind: 'status', status });
    },
    hang: (count) => {
      if (count === undefined) hangForever = true;
      else for (let i = 0; i < count; i++) queue.push({ kind: 'hang' });
    },
    setClaims: (next) => {
      claims = next;
    },
    env: (kind = 'github'): Record<string, string> =>
      kind === 'github'
        ? { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken }
        : { JENKINS_ID_TOKEN_REQUEST_URL: url, JENKINS_ID_TOKEN_REQUEST_TOKEN: requestToken },
    secrets: () => [requestToken, ...issued],
    reset: () => {
      requests.length = 0;
      queue = [];
      hangForever = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
