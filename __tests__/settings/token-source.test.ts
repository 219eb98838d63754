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

  describe('the action never takes a Kubernetes runner pod identity', () => {
    const ROLE = 'arn:aws:iam::111122223333:role/deploy';
    const POD = {
      AWS_ROLE_ARN: 'arn:aws:iam::999999999999:role/runner-pod',
      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:
        '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
      AWS_ROLE_SESSION_NAME: 'pod-session',
      JENKINS_ID_TOKEN_REQUEST_URL: 'http://j',
      JENKINS_ID_TOKEN_REQUEST_TOKEN: 'jt',
      GITLAB_OIDC_TOKEN: 'x.y.z',
    };
    const github = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://g', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'gt' };

    it('uses the GitHub token and the input role, not the pod token file and role', () => {
      const s = parseSettings(
        actionSource({ 'aws-region': 'us-east-1', 'role-to-assume': ROLE }, { ...POD, ...github }),
      );
      expect(s.source).toEqual({
        kind: 'web-identity',
        token: { kind: 'github', url: 'http://g', requestToken: 'gt' },
      });
      expect(s.roleToAssume).toBe(ROLE);
      expect(s.roleSessionName).toBe('GitHubActions');
    });

    it('without role-to-assume it fails naming the input, instead of assuming the pod role', () => {
      const error = settingsError(() =>
        parseSettings(actionSource({ 'aws-region': 'us-east-1' }, { ...POD, ...github })),
      );
      expect(error.message).toBe('Input "role-to-assume" is required.');
    });

    it('an explicit web-identity-token-file input still selects a token file', () => {
      const s = parseSettings(
        actionSource(
          { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, 'web-identity-token-file': '/tokens/id.jwt' },
          { ...POD, ...github },
        ),
      );
      expect(s.source).toEqual({
        kind: 'web-identity',
        token: { kind: 'file', path: '/tokens/id.jwt', allowSymlink: false },
      });
    });

    it('the CLI keeps reading the pod variables', () => {
      const s = parseSettings(cliSource({ 'aws-region': 'us-east-1' }, { ...POD, ...github }));
      expect(s.source).toEqual({
        kind: 'web-identity',
        token: { kind: 'file', path: POD.AWS_WEB_IDENTITY_TOKEN_FILE, allowSymlink: true },
      });
      expect(s.roleToAssume).toBe(POD.AWS_ROLE_ARN);
      expect(s.roleSessionName).toBe('pod-session');
    });

    it('with no GitHub token, the action looks for nothing else and says so', () => {
      const error = settingsError(() => resolveTokenSource(new SettingsReader(actionSource({}, POD)), '/ws'));
      expect(error.message).toBe('No CI OIDC token found.');
      expect(error.hint).toMatch(/never takes AWS_WEB_IDENTITY_TOKEN_FILE/);
    });
  });
});
