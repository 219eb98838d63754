// Flags, the JSON config file and option validation: what is accepted, what wins, and that every refusal names
// the flag to fix.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CliCommand, parseCommandLine } from '../../src/issuer/cli';
import { resolveIssuerOptions } from '../../src/issuer/config';
import { ConfigError } from '../../src/issuer/errors';
import { removeTempDirs, tempDir } from './support';

let dir: string;
let secretFile: string;

beforeAll(async () => {
  dir = await tempDir();
  secretFile = join(dir, 'admin.secret');
  await writeFile(secretFile, 'a-long-enough-admin-secret-0123456789abcdef\n', { mode: 0o600 });
});

afterAll(removeTempDirs);

function serve(...args: string[]): Extract<CliCommand, { kind: 'serve' }>['options'] {
  const command = parseCommandLine(['serve', ...args]);
  if (command.kind !== 'serve') throw new Error('expected serve');
  return command.options;
}

const REQUIRED = ['--issuer-url', 'https://oidc.example.com', '--keys-dir', 'keys', '--admin-secret-file'];

function configError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('serve flags', () => {
  test('defaults and repeatable audiences', () => {
    const options = serve(...REQUIRED, secretFile, '--audience', 'a', '--audience=b', '--port', '0');
    const settings = resolveIssuerOptions(options);
    expect(settings).toMatchObject({
      issuerUrl: 'https://oidc.example.com',
      host: '127.0.0.1',
      port: 0,
      keysDir: join(process.cwd(), 'keys'),
      audiences: ['a', 'b'],
      adminSecret: 'a-long-enough-admin-secret-0123456789abcdef',
      tokenTtlSeconds: 300,
      requestTokenTtlSeconds: 21_600,
      rateLimitPerSecond: 10,
      tls: undefined,
    });
    expect(resolveIssuerOptions(serve(...REQUIRED, secretFile)).audiences).toEqual(['sts.amazonaws.com']);
    expect(serve(...REQUIRED, secretFile).port).toBe(8080);
  });

  test('--trust-proxy is repeatable and comma-separated; without it no proxy is trusted', () => {
    const options = serve(...REQUIRED, secretFile, '--trust-proxy', '10.0.0.0/8,127.0.0.1', '--trust-proxy=::1');
    expect(options.trustProxy).toEqual(['10.0.0.0/8,127.0.0.1', '::1']);
    const trusted = resolveIssuerOptions(options).trustedProxies!;
    expect(['10.9.9.9', '127.0.0.1'].map((a) => trusted.check(a, 'ipv4'))).toEqual([true, true]);
    expect(trusted.check('::1', 'ipv6')).toBe(true);
    expect(resolveIssuerOptions(serve(...REQUIRED, secretFile)).trustedProxies).toBeUndefined();
    expect(configError(() => resolveIssuerOptions(serve(...REQUIRED, secretFile, '--trust-proxy', 'lb'))).flag).toBe(
      'trust-proxy',
    );
  });

  test('the JSON config file sets flags, relative to its own directory; flags win', async () => {
    const configFile = join(dir, 'issuer.json');
    await writeFile(
      configFile,
      JSON.stringify({
        'issuer-url': 'https://from-file.example.com',
        'keys-dir': 'state/keys',
        'admin-secret-file': 'admin.secret',
        audience: 'cognito-identity.amazonaws.com',
        'token-ttl': 600,
        port: 9000,
      }),
    );
    const options = serve('--config', configFile, '--token-ttl', '900');
    expect(options).toMatchObject({
      issuerUrl: 'https://from-file.example.com',
      keysDir: join(dir, 'state/keys'),
      adminSecretFile: secretFile,
      audiences: ['cognito-identity.amazonaws.com'],
      tokenTtlSeconds: 900,
      port: 9000,
    });
  });

  test.each([
    [['--bogus', 'x'], /Unknown flag --bogus/],
    [['--port'], /--port: needs a value/],
    [['--port', 'eighty'], /--port: must be a whole number/],
    [['--rate-limit', '-1'], /--rate-limit: must be a number >= 0/],
    [['--token-ttl', '5', '--token-ttl', '6'], /--token-ttl: is given more than once/],
    [['stray'], /Unexpected argument "stray"/],
  ])('%j is refused', (args, message) => {
    expect(configError(() => serve(...REQUIRED, secretFile, ...args)).message).toMatch(message);
  });

  test('missing required flags are named', () => {
    expect(configError(() => serve('--keys-dir', 'k', '--admin-secret-file', secretFile)).flag).toBe('issuer-url');
    expect(configError(() => serve('--issuer-url', 'https://x.example.com', '--admin-secret-file', 'f')).flag).toBe(
      'keys-dir',
    );
    expect(configError(() => serve('--issuer-url', 'https://x.example.com', '--keys-dir', 'k')).flag).toBe(
      'admin-secret-file',
    );
  });

  test('config file problems are named', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ 'issuer-url': 'https://x.example.com', 'token-tll': 5 }));
    expect(configError(() => serve('--config', bad)).message).toMatch(/unknown key "token-tll"/);
    await writeFile(bad, JSON.stringify({ port: '80' }));
    expect(configError(() => serve('--config', bad)).message).toMatch(/"port" in .* must be a JSON number/);
    await writeFile(bad, '{');
    expect(configError(() => serve('--config', bad)).message).toMatch(/is not valid JSON/);
    expect(configError(() => serve('--config', join(dir, 'missing.json'))).message).toMatch(
      /cannot be read \(ENOENT\)/,
    );
  });
});

