/**
 * Black box: `node dist/index.js env` against endpoints that are not what they claim: a certificate nobody trusts,
 * a captive portal's HTML, a token "file" that is a FIFO, a proxy URL with a broken percent-encoding. Each fails at
 * once with its documented exit code and a message naming the endpoint, path or setting and the fix.
 * Build first: `node scripts/build.mjs index`.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { type HostileServer, selfSignedCert, startHostileServer, type TlsMaterial } from '../support/hostile-server';
import { assertNoSecretLeak } from '../support/leak-check';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';

let github: TokenEndpoint;
let tls: HostileServer;
let cert: TlsMaterial;

beforeAll(async () => {
  cert = selfSignedCert();
  [github, tls] = await Promise.all([startTokenEndpoint(), startHostileServer({ tls: cert })]);
});
beforeEach(() => github.reset());
afterAll(async () => {
  cleanupCliDirs();
  await Promise.all([github.close(), tls.close()]);
});

const env = (dir: string, extra: Record<string, string> = {}) => ({
  ...cliEnv(dir),
  ...github.env(),
  AWS_REGION: 'us-east-1',
  AWS_ROLE_ARN: ROLE,
  ...extra,
});

describe('an STS endpoint with a certificate this machine does not trust', () => {
  it('fails after one connection with exit 5, naming the endpoint and NODE_EXTRA_CA_CERTS', async () => {
    const before = tls.connections;
    const started = Date.now();
    const run = await runCli(['env', '--sts-endpoint', tls.url], { env: env(cliDir()) });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(
      `STS at ${new URL(tls.url).origin} presented a certificate this machine does not trust`,
    );
    expect(run.stderr).toContain('NODE_EXTRA_CA_CERTS');
    expect(run.stderr).not.toMatch(/retrying/);
    expect(tls.connections - before).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    assertNoSecretLeak(run.stdout + run.stderr, github.secrets());
  });

  it('the hint works: with NODE_EXTRA_CA_CERTS the certificate is accepted, and a captive page is then named', async () => {
    const dir = cliDir();
    writeFileSync(join(dir, 'ca.pem'), cert.cert);
    tls.behave({ kind: 'raw', status: 200, contentType: 'text/html', body: '<html><h1>Welcome to Hotel Wi-Fi</h1>' });
    const run = await runCli(['env', '--sts-endpoint', tls.url], {
      env: env(dir, { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') }),
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(
      `STS at ${new URL(tls.url).origin} answered HTTP 200 with 37 bytes of text/html ("<html><h1>Welcome to Hotel Wi-Fi</h1>")`,
    );
    expect(run.stderr).toMatch(/captive portal/);
    expect(run.stderr).not.toMatch(/retrying/);
  });
});

describe('an STS endpoint whose certificate is trusted but names another host', () => {
  it('fails after one connection with exit 5, naming the host the certificate does not cover', async () => {
    const other = selfSignedCert('DNS:sts.other.example');
    const wrongHost = await startHostileServer({ tls: other });
    try {
      const dir = cliDir();
      writeFileSync(join(dir, 'ca.pem'), other.cert);
      const run = await runCli(['env', '--sts-endpoint', wrongHost.url], {
        env: env(dir, { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') }),
      });
      expect(run.code).toBe(5);
      expect(run.stderr).toContain(
        `STS at ${new URL(wrongHost.url).origin}: the certificate presented is not valid for 127.0.0.1 (ERR_TLS_CERT_ALTNAME_INVALID).`,
      );
      expect(run.stderr).toMatch(/Check the host name in the URL/);
      expect(wrongHost.connections).toBe(1);
    } finally {
      await wrongHost.close();
    }
  });
});

describe('each network failure class has its documented exit code and names the URL and the cause', () => {
  it('connection refused: transient, retried, then exit 5', async () => {
    const run = await runCli(['env', '--sts-endpoint', 'http://127.0.0.1:1', '--retry-max-attempts', '2'], {
      env: env(cliDir()),
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('STS at http://127.0.0.1:1 could not be reached: connection refused');
    expect(run.stderr).toContain('(ECONNREFUSED)');
    expect(run.stderr.match(/retrying/g)).toHaveLength(1);
  });

  it('host name not found (DNS): exit 5 at once, no retry, naming the host', async () => {
    const run = await runCli(
      ['env', '--sts-endpoint', 'https://sts.no-such-host.invalid', '--retry-max-attempts', '5'],
      {
        env: env(cliDir()),
      },
    );
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(
      'STS at https://sts.no-such-host.invalid could not be reached: the host name does not resolve (ENOTFOUND).',
    );
    expect(run.stderr).not.toMatch(/retrying/);
  });

  it('timeout (headers, then a body that never comes): exit 5 within the run bound', async () => {
    const hostile = await startHostileServer();
    try {
      hostile.behave({ kind: 'stall-body', contentType: 'text/xml' });
      const started = Date.now();
      const run = await runCli(['env', '--sts-endpoint', hostile.url, '--action-timeout-s', '2'], {
        env: env(cliDir()),
      });
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(/did not finish in time|did not answer within/);
      expect(Date.now() - started).toBeLessThan(6000);
    } finally {
      await hostile.close();
    }
  });
});

describe('an endpoint that never answers, with the default settings', () => {
  it('is given up on within network-timeout-s (30 s), not after 12 × 10 s', async () => {
    const hostile = await startHostileServer();
    try {
      hostile.behave({ kind: 'stall-body', contentType: 'text/xml' });
      const started = Date.now();
      const run = await runCli(['env', '--sts-endpoint', hostile.url], { env: env(cliDir()), killAfterMs: 60_000 });
      const elapsed = Date.now() - started;
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(/did not answer within 10 s\. Gave up after 2 attempts \(network-timeout-s 30 s\)\./);
      expect(hostile.requests).toBe(2);
      expect(elapsed).toBeGreaterThanOrEqual(20_000);
      expect(elapsed).toBeLessThan(30_000);
    } finally {
      await hostile.close();
    }
  }, 60_000);
});

describe('token files and proxy settings', () => {
  it('a FIFO as the token file is refused at once with exit 3, naming the path', async () => {
    const dir = cliDir();
    const fifo = join(dir, 'token.fifo');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const run = await runCli(['env', '--token-source', 'file', '--web-identity-token-file', fifo], {
      env: env(dir),
      killAfterMs: 10_000,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`The token file ${fifo} is a named pipe (FIFO), not a file.`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('HTTPS_PROXY with a broken percent-encoding is exit 2 naming HTTPS_PROXY, never the password', async () => {
    const run = await runCli(['env'], {
      env: env(cliDir(), { HTTPS_PROXY: 'http://ci:99%-Proxy-Secret@proxy.corp:3128' }),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'The proxy URL in HTTPS_PROXY has a user name or password with a broken percent-encoding',
    );
    expect(run.stderr).not.toContain('Proxy-Secret');
    expect(github.requests).toHaveLength(0);
  });
});
