// HTTPS: with --tls-cert/--tls-key the service speaks TLS, and reload() swaps in a renewed certificate.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { get } from 'node:https';
import { join } from 'node:path';
import { removeTempDirs, startTestIssuer, tempDir } from './support';

afterAll(removeTempDirs);

function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

function fetchTls(url: string, ca: Buffer): Promise<{ status: number; serial: string; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca, agent: false }, (res) => {
      let body = '';
      const serial = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate()?.serialNumber ?? '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, serial, body }));
    }).on('error', reject);
  });
}

test('serves HTTPS and picks up a renewed certificate on reload', async () => {
  const dir = await tempDir();
  const first = selfSigned(dir, 'first');
  const { issuer } = await startTestIssuer({ tlsCertFile: first.cert, tlsKeyFile: first.key });
  try {
    expect(issuer.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const firstCa = await readFile(first.cert);
    const answer = await fetchTls(`${issuer.url}/healthz`, firstCa);
    expect(answer).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect(answer.serial).toBe(new X509Certificate(firstCa).serialNumber);

    // Renewal: new files at the same paths, then SIGHUP (reload()).
    const renewed = selfSigned(dir, 'first');
    await issuer.reload();
    const renewedCa = await readFile(renewed.cert);
    const after = await fetchTls(`${issuer.url}/healthz`, renewedCa);
    expect(after.serial).toBe(new X509Certificate(renewedCa).serialNumber);
    expect(after.serial).not.toBe(answer.serial);
  } finally {
    await issuer.close();
  }
});
