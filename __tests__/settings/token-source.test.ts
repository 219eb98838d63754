import { parseSettings } from '../../src/settings/parse';
import { resolveTokenSource } from '../../src/settings/token-source';
import { SettingsReader } from '../../src/settings/values';
import { actionSource, cliSource, settingsError } from '../support/settings';

const resolve = (flags: Record<string, string>, env: Record<string, string>, base = '/ws') =>
  resolveTokenSource(new SettingsReader(cliSource(flags, env)), base);

describe('resolveTokenSource', () => {
  it.each([
    ['/var/run/secrets/eks.amazonaws.com/serviceaccount/token', true],
    ['/var/run/secrets/kubernetes.io/serviceaccount/token', true],
    ['/var/run/secrets/kubernetes.io/serviceaccount/../../../../etc/token', false],
    ['/var/run/secrets/a/b/serviceaccount/token', false],
    ['/var/run/secrets/kubernetes.io/serviceaccount/token2', false],
    ['/tmp/var/run/secrets/x/serviceaccount/token', false],
    ['/home/runner/token', false],
  ])('allows a symlink for %s: %s (only the Kubernetes projected-token path)', (path, allowed) => {
    const spec = resolve({ 'web-identity-token-file': path }, {});
    expect(spec).toEqual({ kind: 'file', path: expect.any(String), allowSymlink: allowed });
  });

  it('resolves a relative file against the base directory and normalises ..', () => {
    expect(resolve({ 'web-identity-token-file': '../t/id.jwt' }, {}, '/ws/repo')).toEqual({
      kind: 'file',
      path: '/ws/t/id.jwt',
      allowSymlink: false,
    });
  });

  it('auto prefers a token file, then GitHub, then Jenkins, then the env shorthands', () => {
    const github = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://g', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'gt' };
    const jenkins = { JENKINS_ID_TOKEN_REQUEST_URL: 'http://j', JENKINS_ID_TOKEN_REQUEST_TOKEN: 'jt' };
    expect(resolve({}, { AWS_WEB_IDENTITY_TOKEN_FILE: '/f', ...github }).kind).toBe('file');
    expect(resolve({}, { ...github, ...jenkins }).kind).toBe('github');
    expect(resolve({}, { ...jenkins, GITLAB_OIDC_TOKEN: 'x' }).kind).toBe('jenkins');
    expect(resolve({}, { CIRCLE_OIDC_TOKEN_V2: 'c' })).toEqual({
      kind: 'env',
      variable: 'CIRCLE_OIDC_TOKEN_V2',
      value: 'c',
    });
  });

  it('an endpoint needs both the URL and the request token', () => {
    const error = settingsError(() => resolve({}, { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://g' }));
    expect(error.message).toBe('No CI OIDC token found.');
    expect(error.hint).toMatch(
      /ACTIONS_ID_TOKEN_REQUEST_URL \+ ACTIONS_ID_TOKEN_REQUEST_TOKEN \(GitHub, needs permissions: id-token: write\)/,
    );
  });

  it('env:<VAR> reads that variable and says when it is empty', () => {
    expect(resolve({ 'token-source': 'env:MY_TOKEN' }, { MY_TOKEN: ' t ' })).toEqual({
      kind: 'env',
      variable: 'MY_TOKEN',
      value: 't',
    });
    expect(settingsError(() => resolve({ 'token-source': 'env:MY_TOKEN' }, {})).message).toBe(
      'Token source "env:MY_TOKEN" found no token: MY_TOKEN is not set.',
    );
  });

  it('the action without a token, a role or existing credentials fails with what it looked for', () => {
    const error = settingsError(() => parseSettings(actionSource({ 'aws-region': 'us-east-1' }, {})));
    expect(error.message).toBe('No CI OIDC token found.');
  });
});
