/**
 * A loopback Amazon Cognito Identity endpoint for the basic ("classic") flow, speaking the real JSON 1.1 wire
 * protocol the SDK speaks: `POST /`, `Content-Type: application/x-amz-json-1.1`,
 * `X-Amz-Target: AWSCognitoIdentityService.GetId | .GetOpenIdToken`; errors as `{"__type", "message"}` bodies with
 * an `x-amzn-ErrorType: <Type>:` header and the status real Cognito uses (400, 500 for InternalErrorException).
 *
 *   const cognito = await startCognitoFake({ principalTags: { repository: 'repository', actor: 'actor' } });
 *   // point the product at it: cognito-endpoint = cognito.url, cognito-identity-pool-id = cognito.poolId
 *   cognito.failNext('GetId', COGNITO_FAULTS.throttled, 2);   // scripted faults, consumed in order
 *   cognito.requests      // every request: operation, headers, parsed body, the CI token sent as login
 *   cognito.issued        // every token GetOpenIdToken handed out (raw JWT + claims), to compare with what STS got
 *   await cognito.close();
 *
 * Without scripting it behaves like a pool configured as the options say, so most error cases are produced the way
 * AWS produces them: an unknown pool id → ResourceNotFoundException; a login key that is not the token's issuer, an
 * issuer the pool does not list, or an audience the provider does not list → NotAuthorizedException; classic flow
 * off → InvalidParameterException from GetOpenIdToken. The token it issues mirrors a real Cognito token: RS512,
 * kid `<region>1`, `sub` = identity id, `aud` = pool id, `amr`, and `https://aws.amazon.com/tags` with the principal
 * tags mapped (tag ← claim) from the CI token. With `jwks`, CI token signatures and expiry are verified too.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  createLocalJWKSet,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';

export const DEFAULT_POOL_ID = 'eu-west-1:11111111-2222-3333-4444-555555555555';
export const DEFAULT_POOL_ACCOUNT = '111111111111';
export const GITHUB_PROVIDER = 'token.actions.githubusercontent.com';
export const COGNITO_TOKEN_ISSUER = 'https://cognito-identity.amazonaws.com';
export const TAGS_CLAIM = 'https://aws.amazon.com/tags';

export type CognitoOperation = 'GetId' | 'GetOpenIdToken';

export interface CognitoError {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}
/** A scripted failure: an AWS error answer, a non-JSON gateway answer, or a connection dropped mid-request. */
export type CognitoFault = CognitoError | { readonly gateway: number } | 'reset';

/** The answers real Cognito gives in the situations users hit (messages as observed in the wild). */
export const COGNITO_FAULTS = {
  classicFlowDisabled: {
    status: 400,
    type: 'InvalidParameterException',
    message: 'Basic (classic) flow is not enabled, please use enhanced flow.',
  },
  notAuthorized: {
    status: 400,
    type: 'NotAuthorizedException',
    message: 'Token is not from a supported provider of this identity pool.',
  },
  throttled: { status: 400, type: 'TooManyRequestsException', message: 'Rate exceeded' },
  internal: { status: 500, type: 'InternalErrorException', message: 'An internal error occurred.' },
  badGateway: { gateway: 502 },
  reset: 'reset',
} as const satisfies Record<string, CognitoFault>;

export interface CognitoFakeOptions {
  /** The one pool this endpoint knows; its prefix is the region (kid, identity ids, ARNs). */
  readonly poolId?: string;
  /** Account owning the pool and the IAM OIDC providers. */
  readonly accountId?: string;
  /** Provider name (issuer without https://) → client ids of its IAM OIDC provider. Default: GitHub → Cognito's. */
  readonly providers?: Readonly<Record<string, readonly string[]>>;
  /** Attributes for access control: tag key ← claim name, applied to every provider. */
  readonly principalTags?: Readonly<Record<string, string>>;
  /** AllowClassicFlow of the pool; default true. */
  readonly allowClassicFlow?: boolean;
  /** When given, CI tokens must be signed by one of these keys and unexpired (5 minutes of skew, as Cognito). */
  readonly jwks?: { readonly keys: JWK[] };
  /** Lifetime of issued tokens in seconds; GetOpenIdToken's is 600. */
  readonly tokenLifetimeSeconds?: number;
}

export interface CognitoRequest {
  readonly operation: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
  /** The CI token sent as the (single) login value, if any. */
  readonly ciToken?: string;
  /** The Logins key sent, if any. */
  readonly loginKey?: string;
}

export interface IssuedCognitoToken {
  readonly token: string;
  readonly identityId: string;
  readonly claims: JWTPayload & Record<string, unknown>;
}

