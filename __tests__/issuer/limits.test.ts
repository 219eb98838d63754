// Rate limits: the token bucket itself, and how the service applies it to /token and to failed admin logins.
import { RateLimiter } from '../../src/issuer/rate-limit';
import {
  ADMIN_SECRET,
  register,
  registerOk,
  removeTempDirs,
  requestIdToken,
  startTestIssuer,
  type TestIssuer,
} from './support';

describe('RateLimiter', () => {
  test('allows a burst, then refills at the rate', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 20, now: () => now });
    for (let i = 0; i < 20; i++) expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('b').allowed).toBe(true); // keys are independent
    now += 100; // 0.1 s → one token
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  test('Retry-After reflects a slow rate', () => {
    const limiter = new RateLimiter({ ratePerSecond: 0.1, burst: 1, now: () => 0 });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  test('peek does not consume', () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, now: () => 0 });
    expect(limiter.peek('a').allowed).toBe(true);
    expect(limiter.peek('a').allowed).toBe(true);
    limiter.take('a');
    expect(limiter.peek('a').allowed).toBe(false);
  });

  test('rate 0 turns it off', () => {
    const limiter = new RateLimiter({ ratePerSecond: 0, burst: 0 });
    for (let i = 0; i < 1000; i++) expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.size).toBe(0);
  });

  test('memory stays bounded under a flood of distinct keys', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 5, maxKeys: 100, now: () => now });
    for (let i = 0; i < 1000; i++) {
      limiter.take(`key-${i}`);
      now += 1;
    }
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});

describe('service rate limits', () => {
  let limited: TestIssuer;

  beforeAll(async () => {
    limited = await startTestIssuer({ rateLimitPerSecond: 1, adminFailureRateLimitPerSecond: 0.01 });
  });

  afterAll(async () => {
    await limited.issuer.close();
    await removeTempDirs();
  });

  test('/token answers 429 with Retry-After once a request token exhausts its bucket', async () => {
    const first = await registerOk(limited.issuer, { job: 'busy', build_number: 1 });
    const other = await registerOk(limited.issuer, { job: 'quiet', build_number: 1 });
    const statuses: number[] = [];
    let throttled: Response | undefined;
    for (let i = 0; i < 4; i++) {
      const response = await requestIdToken(first.token_url, first.request_token);
      statuses.push(response.status);
      if (response.status === 429) throttled = response;
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]); // burst = 2 × rate
    expect(statuses).toContain(429);
    expect(throttled!.headers.get('retry-after')).toBe('1');
    expect(await throttled!.json()).toMatchObject({ error: 'rate_limited' });
    // Another build's request token has its own bucket.
    expect((await requestIdToken(other.token_url, other.request_token)).status).toBe(200);
  });

  test('failed admin authentications are throttled per client, even for a later correct secret', async () => {
    expect((await register(limited.issuer, { job: 'x', build_number: 1 }, { secret: 'guess' })).status).toBe(401);
    const blocked = await register(limited.issuer, { job: 'x', build_number: 1 }, { secret: ADMIN_SECRET });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('rate limit off', () => {
  test('--rate-limit 0 lets one request token through any number of times', async () => {
    const open = await startTestIssuer({ rateLimitPerSecond: 0 });
    try {
      const { request_token, token_url } = await registerOk(open.issuer, { job: 'bench', build_number: 1 });
      const statuses = await Promise.all(
        Array.from({ length: 40 }, () => requestIdToken(token_url, request_token).then((r) => r.status)),
      );
      expect(new Set(statuses)).toEqual(new Set([200]));
    } finally {
      await open.issuer.close();
      await removeTempDirs();
    }
  });
});
