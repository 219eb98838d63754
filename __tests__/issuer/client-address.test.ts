// The admin-failure throttle behind a reverse proxy: with --trust-proxy, clients are told apart by the address the
// trusted proxy appended to X-Forwarded-For; a header from anyone else, or written by the client, changes nothing.
// The test process plays the proxy: its requests come from 127.0.0.1.
import { parseTrustedProxies } from '../../src/issuer/client-address';
import type { RunningIssuer } from '../../src/issuer/issuer';
import { ADMIN_SECRET, removeTempDirs, startTestIssuer, type TestIssuer } from './support';

const running: TestIssuer[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.issuer.close()));
  await removeTempDirs();
});

/** An issuer whose throttle allows one failure per client, then 429 for a long time. */
async function issuer(trustProxy?: string[]): Promise<TestIssuer> {
  const started = await startTestIssuer({ trustProxy, adminFailureRateLimitPerSecond: 0.001 });
  running.push(started);
  return started;
}

async function registerVia(
  target: RunningIssuer,
  forwardedFor: string | undefined,
  secret = ADMIN_SECRET,
): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${secret}` };
  if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
  const response = await fetch(`${target.url}/request-tokens`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ job: 'app', build_number: 1 }),
  });
  await response.arrayBuffer();
  return response.status;
}

test('behind a trusted proxy one failing client does not lock out another administrator', async () => {
  const { issuer: target, logs } = await issuer(['127.0.0.1']);
  expect(await registerVia(target, '203.0.113.7', 'wrong')).toBe(401);
  expect(await registerVia(target, '203.0.113.7', 'wrong')).toBe(429);
  expect(await registerVia(target, '203.0.113.7')).toBe(429); // throttled even with the right secret
  expect(await registerVia(target, '198.51.100.9')).toBe(201); // another client is not
  expect(logs.some((line) => line.includes('"client":"203.0.113.7"'))).toBe(true);
});

test('the right-most untrusted address counts, not the left-most one the client wrote', async () => {
  const { issuer: target } = await issuer(['127.0.0.1', '10.0.0.0/8']);
  expect(await registerVia(target, '203.0.113.7', 'wrong')).toBe(401);
  // The throttled client prepends an address of its choice; our proxy (and an inner trusted one) append theirs.
  expect(await registerVia(target, '198.51.100.9, 203.0.113.7')).toBe(429);
  expect(await registerVia(target, '198.51.100.9, 203.0.113.7, 10.1.2.3')).toBe(429);
  expect(await registerVia(target, '203.0.113.7:51234')).toBe(429); // a port some proxies add is not a new client
  expect(await registerVia(target, '198.51.100.9')).toBe(201);
});

test('an untrusted peer’s X-Forwarded-For is ignored: spoofing it does not escape the throttle', async () => {
  for (const trustProxy of [undefined, ['10.0.0.0/8']]) {
    const { issuer: target } = await issuer(trustProxy);
    expect(await registerVia(target, '203.0.113.7', 'wrong')).toBe(401);
    expect(await registerVia(target, '198.51.100.9', 'wrong')).toBe(429);
    expect(await registerVia(target, '192.0.2.1')).toBe(429);
  }
});

test('--trust-proxy accepts addresses and CIDR ranges of both families and refuses anything else by name', async () => {
  const list = parseTrustedProxies(['10.0.0.0/8, 192.0.2.1', 'fd00::/8'])!;
  expect(list.check('10.200.1.1', 'ipv4')).toBe(true);
  expect(list.check('192.0.2.1', 'ipv4')).toBe(true);
  expect(list.check('192.0.2.2', 'ipv4')).toBe(false);
  expect(list.check('fd12::1', 'ipv6')).toBe(true);
  for (const bad of ['proxy.example.com', '10.0.0.0/33', '10.0.0.0/8/1', '']) {
    expect(() => parseTrustedProxies([bad])).toThrow(/^--trust-proxy: .* is not an IP address or CIDR range/);
  }
  await expect(startTestIssuer({ trustProxy: ['10.0.0.0/40'] })).rejects.toThrow(/--trust-proxy/);
});