export interface CognitoFake {
  readonly url: string;
  readonly poolId: string;
  readonly region: string;
  readonly accountId: string;
  readonly kid: string;
  readonly requests: CognitoRequest[];
  readonly issued: IssuedCognitoToken[];
  /** The public key of the tokens it issues, as Cognito serves it at /.well-known/jwks_uri. */
  jwks(): { keys: JWK[] };
  /** The next `times` requests for `operation` ('*' = any) fail with `fault`, before any other processing. */
  failNext(operation: CognitoOperation | '*', fault: CognitoFault, times?: number): void;
  /** CI tokens (login values) of the recorded requests, in order. */
  ciTokens(operation?: CognitoOperation): string[];
  reset(): void;
  close(): Promise<void>;
}

const POOL_ID = /^([\w-]+):[0-9a-f-]+$/;
const CLOCK_SKEW_SECONDS = 300;

class CognitoFailure extends Error {
  constructor(readonly answer: CognitoError) {
    super(answer.message);
  }
}

const fail = (type: string, message: string, status = 400): never => {
  throw new CognitoFailure({ status, type, message });
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: CognitoError): void {
  sendJson(
    res,
    error.status,
    { __type: error.type, message: error.message },
    { 'x-amzn-errortype': `${error.type}:`, 'x-amzn-errormessage': error.message },
  );
}

