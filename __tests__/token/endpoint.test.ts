import { EndpointError, isRetryable, type KeylessError, TokenError, TransientError } from '../../src/errors';
import { withRetry } from '../../src/net/retry';
import { endpointTokenSource, withAudience } from '../../src/token/endpoint';
import { type HostileServer, selfSignedCert, startHostileServer } from '../support/hostile-server';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

describe('withAudience', () => {
  it('appends to an existing query', () => {
    expect(withAudience('https://x/token?api-version=2.0', 'sts.amazonaws.com').href).toBe(
      'https://x/token?api-version=2.0&audience=sts.amazonaws.com',
    );
  });
  it('starts a query when the URL has none (Jenkins style)', () => {
    expect(withAudience('https://jenkins/oidc/token', 'sts.amazonaws.com').href).toBe(
      'https://jenkins/oidc/token?audience=sts.amazonaws.com',
    );
  });
  it('encodes the audience and replaces one already present', () => {
    expect(withAudience('https://x/t?audience=old', 'a b&c').search).toBe('?audience=a+b%26c');
  });
});

describe('endpointTokenSource against a GitHub-protocol endpoint', () => {
  let github: TokenEndpoint;
  let jenkins: TokenEndpoint;
  beforeAll(async () => {
    github = await startTokenEndpoint();
    jenkins = await startTokenEndpoint({ query: null, path: '/oidc/token' });
  });
  afterAll(async () => {
    await github.close();
    await jenkins.close();
  });
  beforeEach(() => {
    github.reset();
    jenkins.reset();
  });

  const source = (endpoint: TokenEndpoint, overrides: Partial<Parameters<typeof endpointTokenSource>[0]> = {}) =>
    endpointTokenSource({
      url: endpoint.url,
      requestToken: endpoint.requestToken,
      audience: 'sts.amazonaws.com',
      name: 'GitHub',
      timeoutMs: 2000,
      ...overrides,
    });

  it('sends the bearer and the audience after the existing query; returns decoded claims', async () => {
    const token = await source(github)();
    const [request] = github.requests;
    expect(request?.rawQuery).toBe('api-version=2.0&audience=sts.amazonaws.com');
    expect(request?.authorization).toBe(`Bearer ${github.requestToken}`);
    expect(request?.method).toBe('GET');
    expect(token.value).toBe(github.issued[0]);
    expect(token.claims.aud).toBe('sts.amazonaws.com');
    expect(token.claims.iss).toBe('https://token.actions.githubusercontent.com');
    expect(token.origin).toBe('the GitHub ID-token endpoint');
  });

  it('joins the audience with ? when the URL has no query (Jenkins style)', async () => {
    await source(jenkins, { name: 'Jenkins' })();
    expect(jenkins.requests[0]?.path).toBe('/oidc/token');
    expect(jenkins.requests[0]?.rawQuery).toBe('audience=sts.amazonaws.com');
  });

  it('mints a fresh token on every call', async () => {
    const tokens = source(github);
    const a = await tokens();
    const b = await tokens();
    expect(a.claims.jti).not.toBe(b.claims.jti);
  });

  it('a refused bearer is a token error with the permissions hint, not retried', async () => {
    const error = await source(github, { requestToken: 'wrong-request-token' })().catch((e) => e);
    expect(error.kind).toBe('token');
    expect(error.message).toBe('The GitHub ID-token endpoint refused the request with HTTP 401: "Bad credentials".');
    expect(error.hint).toMatch(/permissions: id-token: write/);
    expect(github.requests[0]?.authorized).toBe(false);
  });

  it('5xx and 429 are transient', async () => {
    github.next({ kind: 'status', status: 503 }, { kind: 'status', status: 429 });
    const tokens = source(github);
    expect(await tokens().catch((e) => [e.kind, e.code])).toEqual(['transient', 'TokenEndpointUnavailable']);
    expect(await tokens().catch((e) => [e.kind, e.code])).toEqual(['transient', 'TokenEndpointUnavailable']);
  });

  it('400 says the audience was not accepted', async () => {
    github.next({ kind: 'status', status: 400 });
    const error = await source(github, { audience: 'bad-aud' })().catch((e) => e);
    expect(error.hint).toBe('The endpoint did not accept audience "bad-aud"; check the audience setting.');
  });

  it('an answer without a value is a token error', async () => {
    github.next({ kind: 'status', status: 200, body: '{"count":0}' });
    const error = await source(github)().catch((e) => e);
    expect(error.code).toBe('TokenResponseInvalid');
  });

  it('a value that is not a JWT is refused without echoing it', async () => {
    github.next({ kind: 'status', status: 200, body: '{"value":"not-a-jwt-but-secret"}' });
    const error = await source(github)().catch((e) => e);
    expect(error.code).toBe('MalformedToken');
    expect(error.message).not.toContain('not-a-jwt-but-secret');
  });

  it('an endpoint that never answers costs the timeout, then a TimeoutError', async () => {
    github.hang(1);
    const started = Date.now();
    const error = await source(github, { timeoutMs: 300 })().catch((e) => e);
    expect(error.kind).toBe('timeout');
    // The URL without its query (api-version, audience): what the user can check, nothing they did not write.
    expect(error.message).toBe(
      `The GitHub ID-token endpoint at ${github.url.replace(/\?.*$/, '')} did not answer within 0.3 s.`,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a refused connection is transient, named with the URL and the cause in words', async () => {
    const error = await source(github, { url: 'http://127.0.0.1:1/token?secret-ish=1' })().catch((e) => e);
    expect([error.kind, error.code, error.exitCode]).toEqual(['transient', 'ConnectionRefused', 5]);
    expect(error.message).toBe(
      'The GitHub ID-token endpoint at http://127.0.0.1:1/token could not be reached: connection refused (nothing listens there, or a firewall rejects) (ECONNREFUSED).',
    );
  });

  it('a host name that does not resolve is final (exit 5, not retried), naming the host', async () => {
    const error = await source(github, { url: 'http://no-such-host.invalid/token' })().catch((e) => e);
    expect([error.kind, error.code, error.exitCode, isRetryable(error)]).toEqual([
      'endpoint',
      'HostNotFound',
      5,
      false,
    ]);
    expect(error.message).toBe(
      'The GitHub ID-token endpoint at http://no-such-host.invalid/token could not be reached: the host name does not resolve (ENOTFOUND).',
    );
    expect(error.hint).toContain('no-such-host.invalid');
  });

  it('a 4xx shows what the server said, short and printable', async () => {
    github.next({
      kind: 'status',
      status: 400,
      body: `{"message":"Can't issue ID_TOKEN for audience 'x'\\u0007","documentation_url":"${'d'.repeat(300)}"}`,
    });
    const error = await source(github)().catch((e) => e);
    expect(error.message).toBe(
      `The GitHub ID-token endpoint refused the request with HTTP 400: "Can't issue ID_TOKEN for audience 'x'?".`,
    );
    github.next({ kind: 'status', status: 404, body: `<html>${'x'.repeat(500)}</html>` });
    const html = await source(github)().catch((e) => e);
    expect(html.message).toBe(
      `The GitHub ID-token endpoint refused the request with HTTP 404: "<html>${'x'.repeat(74)}…".`,
    );
  });
});

describe('endpointTokenSource against a broken or untrusted endpoint', () => {
  let hostile: HostileServer;
  let tls: HostileServer;
  beforeAll(async () => {
    hostile = await startHostileServer();
    tls = await startHostileServer({ tls: selfSignedCert() });
  });
  afterAll(async () => {
    await hostile.close();
    await tls.close();
  });

  const fetchFrom = (url: string) =>
    endpointTokenSource({
      url,
      requestToken: 'request-token',
      audience: 'sts.amazonaws.com',
      name: 'GitHub',
      timeoutMs: 2000,
    });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (error: KeylessError) => error,
    );

  it.each([
    ['inside a string', '{"value":"eyJhbGciOiJSUzI1'],
    ['after a value', '{"value":"eyJ.eyJ.sig"'],
  ])('retries JSON that stops short (%s) like any transient failure', async (_name, body) => {
    hostile.behave({ kind: 'raw', status: 200, body });
    const error = await failure(fetchFrom(hostile.url)());
    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe('TokenResponseTruncated');
    expect(error.message).toContain('GitHub ID-token endpoint');
  });

  it('does not retry a complete answer that is simply not the token JSON', async () => {
    hostile.behave({ kind: 'raw', status: 200, contentType: 'text/html', body: '<html>Sign in</html>' });
    const error = await failure(fetchFrom(hostile.url)());
    expect(error).toBeInstanceOf(TokenError);
    expect(error.code).toBe('TokenResponseInvalid');
  });

  it('refuses a self-signed certificate in one attempt, naming the host and NODE_EXTRA_CA_CERTS', async () => {
    const before = tls.connections;
    const error = await failure(
      withRetry(() => fetchFrom(tls.url)(), { maxAttempts: 5, deadline: Date.now() + 10_000, sleep: async () => {} }),
    );
    expect(error).toBeInstanceOf(EndpointError);
    expect(error.message).toContain(
      `GitHub ID-token endpoint at ${tls.url.replace(/\/$/, '')} presented a certificate`,
    );
    expect(error.hint).toContain('NODE_EXTRA_CA_CERTS');
    expect(tls.connections - before).toBe(1);
  });
});
