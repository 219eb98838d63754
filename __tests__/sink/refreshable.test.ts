import { execFileSync } from 'node:child_process';
import { parseSettings } from '../../src/settings/parse';
import { commandLine, credentialProcessArgs, credentialProcessCommand } from '../../src/sink/refreshable';
import { cliSource } from '../support/settings';
import { botocoreWindowsSplit, cmdExeCommandLine, msvcrtSplit } from '../support/windows-command-line';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const JENKINS = {
  JENKINS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/t',
  JENKINS_ID_TOKEN_REQUEST_TOKEN: 'request-token-secret-123',
};

/** What botocore does with the line on POSIX (shlex.split) — the other common reader besides `sh -c`. */
function shlexSplit(line: string): string[] {
  return JSON.parse(
    execFileSync('python3', ['-c', 'import json,shlex,sys; print(json.dumps(shlex.split(sys.argv[1])))', line], {
      encoding: 'utf8',
    }),
  );
}

function shSplit(line: string): string[] {
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

test('the arguments carry every setting of the exchange, and no secret', () => {
  const settings = parseSettings(
    cliSource(
      {
        'role-to-assume': ROLE,
        'token-source': 'jenkins',
        'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess\narn:aws:iam::111122223333:policy/extra',
        'inline-session-policy':
          '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}',
        'cognito-identity-pool-id': 'eu-west-1:11111111-2222-3333-4444-555555555555',
        'allowed-account-ids': '111122223333',
      },
      {
        ...JENKINS,
        AWS_REGION: 'eu-west-1',
        JENKINS_URL: 'https://j/',
        JOB_BASE_NAME: 'deploy',
        BUILD_NUMBER: '7',
        AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:2',
      },
    ),
  );
  const args = credentialProcessArgs(settings);
  expect(args.join(' ')).not.toContain('request-token-secret-123');
  const pairs = (name: string) => args.flatMap((a, i) => (a === `--${name}` ? [args[i + 1]] : []));
  expect(args[0]).toBe('credential-process');
  expect(pairs('token-source')).toEqual(['jenkins']);
  expect(pairs('aws-region')).toEqual(['eu-west-1']);
  expect(pairs('audience')).toEqual(['cognito-identity.amazonaws.com']);
  expect(pairs('role-session-name')).toEqual([settings.roleSessionName]);
  expect(pairs('managed-session-policies')).toEqual([
    'arn:aws:iam::aws:policy/ReadOnlyAccess',
    'arn:aws:iam::111122223333:policy/extra',
  ]);
  expect(pairs('cognito-identity-pool-id')).toEqual(['eu-west-1:11111111-2222-3333-4444-555555555555']);
  expect(pairs('cognito-region')).toEqual(['eu-west-1']);
  expect(pairs('sts-endpoint')).toEqual(['http://127.0.0.1:2']);
  expect(pairs('allowed-account-ids')).toEqual(['111122223333']);
});

test('the command line splits back into the same argv under sh and shlex, paths with spaces included', () => {
  const settings = parseSettings(
    cliSource(
      {
        'role-to-assume': ROLE,
        'web-identity-token-file': '/tmp/my tokens/id token',
        'inline-session-policy': `{"Statement":[{"Sid":"it's","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
      },
      { AWS_REGION: 'eu-west-1' },
    ),
  );
  const target = {
    node: '/opt/node 20/bin/node',
    script: '/home/ci/keyless aws/dist/index.js',
    platform: 'linux' as const,
  };
  const line = credentialProcessCommand(settings, target);
  const expected = [target.node, target.script, ...credentialProcessArgs(settings)];
  expect(expected).toContain('/tmp/my tokens/id token');
  expect(shSplit(line)).toEqual(expected);
  expect(shlexSplit(line)).toEqual(expected);
});

test('refuses what no credential_process line can carry, and sources that cannot refresh', () => {
  expect(() => commandLine(['a #comment'], 'linux')).toThrow(/cannot be written/);
  expect(() => commandLine(['two\nlines'], 'win32')).toThrow(/cannot be written/);
  // An odd number of quotes puts the rest outside cmd.exe's quotes, where `&` would end the command.
  expect(() => commandLine(['say "hi', 'R&D'], 'win32')).toThrow(/cmd.exe would read its "&" as an operator/);
  const chaining = parseSettings(
    cliSource(
      { 'role-to-assume': ROLE, 'role-chaining': 'true' },
      { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIA0000', AWS_SECRET_ACCESS_KEY: 'secret00000' },
    ),
  );
  expect(() => credentialProcessArgs(chaining)).toThrow(/need a CI OIDC token/);
});

test('a proxy with a password stays out of the line (the child reads HTTPS_PROXY, where it came from)', () => {
  const settings = parseSettings(
    cliSource(
      { 'role-to-assume': ROLE, 'token-source': 'jenkins' },
      { ...JENKINS, AWS_REGION: 'eu-west-1', HTTPS_PROXY: 'http://user:pa55@proxy:3128' },
    ),
  );
  expect(settings.proxy?.url).toBe('http://user:pa55@proxy:3128');
  expect(credentialProcessArgs(settings).join(' ')).not.toContain('pa55');
  const plain = parseSettings(
    cliSource(
      {
        'role-to-assume': ROLE,
        'token-source': 'jenkins',
        'http-proxy': 'http://proxy:3128',
        'no-proxy': 'localhost,.internal',
      },
      { ...JENKINS, AWS_REGION: 'eu-west-1' },
    ),
  );
  expect(credentialProcessArgs(plain).join(' ')).toContain(
    '--http-proxy http://proxy:3128 --no-proxy localhost,.internal',
  );
});

/** A Windows runner's environment: every %NAME% below would expand if cmd.exe were given the chance. */
const WINDOWS_ENV = {
  PATH: 'C:\\Windows\\system32',
  USERPROFILE: 'C:\\Users\\runneradmin',
  CD: 'D:\\a',
  TEMP: 'D:\\t',
};

test.each([
  ['a node path with spaces', ['C:\\Program Files\\nodejs\\node.exe', 'D:\\a\\_temp\\index.js']],
  [
    'cmd operators and carets in a path',
    ['C:\\Program Files\\nodejs\\node.exe', 'C:\\R&D ^team\\(x86) a|b <c>\\index.js'],
  ],
  ['percent signs that name variables', ['C:\\100% sure\\%PATH%\\%USERPROFILE%%CD%\\x%', '%', '%%', '50%TEMP']],
  [
    'backslashes before quotes and at the end',
    ['C:\\dir\\', 'C:\\dir with space\\', 'a\\"b', 'a\\\\"b\\\\', '\\\\server\\share'],
  ],
  [
    'quotes, JSON and empty values',
    ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}', '', 'say "hi"', '"'],
  ],
])('Windows: %s come back as the same argv through botocore, and through cmd.exe then the C runtime', (_, argv) => {
  const line = commandLine(argv, 'win32');
  expect(botocoreWindowsSplit(line)).toEqual(argv);
  expect(msvcrtSplit(cmdExeCommandLine(line, WINDOWS_ENV))).toEqual(argv);
  expect(msvcrtSplit(line)).toEqual(argv);
});

test('Windows: the refreshable profile line for a runner under C:\\Program Files survives botocore and cmd.exe', () => {
  const settings = parseSettings(
    cliSource(
      {
        'role-to-assume': ROLE,
        'web-identity-token-file': 'C:\\Users\\R&D\\100%USERPROFILE%\\id token',
        'inline-session-policy': '{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/50%"}]}',
      },
      { AWS_REGION: 'eu-west-1' },
    ),
  );
  const target = {
    node: 'C:\\Program Files\\nodejs\\node.exe',
    script: 'D:\\a\\_actions\\keyless-aws\\v1\\dist\\index.js',
    platform: 'win32' as const,
  };
  const line = credentialProcessCommand(settings, target);
  const expected = [target.node, target.script, ...credentialProcessArgs(settings)];
  expect(
    line.startsWith('"C:\\Program Files\\nodejs\\node.exe" D:\\a\\_actions\\keyless-aws\\v1\\dist\\index.js '),
  ).toBe(true);
  expect(botocoreWindowsSplit(line)).toEqual(expected);
  expect(msvcrtSplit(cmdExeCommandLine(line, WINDOWS_ENV))).toEqual(expected);
});

test('the cmd.exe and C runtime emulations are strict enough to catch naive quoting', () => {
  const naive = '"C:\\100%PATH%\\x" "R&D"';
  expect(msvcrtSplit(cmdExeCommandLine(naive, WINDOWS_ENV))).toEqual(['C:\\100C:\\Windows\\system32\\x', 'R&D']);
  expect(() => cmdExeCommandLine('"a\\"b" R&D', WINDOWS_ENV)).not.toThrow();
  expect(() => cmdExeCommandLine('a\\"b\\" R&D', WINDOWS_ENV)).toThrow(/operator/);
  expect(cmdExeCommandLine('R^&D', WINDOWS_ENV)).toBe('R&D');
  expect(msvcrtSplit('"a""b" c\\\\"d e"')).toEqual(['a"b', 'c\\d e']);
});

test('Windows: a GitHub-hosted runner’s line holds no double quote, so the Go SDK’s own escaping cannot garble it', () => {
  // The Go SDK runs exec.Command("cmd.exe", "/C", line): Go escapes the line for the C runtime (`"` becomes `\"`),
  // which cmd.exe does not understand, so a line holding quotes only works with the other SDKs and botocore.
  const settings = parseSettings(
    cliSource(
      { 'role-to-assume': ROLE, 'token-source': 'github' },
      {
        AWS_REGION: 'eu-west-1',
        ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/t',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'x',
      },
    ),
  );
  const target = {
    node: 'C:\\hostedtoolcache\\windows\\node\\24.11.0\\x64\\node.exe',
    script: 'D:\\a\\_actions\\keyless-aws\\keyless-aws\\v1\\dist\\index.js',
    platform: 'win32' as const,
  };
  const line = credentialProcessCommand(settings, target);
  expect(line).not.toContain('"');
  expect(botocoreWindowsSplit(line)).toEqual([target.node, target.script, ...credentialProcessArgs(settings)]);
});