export async function startCognitoFake(options: CognitoFakeOptions = {}): Promise<CognitoFake> {
  const poolId = options.poolId ?? DEFAULT_POOL_ID;
  const region = POOL_ID.exec(poolId)?.[1];
  if (!region) throw new Error(`cognito-fake: "${poolId}" is not a pool id`);
  const accountId = options.accountId ?? DEFAULT_POOL_ACCOUNT;
  const providers = options.providers ?? { [GITHUB_PROVIDER]: ['cognito-identity.amazonaws.com'] };
  const principalTagMap = options.principalTags ?? {};
  const allowClassicFlow = options.allowClassicFlow ?? true;
  const lifetime = options.tokenLifetimeSeconds ?? 600;
  const verifyKeys = options.jwks ? createLocalJWKSet(options.jwks) : undefined;

  const kid = `${region}1`;
  const { privateKey, publicKey } = await generateKeyPair('RS512', { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS512', use: 'sig' };

  const requests: CognitoRequest[] = [];
  const issued: IssuedCognitoToken[] = [];
  const faults: Array<{ operation: CognitoOperation | '*'; fault: CognitoFault }> = [];
  /** (provider, external sub) → identity id: one identity per external user, as Cognito does. */
  const identities = new Map<string, string>();
  const identityLogins = new Map<string, string>();

  /** Validates the single login the way Cognito does; returns provider and the CI token's claims. */
  async function validateLogins(logins: unknown): Promise<{ provider: string; claims: Record<string, unknown> }> {
    if (logins === undefined || logins === null || Object.keys(logins as object).length === 0) {
      fail('NotAuthorizedException', 'Unauthenticated access is not supported for this identity pool.');
    }
    if (typeof logins !== 'object') return fail('InvalidParameterException', 'Logins must be a map.');
    const entries = Object.entries(logins as Record<string, unknown>);
    if (entries.length !== 1) fail('InvalidParameterException', 'This fake supports exactly one login.');
    const [provider, value] = entries[0] as [string, unknown];
    if (typeof value !== 'string' || value.length === 0 || value.length > 50000) {
      return fail(
        'InvalidParameterException',
        "1 validation error detected: Value at 'logins' failed to satisfy constraint.",
      );
    }
    let claims: Record<string, unknown>;
    try {
      claims = decodeJwt(value);
    } catch {
      return fail('NotAuthorizedException', 'Invalid login token. Not a valid OpenId Connect identity token.');
    }
    const issuer = typeof claims.iss === 'string' ? claims.iss.replace(/^https:\/\//, '') : '';
    if (issuer !== provider) fail('NotAuthorizedException', "Invalid login token. Issuer doesn't match providerName");
    const audiences = providers[provider];
    if (!audiences) fail('NotAuthorizedException', 'Token is not from a supported provider of this identity pool.');
    const audience = claims.azp ?? claims.aud;
    const presented = Array.isArray(audience) ? audience : audience === undefined ? [] : [audience];
    if (presented.length === 0) fail('NotAuthorizedException', 'Invalid login token. Missing a required claim: aud');
    if (!presented.some((a) => audiences?.includes(String(a)))) {
      fail('NotAuthorizedException', 'Invalid login token. Incorrect token audience.');
    }
    if (verifyKeys) {
      try {
        await jwtVerify(value, verifyKeys, { clockTolerance: CLOCK_SKEW_SECONDS });
      } catch (error) {
        const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
        fail(
          'NotAuthorizedException',
          expired ? 'Invalid login token. Token expired.' : "Invalid login token. Couldn't verify signed token.",
        );
      }
    }
    return { provider, claims };
  }

  function checkPool(id: unknown): void {
    if (typeof id !== 'string' || !POOL_ID.test(id) || id.length > 55) {
      fail(
        'InvalidParameterException',
        "1 validation error detected: Value at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
      );
    }
    if (id !== poolId) fail('ResourceNotFoundException', `IdentityPool '${String(id)}' not found.`);
  }

  async function getId(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    checkPool(body.IdentityPoolId);
    if (body.AccountId !== undefined && !/^\d{1,15}$/.test(String(body.AccountId))) {
      fail(
        'InvalidParameterException',
        "1 validation error detected: Value at 'accountId' failed to satisfy constraint.",
      );
    }
    const { provider, claims } = await validateLogins(body.Logins);
    const key = `${provider}\n${String(claims.sub)}`;
    let identityId = identities.get(key);
    if (!identityId) {
      identityId = `${region}:${randomUUID()}`;
      identities.set(key, identityId);
      identityLogins.set(identityId, provider);
    }
    return { IdentityId: identityId };
  }

  async function getOpenIdToken(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const identityId = body.IdentityId;
    if (typeof identityId !== 'string' || !identityLogins.has(identityId)) {
      fail('ResourceNotFoundException', `Identity '${String(identityId)}' not found.`);
    }
    const { provider, claims } = await validateLogins(body.Logins);
    if (identityLogins.get(identityId as string) !== provider) {
      fail(
        'NotAuthorizedException',
        "Logins don't match. Please include at least one valid login for this identity or identity pool.",
      );
    }
    if (!allowClassicFlow) fail('InvalidParameterException', COGNITO_FAULTS.classicFlowDisabled.message);
    const tags: Record<string, string[]> = {};
    for (const [tagKey, claimName] of Object.entries(principalTagMap)) {
      const value = claims[claimName];
      if (typeof value === 'string' && value !== '') tags[tagKey] = [value];
    }
    const iat = Math.floor(Date.now() / 1000);
    const payload: JWTPayload & Record<string, unknown> = {
      sub: identityId as string,
      aud: poolId,
      amr: [
        'authenticated',
        provider,
        `arn:aws:iam::${accountId}:oidc-provider/${provider}:OIDC:${String(claims.sub)}`,
      ],
      ...(Object.keys(tags).length > 0 ? { [TAGS_CLAIM]: { principal_tags: tags } } : {}),
      iss: COGNITO_TOKEN_ISSUER,
      'https://cognito-identity.amazonaws.com/identity-pool-arn': `arn:aws:cognito-identity:${region}:${accountId}:identitypool/${poolId}`,
      exp: iat + lifetime,
      iat,
    };
    const token = await new SignJWT(payload).setProtectedHeader({ kid, typ: 'JWS', alg: 'RS512' }).sign(privateKey);
    issued.push({ token, identityId: identityId as string, claims: payload });
    return { IdentityId: identityId, Token: token };
  }

  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.startsWith('AWSCognitoIdentityService.') ? target.slice(26) : target;
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          body = {};
        }
        const logins = body.Logins && typeof body.Logins === 'object' ? Object.entries(body.Logins) : [];
        const login = logins[0] as [string, unknown] | undefined;
        requests.push({
          operation,
          headers: req.headers,
          body,
          ...(login ? { loginKey: login[0] } : {}),
          ...(login && typeof login[1] === 'string' ? { ciToken: login[1] } : {}),
        });

        const index = faults.findIndex((f) => f.operation === '*' || f.operation === operation);
        if (index >= 0) {
          const { fault } = faults.splice(index, 1)[0]!;
          if (fault === 'reset') {
            req.socket.destroy();
            return;
          }
          if ('gateway' in fault) {
            res.writeHead(fault.gateway, { 'content-type': 'text/html' });
            res.end('<html><body>Bad Gateway</body></html>');
            return;
          }
          sendError(res, fault);
          return;
        }
        try {
          if (req.method !== 'POST' || (req.url ?? '/') !== '/') {
            fail('UnknownOperationException', `${req.method} ${req.url} is not a Cognito Identity request.`);
          }
          if (req.headers['content-type'] !== 'application/x-amz-json-1.1') {
            fail('SerializationException', `Unsupported Content-Type ${String(req.headers['content-type'])}.`);
          }
          if (operation === 'GetId') sendJson(res, 200, await getId(body));
          else if (operation === 'GetOpenIdToken') sendJson(res, 200, await getOpenIdToken(body));
          else fail('UnknownOperationException', `Unknown operation ${target}.`);
        } catch (error) {
          if (error instanceof CognitoFailure) sendError(res, error.answer);
          else sendError(res, { status: 500, type: 'InternalErrorException', message: String(error) });
        }
      })();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    poolId,
    region,
    accountId,
    kid,
    requests,
    issued,
    jwks: () => ({ keys: [publicJwk] }),
    failNext(operation, fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push({ operation, fault });
    },
    ciTokens(operation) {
      return requests
        .filter((r) => operation === undefined || r.operation === operation)
        .flatMap((r) => (r.ciToken === undefined ? [] : [r.ciToken]));
    },
    reset() {
      requests.length = 0;
      issued.length = 0;
      faults.length = 0;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
