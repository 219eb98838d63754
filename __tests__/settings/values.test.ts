import { InputError } from '../../src/errors';
import { INPUTS } from '../../src/settings/inputs';
import { SettingsReader } from '../../src/settings/values';
import { actionSource, cliSource, settingsError } from '../support/settings';

describe('SettingsReader', () => {
  const cliFallback = INPUTS.filter((spec) => spec.env.length > 0);
  const actionFallback = INPUTS.filter((spec) => spec.actionEnv.length > 0);

  it.each(cliFallback.map((spec) => [spec.name, spec.env[0]!]))(
    'an empty flag --%s falls back to %s; an explicit value wins',
    (name, variable) => {
      const fromEnv = new SettingsReader(cliSource({ [name]: '' }, { [variable]: ' from-env ' }));
      expect(fromEnv.string(name)).toBe('from-env');
      const explicit = new SettingsReader(cliSource({ [name]: 'explicit' }, { [variable]: 'from-env' }));
      expect(explicit.string(name)).toBe('explicit');
    },
  );

  it.each(actionFallback.map((spec) => [spec.name, spec.actionEnv[0]!]))(
    'an empty input "%s" falls back to %s, as in configure-aws-credentials',
    (name, variable) => {
      const fromEnv = new SettingsReader(actionSource({ [name]: '' }, { [variable]: ' from-env ' }));
      expect(fromEnv.string(name)).toBe('from-env');
    },
  );

  it('the action reads only the variables configure-aws-credentials reads (UPPER_SNAKE of the input)', () => {
    expect(actionFallback.map((spec) => spec.name).sort()).toEqual(
      [
        'aws-region',
        'role-to-assume',
        'web-identity-token-file',
        'role-chaining',
        'audience',
        'http-proxy',
        'mask-aws-account-id',
        'role-duration-seconds',
        'role-external-id',
        'role-session-name',
        'role-skip-session-tagging',
        'transitive-tag-keys',
        'inline-session-policy',
        'managed-session-policies',
        'output-credentials',
        'unset-current-credentials',
        'disable-retry',
        'retry-max-attempts',
        'special-characters-workaround',
        'use-existing-credentials',
        'no-proxy',
        'overwrite-aws-profile',
      ].sort(),
    );
    for (const spec of actionFallback) expect(spec.actionEnv).toEqual([spec.name.toUpperCase().replace(/-/g, '_')]);
  });

  it.each([
    ['role-to-assume', 'AWS_ROLE_ARN'],
    ['web-identity-token-file', 'AWS_WEB_IDENTITY_TOKEN_FILE'],
    ['role-session-name', 'AWS_ROLE_SESSION_NAME'],
    ['aws-region', 'AWS_DEFAULT_REGION'],
    ['cognito-identity-pool-id', 'COGNITO_IDENTITY_POOL_ID'],
    ['token-source', 'TOKEN_SOURCE'],
    ['aws-account-id', 'AWS_ACCOUNT_ID'],
  ])('the action ignores %s from %s (a pod or job variable); the CLI reads it', (name, variable) => {
    expect(new SettingsReader(actionSource({}, { [variable]: 'from-env' })).string(name)).toBeUndefined();
    expect(new SettingsReader(cliSource({}, { [variable]: 'from-env' })).string(name)).toBe('from-env');
  });

  it('falls back through every listed variable in order (CLI)', () => {
    expect(new SettingsReader(cliSource({}, { AWS_DEFAULT_REGION: 'eu-west-1' })).string('aws-region')).toBe(
      'eu-west-1',
    );
    expect(
      new SettingsReader(cliSource({}, { AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'eu-west-1' })).string(
        'aws-region',
      ),
    ).toBe('us-east-2');
    expect(new SettingsReader(cliSource({}, { AWS_ROLE_ARN: 'arn-b' })).string('role-to-assume')).toBe('arn-b');
  });

  it('an error names the environment variable that supplied the value', () => {
    const error = settingsError(() =>
      new SettingsReader(cliSource({}, { ROLE_DURATION_SECONDS: '12' })).integer('role-duration-seconds', 3600, 900),
    );
    expect(error.message).toMatch(/^Environment variable ROLE_DURATION_SECONDS \(--role-duration-seconds\) must be/);
  });

  it('never reads secret key inputs from the environment', () => {
    const read = new SettingsReader(actionSource({}, { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 's' }));
    expect(read.string('aws-access-key-id')).toBeUndefined();
    expect(read.string('aws-secret-access-key')).toBeUndefined();
  });

  it.each(['true', 'True', 'TRUE'])('reads %s as true', (value) => {
    expect(new SettingsReader(actionSource({ 'role-chaining': value })).boolean('role-chaining', false)).toBe(true);
  });

  it.each(['false', 'False', 'FALSE'])('reads %s as false', (value) => {
    expect(new SettingsReader(actionSource({ 'role-chaining': value })).boolean('role-chaining', true)).toBe(false);
  });

  it.each(['yes', '1', 'tRUE', 'on'])('refuses %s as a boolean, naming the input', (value) => {
    const error = settingsError(() =>
      new SettingsReader(actionSource({ 'mask-aws-account-id': value })).boolean('mask-aws-account-id', false),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(`Input "mask-aws-account-id" must be true or false, got "${value}".`);
    expect(error.hint).toBe('Use true, True, TRUE, false, False or FALSE.');
  });

  it('names the flag in CLI mode', () => {
    const error = settingsError(() =>
      new SettingsReader(cliSource({ 'disable-retry': 'maybe' })).boolean('disable-retry', false),
    );
    expect(error.message).toBe('--disable-retry must be true or false, got "maybe".');
  });

  it('uses the fallback for empty booleans and integers', () => {
    const read = new SettingsReader(actionSource({ 'role-chaining': '  ', 'role-duration-seconds': '' }));
    expect(read.boolean('role-chaining', true)).toBe(true);
    expect(read.integer('role-duration-seconds', 3600, 900, 43200)).toBe(3600);
  });

  it.each(['12.5', '-1', '1e3', 'ten', '899', '43201'])('refuses integer %s outside 900-43200', (value) => {
    const error = settingsError(() =>
      new SettingsReader(actionSource({ 'role-duration-seconds': value })).integer(
        'role-duration-seconds',
        3600,
        900,
        43200,
      ),
    );
    expect(error.message).toBe(
      `Input "role-duration-seconds" must be a whole number between 900 and 43200, got "${value}".`,
    );
  });

  it('splits lines, trimming and dropping blanks (CRLF too)', () => {
    const read = new SettingsReader(actionSource({ 'managed-session-policies': ' a \r\n\r\n b\n' }));
    expect(read.lines('managed-session-policies')).toEqual(['a', 'b']);
  });

  it('reports JSON syntax errors naming the input', () => {
    const error = settingsError(() => new SettingsReader(actionSource({ 'custom-tags': '{nope' })).json('custom-tags'));
    expect(error.message).toBe('Input "custom-tags" is not valid JSON (at character 2): "{nope".');
  });
});
