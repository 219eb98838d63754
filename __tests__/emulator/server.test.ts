// The shared HTTP endpoint itself: body limits and how refusals reach the client.
import { request as httpRequest } from 'node:http';
import { type Harness, startHarness } from './support/emulator';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({});
});

afterAll(async () => {
  await harness.emulator.close();
});

const TWO_MB = 2 * 1024 * 1024;

describe('request bodies over 1 MiB', () => {
  it('answers a 2 MB POST with HTTP 413 (Content-Length declared)', async () => {
    const res = await fetch(harness.emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.alloc(TWO_MB, 'a'),
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('Request body too large');
  });

  it('answers a 2 MB chunked POST with HTTP 413 (limit enforced while streaming)', async () => {
    const url = new URL(harness.emulator.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        url,
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const chunk = 'a'.repeat(64 * 1024);
      for (let sent = 0; sent < TWO_MB; sent += chunk.length) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
    expect(harness.logs.some((line) => line.includes('413 body too large'))).toBe(true);
  });

  it('still serves a body just under the limit', async () => {
    const res = await fetch(harness.emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Action=GetCallerIdentity&Version=2011-06-15&pad=${'a'.repeat(1024 * 1024 - 100)}`,
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });
});
