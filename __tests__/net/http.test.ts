import { EndpointError, isRetryable, TimeoutError, TransientError } from '../../src/errors';
import { httpRequestText as httpRequest } from '../../src/net/http';
import { withRetry } from '../../src/net/retry';
import { type HostileServer, selfSignedCert, startHostileServer } from '../support/hostile-server';

const MAX_RESPONSE_BYTES = 2 ** 20;

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );

describe('httpRequest against a misbehaving server', () => {
  let server: HostileServer;
  beforeAll(async () => {
    server = await startHostileServer();
  });
  afterAll(() => server.close());

  const get = (timeoutMs = 400) => httpRequest(new URL(server.url), { timeoutMs, what: 'the test endpoint' });

  it('bounds the whole attempt, body included: headers then a stalled body fail within the timeout, retryably', async () => {
    server.behave({ kind: 'stall-body' });
    const started = Date.now();
    const error = await failure(get(400));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(isRetryable(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('stops reading a 128 MiB chunked answer at the cap: the server gets to send only a few MiB', async () => {
    const before = server.bytesSent;
    server.behave({ kind: 'flood', bytes: 128 * 2 ** 20 });
    const error = await failure(get(10_000));
    expect(error).toBeInstanceOf(EndpointError);
    expect((error as EndpointError).code).toBe('ResponseTooLarge');
    expect(isRetryable(error)).toBe(false);
    // The cap plus what the kernel's socket buffers held when the client let go.
    expect(server.bytesSent - before).toBeLessThan(MAX_RESPONSE_BYTES + 8 * 2 ** 20);
  });

  it('refuses a declared oversize answer at the headers', async () => {
    const before = server.bytesSent;
    server.behave({ kind: 'flood', bytes: 128 * 2 ** 20, declareLength: true });
    const error = await failure(get(10_000));
    expect((error as EndpointError).code).toBe('ResponseTooLarge');
    expect(server.bytesSent - before).toBeLessThan(8 * 2 ** 20);
  });

  it('treats a body cut off before its announced length as transient', async () => {
    server.behave({ kind: 'truncate', body: '{"value":"eyJhbGciOi' });
    const error = await failure(get());
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toContain('test endpoint');
  });
});

describe('httpRequest against a certificate this machine does not trust', () => {
  let server: HostileServer;
  beforeAll(async () => {
    server = await startHostileServer({ tls: selfSignedCert() });
  });
  afterAll(() => server.close());

  it('fails at once, naming the host and NODE_EXTRA_CA_CERTS, and the retry loop makes one attempt only', async () => {
    const error = await failure(
      withRetry(() => httpRequest(new URL(server.url), { timeoutMs: 2000, what: 'the test endpoint' }), {
        maxAttempts: 5,
        deadline: Date.now() + 10_000,
        sleep: async () => {},
      }),
    );
    expect(error).toBeInstanceOf(EndpointError);
    expect((error as EndpointError).code).toBe('UntrustedCertificate');
    expect((error as EndpointError).exitCode).toBe(5);
    expect((error as EndpointError).message).toContain('127.0.0.1');
    expect((error as EndpointError).hint).toContain('NODE_EXTRA_CA_CERTS');
    expect(server.connections).toBe(1);
  });
});
