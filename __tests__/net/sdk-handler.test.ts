import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sdkRequestHandler } from '../../src/net/sdk-handler';

describe('sdkRequestHandler', () => {
  const seen: Array<{ url: string | undefined; body: string; host: string | undefined }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url, body: Buffer.concat(chunks).toString('utf8'), host: req.headers.host });
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'r-1' }).end('<ok/>');
    });
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const handler = () => sdkRequestHandler(2000, undefined, { name: 'STS', contentType: /xml/ });
  const request = (extra: Record<string, unknown> = {}) => ({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: '/',
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded' },
    ...extra,
  });

  it('sends the query RFC 3986-encoded as SigV4 signs it, the body and headers as given; hands back the answer', async () => {
    const { response } = await handler().handle(
      request({ query: { 'a b': 'c d*', list: ['1', '2'], flag: null }, body: 'Action=GetCallerIdentity' }),
    );
    expect(seen.at(-1)).toEqual({
      url: '/?a%20b=c%20d%2A&list=1&list=2&flag',
      body: 'Action=GetCallerIdentity',
      host: `127.0.0.1:${port}`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-amzn-requestid']).toBe('r-1');
    expect(Buffer.from(response.body).toString('utf8')).toBe('<ok/>');
  });

  it('refuses a body it cannot send instead of silently sending none', async () => {
    await expect(handler().handle(request({ body: { pipe: () => {} } }))).rejects.toThrow(/object body/);
    expect(seen.filter((s) => s.body === '')).toHaveLength(0);
  });
});