describe('option validation', () => {
  const base = () => ({ keysDir: join(dir, 'k'), adminSecret: 'secret-secret-secret-secret-secret!' });

  test.each([
    ['https://oidc.example.com/', 'issuer-url', /must not end with "\/"/],
    ['https://oidc.example.com?x=1', 'issuer-url', /query/],
    ['ftp://oidc.example.com', 'issuer-url', /https:\/\//],
    ['https://OIDC.example.com', 'issuer-url', /canonical form; use https:\/\/oidc.example.com/],
    ['not a url', 'issuer-url', /not a URL/],
  ])('issuer URL %s is refused', (issuerUrl, flag, message) => {
    const error = configError(() => resolveIssuerOptions({ ...base(), issuerUrl }));
    expect(error.flag).toBe(flag);
    expect(error.message).toMatch(message);
  });

  test('issuer URLs with a path are accepted; plain http off loopback only warns', () => {
    expect(resolveIssuerOptions({ ...base(), issuerUrl: 'https://h.example.com/oidc/x' }).issuerUrl).toBe(
      'https://h.example.com/oidc/x',
    );
    expect(resolveIssuerOptions({ ...base(), issuerUrl: 'http://h.example.com' }).warnings.join()).toMatch(/https/);
    expect(resolveIssuerOptions({ ...base(), issuerUrl: 'http://127.0.0.1:8080' }).warnings).toEqual([]);
    expect(resolveIssuerOptions({ ...base(), issuerUrl: 'http://[::1]:8080' }).warnings).toEqual([]);
    expect(resolveIssuerOptions({ ...base(), issuerUrl: 'http://localhost:8080' }).warnings).toEqual([]);
  });

  test('a host name that merely starts with 127. is not loopback (plain http warns)', () => {
    for (const issuerUrl of ['http://127.example.com', 'http://127.0.0.1.nip.io', 'http://localhost.example.com']) {
      expect(resolveIssuerOptions({ ...base(), issuerUrl }).warnings.join()).toMatch(/plain http/);
    }
  });

  test.each([
    [{ tokenTtlSeconds: 3601 }, 'token-ttl'],
    [{ tokenTtlSeconds: 10 }, 'token-ttl'],
    [{ requestTokenTtlSeconds: 700_000 }, 'request-token-ttl'],
    [{ port: 70_000 }, 'port'],
    [{ rateLimitPerSecond: -1 }, 'rate-limit'],
    [{ keyReloadIntervalMs: 600_000 }, 'key-reload-interval'],
    [{ audiences: [] }, 'audience'],
    [{ audiences: ['a', 'a'] }, 'audience'],
    [{ tlsCertFile: '/nonexistent.pem' }, 'tls-key'],
    [{ tlsCertFile: '/nonexistent.pem', tlsKeyFile: '/nonexistent.key' }, 'tls-cert'],
  ])('%j is refused naming --%s', (override, flag) => {
    expect(configError(() => resolveIssuerOptions({ ...base(), ...override })).flag).toBe(flag);
  });

  test('the admin secret file must exist and be non-empty; loose permissions warn', async () => {
    const empty = join(dir, 'empty.secret');
    await writeFile(empty, ' \n');
    const noSecret = { keysDir: join(dir, 'k') };
    expect(configError(() => resolveIssuerOptions({ ...noSecret, adminSecretFile: empty })).message).toMatch(
      /is empty/,
    );
    expect(
      configError(() => resolveIssuerOptions({ ...noSecret, adminSecretFile: join(dir, 'nope') })).message,
    ).toMatch(/cannot read .*ENOENT/);
    expect(configError(() => resolveIssuerOptions(noSecret)).flag).toBe('admin-secret-file');

    const loose = join(dir, 'loose.secret');
    await writeFile(loose, 'short');
    await chmod(loose, 0o644);
    const warnings = resolveIssuerOptions({ ...noSecret, adminSecretFile: loose }).warnings.join('\n');
    expect(warnings).toMatch(/shorter than 32/);
    expect(warnings).toMatch(/chmod 600/);
  });
});

describe('other commands', () => {
  test('rotate-keys and export-discovery parse their flags', () => {
    expect(parseCommandLine(['rotate-keys', '--keys-dir', 'k', '--activate-delay', '300'])).toEqual({
      kind: 'rotate-keys',
      keysDir: join(process.cwd(), 'k'),
      activateDelaySeconds: 300,
    });
    expect(
      parseCommandLine(['export-discovery', '--issuer-url', 'https://o.example.com', '--keys-dir', 'k', '--out', 'o']),
    ).toEqual({
      kind: 'export-discovery',
      issuerUrl: 'https://o.example.com',
      keysDir: join(process.cwd(), 'k'),
      outDir: join(process.cwd(), 'o'),
    });
    expect(configError(() => parseCommandLine(['rotate-keys'])).flag).toBe('keys-dir');
    expect(configError(() => parseCommandLine(['export-discovery', '--keys-dir', 'k', '--out', 'o'])).flag).toBe(
      'issuer-url',
    );
  });

  test('help and unknown commands', () => {
    expect(parseCommandLine(['--help'])).toMatchObject({ kind: 'help', text: expect.stringContaining('rotate-keys') });
    expect(parseCommandLine(['serve', '--help'])).toMatchObject({
      kind: 'help',
      text: expect.stringContaining('--token-ttl'),
    });
    expect(configError(() => parseCommandLine(['launch'])).message).toMatch(/Unknown command "launch"/);
    expect(configError(() => parseCommandLine([])).message).toMatch(/A command is required/);
  });
});
