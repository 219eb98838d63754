// The HTTP API end to end over loopback: documents, registration, ID tokens verified against the served JWKS,
// and every rejection path.
import { request as httpRequest } from 'node:http';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  ADMIN_SECRET,
  craftRequestToken,
  register,
  registerOk,
  removeTempDirs,
  requestIdToken,
  requestTokenKey,
  startTestIssuer,
  type TestIssuer,
} from './support';

let main: TestIssuer;

beforeAll(async () => {
  main = await startTestIssuer({
    issuerUrl: undefined,
    audiences: ['sts.amazonaws.com', 'cognito-identity.amazonaws.com'],
    tokenTtlSeconds: 300,
    // BUILD carries `release`, and one test sets `sub` itself: both only because the operator allows them.
    allowedClaims: ['release', 'sub'],
  });
});

afterAll(async () => {
  await main.issuer.close();
  await removeTempDirs();
});

const BUILD = {
  job: 'team/app',
  build_number: 42,
  build_url: 'https://jenkins.example.com/job/team/job/app/42/',
  branch: 'main',
  commit: '0123456789abcdef0123456789abcdef01234567',
  node: 'linux-1',
  triggered_by: 'alice',
  release: true,
};

describe('discovery', () => {
  test('openid-configuration names the issuer, the JWKS and RS256', async () => {
    const response = await fetch(`${main.issuer.url}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    const doc = await response.json();
    expect(doc).toEqual({
      issuer: main.issuer.issuerUrl,
      authorization_endpoint: `${main.issuer.issuerUrl}/authorize`,
      jwks_uri: `${main.issuer.issuerUrl}/.well-known/jwks`,
      scopes_supported: ['openid'],
      response_types_supported: ['id_token'],
      grant_types_supported: ['implicit'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      claims_supported: expect.arrayContaining(['sub', 'aud', 'iss', 'exp', 'iat', 'jti', 'job', 'build_number']),
    });
  });

  test('JWKS has public RSA signing keys only', async () => {
    const response = await fetch(`${main.issuer.url}/.well-known/jwks`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    const { keys } = (await response.json()) as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(1);
    const [key] = keys;
    expect(Object.keys(key!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(Buffer.from(key!.n!, 'base64url').length * 8).toBe(2048);
  });

  test('healthz, unknown routes and wrong methods answer JSON', async () => {
    const health = await fetch(`${main.issuer.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);

    const missing = await fetch(`${main.issuer.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found', message: expect.any(String) });

    const wrong = await fetch(`${main.issuer.url}/token`, { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(await wrong.json()).toMatchObject({ error: 'method_not_allowed' });

    const wrongAdmin = await fetch(`${main.issuer.url}/request-tokens`);
    expect(wrongAdmin.status).toBe(405);
  });
});

describe('registration and ID tokens', () => {
  test('a registered build gets ID tokens that verify against the served JWKS', async () => {
    const registration = await registerOk(main.issuer, BUILD);
    expect(registration.token_url).toBe(`${main.issuer.issuerUrl}/token`);
    expect(Date.parse(registration.expires_at) / 1000).toBeCloseTo(Date.now() / 1000 + 21_600, -1);

    const response = await requestIdToken(registration.token_url, registration.request_token, 'sts.amazonaws.com');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { value } = (await response.json()) as { value: string };

    const jwks = createRemoteJWKSet(new URL(`${main.issuer.issuerUrl}/.well-known/jwks`));
    const { payload, protectedHeader } = await jwtVerify(value, jwks, {
      issuer: main.issuer.issuerUrl,
      audience: 'sts.amazonaws.com',
      algorithms: ['RS256'],
    });
    const served = (await (await fetch(`${main.issuer.url}/.well-known/jwks`)).json()) as { keys: { kid: string }[] };
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: served.keys[0]!.kid });
    expect(payload).toMatchObject({ ...BUILD, sub: 'job:team/app:build:42', aud: 'sts.amazonaws.com' });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(payload.nbf).toBeLessThanOrEqual(payload.iat!);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('each token has its own jti; the default audience is the first allowed one', async () => {
    const { request_token, token_url } = await registerOk(main.issuer, { sub: 'custom:subject', job: 'x' });
    const first = decodeJwt(
      ((await (await requestIdToken(token_url, request_token)).json()) as { value: string }).value,
    );
    const second = decodeJwt(
      (
        (await (await requestIdToken(token_url, request_token, 'cognito-identity.amazonaws.com')).json()) as {
          value: string;
        }
      ).value,
    );
    expect(first.aud).toBe('sts.amazonaws.com');
    expect(first.sub).toBe('custom:subject');
    expect(second.aud).toBe('cognito-identity.amazonaws.com');
    expect(first.jti).not.toBe(second.jti);
  });

  test('registered audiences restrict the build, and their order sets the default', async () => {
    const { request_token, token_url } = await registerOk(main.issuer, {
      job: 'a',
      build_number: 1,
      audiences: ['cognito-identity.amazonaws.com'],
    });
    const fallback = await requestIdToken(token_url, request_token);
    expect(decodeJwt(((await fallback.json()) as { value: string }).value).aud).toBe('cognito-identity.amazonaws.com');
    const refused = await requestIdToken(token_url, request_token, 'sts.amazonaws.com');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_audience' });
  });

  test('ID tokens never outlive the request token', async () => {
    const { request_token, token_url, expires_at } = await registerOk(main.issuer, {
      job: 'short',
      build_number: 7,
      lifetime: 120,
    });
    const { value } = (await (await requestIdToken(token_url, request_token)).json()) as { value: string };
    const claims = decodeJwt(value);
    expect(claims.exp).toBe(Date.parse(expires_at) / 1000);
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(120);
  });

  test('the job name is encoded in the derived sub so ":" stays a separator', async () => {
    const { request_token, token_url } = await registerOk(main.issuer, { job: 'odd:name%', build_number: '9' });
    const { value } = (await (await requestIdToken(token_url, request_token)).json()) as { value: string };
    expect(decodeJwt(value).sub).toBe('job:odd%3Aname%25:build:9');
  });
});

describe('registration is refused', () => {
  test.each([
    ['no Authorization header', null],
    ['a wrong secret', 'not-the-secret'],
    ['the secret with a suffix', `${ADMIN_SECRET}x`],
  ])('with %s (401, one message for all)', async (_label, secret) => {
    const response = await register(main.issuer, BUILD, { secret });
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body).toEqual({
      error: 'unauthorized',
      message: expect.stringMatching(/^Admin authentication failed: send Authorization: Bearer <admin secret>, /),
    });
  });

  test.each(['iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'azp', 'nonce', 'token_use', 'AUD'])(
    'when it sets the reserved claim %s (400)',
    async (name) => {
      const response = await register(main.issuer, { ...BUILD, [name]: 'x' });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_request', message: expect.stringContaining(name) });
    },
  );

  test.each([
    ['an array body', [1, 2]],
    ['no sub and no job', { branch: 'main' }],
    ['a job without build number', { job: 'app' }],
    ['a nested claim', { ...BUILD, extra: { a: 1 } }],
    ['a null claim', { ...BUILD, extra: null }],
    ['an audience the issuer does not allow', { ...BUILD, audiences: ['evil.example.com'] }],
    ['a lifetime above the maximum', { ...BUILD, lifetime: 21_601 }],
    ['a non-integer lifetime', { ...BUILD, lifetime: '100' }],
  ])('with %s (400)', async (_label, body) => {
    const response = await register(main.issuer, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  test('with a body that is not JSON (400) or not declared as JSON (415)', async () => {
    expect((await register(main.issuer, undefined, { rawBody: '{nope' })).status).toBe(400);
    const form = await register(main.issuer, undefined, {
      rawBody: 'a=b',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
  });

  test('with a body over 64 KiB (413), declared or streamed', async () => {
    const big = { ...BUILD, padding: 'x'.repeat(70 * 1024) };
    const declared = await register(main.issuer, big);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: 'payload_too_large' });

    // Chunked, without Content-Length: the limit must hold while streaming too.
    const url = new URL(`${main.issuer.url}/request-tokens`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_SECRET}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('x'.repeat(8 * 1024));
      req.end();
    });
    expect(status).toBe(413);
  });
});

describe('token requests are refused', () => {
  const GENERIC = { error: 'invalid_token', message: 'The request token is missing, invalid or expired.' };

  async function expectGeneric401(token: string | undefined): Promise<void> {
    const response = await requestIdToken(main.issuer.tokenUrl, token, 'sts.amazonaws.com');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await response.json()).toEqual(GENERIC);
  }

  test('without a request token', async () => {
    await expectGeneric401(undefined);
  });

  test('with garbage', async () => {
    await expectGeneric401('not.a.jwt');
  });

  test('with a token forged with another secret', async () => {
    await expectGeneric401(await craftRequestToken(main.issuer.issuerUrl, new Uint8Array(32).fill(7)));
  });

  test('with an expired token (correctly signed)', async () => {
    const key = await requestTokenKey(main.keysDir);
    const valid = await craftRequestToken(main.issuer.issuerUrl, key);
    expect((await requestIdToken(main.issuer.tokenUrl, valid)).status).toBe(200); // the crafting itself is right
    await expectGeneric401(
      await craftRequestToken(main.issuer.issuerUrl, key, { exp: Math.floor(Date.now() / 1000) - 1 }),
    );
  });

  test('with the wrong token kind or issuer (correctly signed)', async () => {
    const key = await requestTokenKey(main.keysDir);
    await expectGeneric401(await craftRequestToken(main.issuer.issuerUrl, key, { typ: 'JWT' }));
    await expectGeneric401(await craftRequestToken(main.issuer.issuerUrl, key, { payload: { token_use: 'id' } }));
    await expectGeneric401(await craftRequestToken(main.issuer.issuerUrl, key, { payload: { iss: 'https://other' } }));
  });

  test('with a request token meant for another endpoint (wrong aud, correctly signed)', async () => {
    const key = await requestTokenKey(main.keysDir);
    const issuer = main.issuer.issuerUrl;
    for (const aud of [issuer, `${issuer}/request-tokens`, 'https://other.example.com/token', [`${issuer}/other`]]) {
      await expectGeneric401(await craftRequestToken(issuer, key, { payload: { aud } }));
    }
    // Without aud at all it is refused too.
    await expectGeneric401(await craftRequestToken(issuer, key, { payload: { aud: undefined } }));
  });

  test('with jti or sub missing (correctly signed)', async () => {
    const key = await requestTokenKey(main.keysDir);
    await expectGeneric401(await craftRequestToken(main.issuer.issuerUrl, key, { payload: { jti: undefined } }));
    await expectGeneric401(await craftRequestToken(main.issuer.issuerUrl, key, { payload: { sub: undefined } }));
  });

  test('with tampered claims', async () => {
    const { request_token } = await registerOk(main.issuer, BUILD);
    const [header, payload, signature] = request_token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    claims.sub = 'job:prod-deploy:build:1';
    claims.audiences = ['sts.amazonaws.com', 'cognito-identity.amazonaws.com'];
    const tampered = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    await expectGeneric401(tampered);
  });

  test('with an ID token presented as a request token', async () => {
    const { request_token, token_url } = await registerOk(main.issuer, BUILD);
    const { value } = (await (await requestIdToken(token_url, request_token)).json()) as { value: string };
    expect(decodeProtectedHeader(value).alg).toBe('RS256');
    await expectGeneric401(value);
  });

  test('with the admin secret presented as a request token', async () => {
    await expectGeneric401(ADMIN_SECRET);
  });

  test('with an unknown audience (400) or the audience given twice (400)', async () => {
    const { request_token, token_url } = await registerOk(main.issuer, BUILD);
    const unknown = await requestIdToken(token_url, request_token, 'https://evil.example.com');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: 'invalid_audience' });
    const twice = await fetch(`${token_url}?audience=sts.amazonaws.com&audience=sts.amazonaws.com`, {
      headers: { authorization: `Bearer ${request_token}` },
    });
    expect(twice.status).toBe(400);
  });
});

describe('logging', () => {
  test('one JSON line per request, with sub and jti but never a token, a secret or the query', async () => {
    const { request_token, token_url } = await registerOk(main.issuer, { ...BUILD, job: 'logged' });
    const { value } = (await (await requestIdToken(token_url, request_token, 'sts.amazonaws.com')).json()) as {
      value: string;
    };
    await register(main.issuer, BUILD, { secret: 'wrong-secret-value' });

    const lines = main.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const tokenLine = lines.find((l) => l.path === '/token' && l.sub === 'job:logged:build:42' && l.status === 200);
    expect(tokenLine).toMatchObject({
      method: 'GET',
      status: 200,
      duration_ms: expect.any(Number),
      jti: expect.any(String),
    });
    const all = main.logs.join('\n');
    for (const secret of [request_token, value, ADMIN_SECRET, 'wrong-secret-value', 'audience=']) {
      expect(all).not.toContain(secret);
    }
  });
});
