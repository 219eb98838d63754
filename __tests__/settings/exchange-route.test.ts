import { routeOf } from '../../src/settings/exchange-route';
import { parseRouteSettings, parseSettings, parseTokenSettings } from '../../src/settings/parse';
import { cliSource, settingsError } from '../support/settings';

const POOL = 'eu-west-1:11111111-2222-3333-4444-555555555555';
const ROLE = 'arn:aws:iam::123456789012:role/reader';
/** What auth parses besides the route (region, role, a token), so both parsers see the same source. */
const AUTH_ENV = { AWS_REGION: 'eu-west-1', AWS_ROLE_ARN: ROLE, KEYLESS_TOKEN: 'x' };

describe('one route for every command: roles (parseRouteSettings) decides as auth (parseSettings) does', () => {
  const cases: Array<[string, Record<string, string>, Record<string, string>]> = [
    ['no pool: straight to STS', {}, {}],
    ['a pool by flag', { 'cognito-identity-pool-id': POOL }, {}],
    ['a pool by environment variable', {}, { COGNITO_IDENTITY_POOL_ID: POOL }],
    [
      'every key of the route',
      {
        'cognito-identity-pool-id': POOL,
        'cognito-region': 'eu-central-1',
        'cognito-provider-name': 'login.example.com/oauth2',
        'aws-account-id': '123456789012',
      },
      { AWS_ENDPOINT_URL_COGNITO_IDENTITY: 'http://127.0.0.1:4566' },
    ],
  ];
  test.each(cases)('%s', (_name, flags, env) => {
    const source = cliSource({ ...flags, 'token-source': 'env:KEYLESS_TOKEN' }, { ...AUTH_ENV, ...env });
    const route = parseRouteSettings(source).route;
    expect(route).toEqual(routeOf(parseSettings(source)));
    expect(route.kind).toBe((flags['cognito-identity-pool-id'] ?? env.COGNITO_IDENTITY_POOL_ID) ? 'cognito' : 'sts');
    // The token command reads the same route too.
    expect(parseTokenSettings(source).cognito).toEqual(route.kind === 'cognito' ? route.pool : undefined);
  });
});

test('roles needs no region and no role, and keeps whether a session name was given', () => {
  const plain = parseRouteSettings(cliSource({}));
  expect(plain).toMatchObject({ route: { kind: 'sts' }, roleSessionNameGiven: false });
  const named = parseRouteSettings(cliSource({ 'role-session-name': 'alice-laptop' }));
  expect(named).toMatchObject({ roleSessionName: 'alice-laptop', roleSessionNameGiven: true });
  expect(named.provenance).toContain('route: the ID token straight to STS AssumeRoleWithWebIdentity');
});

test('the same errors as auth for a bad route setting, naming the flag or the variable', () => {
  expect(
    settingsError(() => parseRouteSettings(cliSource({ 'cognito-identity-pool-id': 'eu-west-1' }))).message,
  ).toMatch(/^--cognito-identity-pool-id must look like <region>:<uuid>/);
  expect(
    settingsError(() =>
      parseRouteSettings(cliSource({ 'cognito-identity-pool-id': POOL }, { AWS_ENDPOINT_URL: 'ftp://x' })),
    ).message,
  ).toMatch(/^Environment variable AWS_ENDPOINT_URL must be an http\(s\) URL/);
  expect(settingsError(() => parseRouteSettings(cliSource({ 'role-session-name': 'a b' }))).message).toMatch(
    /^--role-session-name must be 2-64 characters/,
  );
});
