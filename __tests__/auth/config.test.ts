import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProvidersFile, providerNamed, readProvidersFile } from '../../src/auth/config';
import { authPaths } from '../../src/auth/paths';
import { InputError } from '../../src/errors';

const GOOD = ['# people', '[provider google]', 'issuer = https://accounts.google.com', 'client-id = 123.apps', ''].join(
  '\n',
);

function failure(text: string): InputError {
  try {
    parseProvidersFile('/cfg', text);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    return error as InputError;
  }
  throw new Error('parsed');
}

describe('providers file', () => {
  test('sections and keys, with where each key was set', () => {
    const file = parseProvidersFile('/cfg', `${GOOD}role-to-assume = arn:aws:iam::123456789012:role/r\n`);
    const google = providerNamed(file, 'google');
    expect(google.values.get('issuer')).toBe('https://accounts.google.com');
    expect(google.where.get('role-to-assume')).toBe('/cfg:5');
  });

  test.each([
    [`${GOOD}colour = blue\n`, '/cfg:5: unknown key "colour" in [provider google]'],
    [`${GOOD}client-id = again\n`, '/cfg:5: key "client-id" is set twice'],
    ['issuer = https://x\n', '/cfg:1: key "issuer" comes before any [provider NAME] section'],
    [`${GOOD}[profile x]\n`, '/cfg:5: expected a section header [provider NAME]'],
    [`${GOOD}just words\n`, '/cfg:5: expected "key = value"'],
    ['[provider a]\nissuer = http://example.com\nclient-id = c\n', '/cfg:2: key "issuer" must be an https URL'],
    ['[provider a]\nissuer = https://x\n', '[provider a] has no "client-id"'],
    [`${GOOD}browser = firefox\n`, '/cfg:5: key "browser" must contain {}'],
    [`${GOOD}aws-secret-access-key = k\n`, 'unknown key "aws-secret-access-key"'],
  ])('refuses %j naming file, line and key', (text, message) => {
    expect(failure(text).message).toContain(message);
  });

  test('a file holding a client secret must be private', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyless-cfg-'));
    try {
      const path = join(dir, 'config');
      writeFileSync(path, `${GOOD}client-secret = s3cret-value\n`);
      chmodSync(path, 0o644);
      expect(() => readProvidersFile(path, '--config')).toThrow(/holds a client secret but others can read it/);
      chmodSync(path, 0o600);
      expect(readProvidersFile(path, '--config').providers.get('google')?.values.get('client-secret')).toBe(
        's3cret-value',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing file names where it was looked for and how to point elsewhere', () => {
    expect(() => readProvidersFile('/nonexistent/keyless/config', 'default')).toThrow(
      /providers file \/nonexistent\/keyless\/config does not exist \(default location\)/,
    );
  });
});

describe('where the files live', () => {
  test.each([
    ['linux', { XDG_CONFIG_HOME: '/x/cfg' }, '/x/cfg/keyless-aws/config'],
    ['linux', {}, '/home/p/.config/keyless-aws/config'],
    ['darwin', {}, '/home/p/Library/Application Support/keyless-aws/config'],
    ['win32', { APPDATA: 'C:\\Users\\p\\AppData\\Roaming' }, 'C:\\Users\\p\\AppData\\Roaming/keyless-aws/config'],
  ] as const)('%s %j', (platform, env, expected) => {
    expect(authPaths(env, undefined, platform, '/home/p').configFile).toBe(expected);
  });

  test('--config wins over KEYLESS_AWS_CONFIG, which wins over the default', () => {
    expect(authPaths({ KEYLESS_AWS_CONFIG: '/e' }, '/f', 'linux', '/h')).toMatchObject({
      configFile: '/f',
      configFrom: '--config',
    });
    expect(authPaths({ KEYLESS_AWS_CONFIG: '/e' }, undefined, 'linux', '/h')).toMatchObject({ configFile: '/e' });
    expect(authPaths({ XDG_STATE_HOME: '/s' }, undefined, 'linux', '/h').sessionDir).toBe('/s/keyless-aws/sessions');
  });

  test('a relative XDG_STATE_HOME / XDG_CONFIG_HOME is ignored (XDG spec), never a directory under the checkout', () => {
    const paths = authPaths({ XDG_STATE_HOME: 'state', XDG_CONFIG_HOME: './cfg' }, undefined, 'linux', '/h');
    expect(paths.sessionDir).toBe('/h/.local/state/keyless-aws/sessions');
    expect(paths.configFile).toBe('/h/.config/keyless-aws/config');
  });
});
