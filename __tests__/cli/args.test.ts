import { parseArgs } from '../../src/cli/args';
import { UsageError } from '../../src/cli/usage-error';

function usage(argv: string[]): UsageError {
  try {
    parseArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return error as UsageError;
  }
  throw new Error('expected a usage error');
}

test('settings flags in both spellings; bare booleans; the program after --', () => {
  const run = parseArgs([
    'exec',
    '--aws-region',
    'eu-west-1',
    '--role-to-assume=arn:x',
    '--role-chaining',
    '--',
    'terraform',
    'apply',
    '--auto-approve',
  ]);
  expect(run).toMatchObject({ kind: 'run', command: 'exec', program: ['terraform', 'apply', '--auto-approve'] });
  if (run.kind !== 'run') throw new Error();
  expect(Object.fromEntries(run.settings)).toEqual({
    'aws-region': 'eu-west-1',
    'role-to-assume': 'arn:x',
    'role-chaining': 'true',
  });
});

test('a boolean flag takes an explicit true/false after it, but not another word', () => {
  const off = parseArgs(['env', '--disable-retry', 'false', '--quiet']);
  if (off.kind !== 'run') throw new Error();
  expect(off.settings.get('disable-retry')).toBe('false');
  expect(off.quiet).toBe(true);
  expect(usage(['env', '--role-chaining', 'yes']).message).toMatch(/Unexpected argument "yes"/);
});

test('list settings may be repeated (one line each); others may not', () => {
  const run = parseArgs(['env', '--managed-session-policies', 'arn:a', '--managed-session-policies', 'arn:b']);
  if (run.kind !== 'run') throw new Error();
  expect(run.settings.get('managed-session-policies')).toBe('arn:a\narn:b');
  expect(usage(['env', '--audience', 'a', '--audience', 'b']).message).toContain('given twice');
});

test('command options, help and version', () => {
  expect(parseArgs(['--version'])).toEqual({ kind: 'version' });
  expect(parseArgs(['help', 'token'])).toEqual({ kind: 'help', command: 'token' });
  expect(parseArgs(['profile', '--refreshable', '--help'])).toEqual({ kind: 'help', command: 'profile' });
  const profile = parseArgs(['profile', '--aws-profile', 'ci', '--refreshable']);
  if (profile.kind !== 'run') throw new Error();
  expect(profile.options.get('refreshable')).toBe('true');
  expect(profile.settings.get('aws-profile')).toBe('ci');
  expect(usage(['env', '--refreshable']).message).toContain('Unknown flag --refreshable for env');
});

test('refused and unknown flags say why and what is valid', () => {
  expect(usage(['env', '--aws-session-token', 'x']).message).toContain('not accepted');
  expect(usage(['env', '--id-token=x']).hint).toContain('--token-source env:NAME');
  expect(usage(['env', '--output-env-credentials']).message).toContain('GitHub Action only');
  const unknown = usage(['token', '--audiense', 'x']);
  expect(unknown.message).toContain('Did you mean --audience?');
  expect(unknown.hint).toMatch(/^Valid flags: --format, --quiet, --debug, --help, --aws-region/);
  expect(usage(['env', '--output-file', '']).message).toContain('empty value');
  expect(usage(['env', '--output-file', '--quiet']).message).toContain('needs a value');
  expect(usage(['-x']).message).toContain('Expected a command');
});

test('roles takes the settings of the exchange route (and the session name), and refuses the others by name', () => {
  const run = parseArgs([
    'roles',
    'work',
    '--live',
    '--cognito-identity-pool-id',
    'eu-west-1:x',
    '--role-session-name',
    'me',
  ]);
  if (run.kind !== 'run') throw new Error();
  expect(Object.fromEntries(run.settings)).toEqual({
    'cognito-identity-pool-id': 'eu-west-1:x',
    'role-session-name': 'me',
  });
  expect(usage(['roles', 'work', '--live', '--role-to-assume', 'arn:x']).message).toBe(
    '--role-to-assume is not a setting of the roles command.',
  );
  expect(usage(['roles', 'work', '--live', '--aws-profile', 'p']).message).toBe(
    '--aws-profile is only used by the profile command.',
  );
});
