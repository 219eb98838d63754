import { InputError } from '../../src/errors';
import { redact } from '../../src/secrets';
import { INPUTS } from '../../src/settings/inputs';
import { DEFAULT_AUDIENCE, parseSettings } from '../../src/settings/parse';
import { actionSource, cliSource, settingsError } from '../support/settings';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const OIDC_ENV = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token?api-version=2.0',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token-value',
  GITHUB_REPOSITORY: 'octo-org/octo-repo',
  GITHUB_WORKSPACE: '/home/runner/work/repo',
};
const base = { 'aws-region': 'us-east-1', 'role-to-assume': ROLE };

function parse(inputs: Record<string, string>, env: Record<string, string> = OIDC_ENV) {
  return parseSettings(actionSource({ ...base, ...inputs }, env));
}

function errorOf(inputs: Record<string, string | undefined>, env: Record<string, string> = OIDC_ENV) {
  const error = settingsError(() => parseSettings(actionSource({ ...base, ...inputs }, env)));
  expect(error).toBeInstanceOf(InputError);
  return error;
}

describe('parseSettings: the OIDC defaults', () => {
  it('builds a web-identity source from the GitHub endpoint with configure-aws-credentials defaults', () => {
    const s = parse({});
    expect(s.source).toEqual({
      kind: 'web-identity',
      token: { kind: 'github', url: OIDC_ENV.ACTIONS_ID_TOKEN_REQUEST_URL, requestToken: 'request-token-value' },
    });
    expect(s.region).toBe('us-east-1');
    expect(s.roleToAssume).toBe(ROLE);
    expect(s.audience).toBe(DEFAULT_AUDIENCE);
    expect(s.roleSessionName).toBe('GitHubActions');
    expect(s.roleDurationSeconds).toBe(3600);
    expect(s.maxAttempts).toBe(12);
    expect(s.timeoutMs).toBe(300_000);
    expect(s.outputEnvCredentials).toBe(true);
    expect(s.outputCredentials).toBe(false);
    expect(s.credentialsFile).toBe('/home/runner/.aws/credentials');
    expect(s.configFile).toBe('/home/runner/.aws/config');
  });

  it('reads the variables configure-aws-credentials reads when the input is empty, and no others', () => {
    const s = parseSettings(
      actionSource(
        { 'aws-region': '', 'role-to-assume': '' },
        {
          ...OIDC_ENV,
          AWS_REGION: 'eu-central-1',
          ROLE_TO_ASSUME: ROLE,
          AUDIENCE: 'my-aud',
          ROLE_DURATION_SECONDS: '1800',
          ROLE_SESSION_NAME: 'from-env',
          RETRY_MAX_ATTEMPTS: '3',
          ACTION_TIMEOUT_S: '20',
          MASK_AWS_ACCOUNT_ID: 'TRUE',
          ALLOWED_ACCOUNT_IDS: '111122223333',
          OUTPUT_CREDENTIALS: 'True',
          AWS_ROLE_ARN: 'arn:aws:iam::999999999999:role/pod',
          AWS_ROLE_SESSION_NAME: 'pod-session',
        },
      ),
    );
    expect(s).toMatchObject({
      region: 'eu-central-1',
      roleToAssume: ROLE,
      audience: 'my-aud',
      roleDurationSeconds: 1800,
      roleSessionName: 'from-env',
      maxAttempts: 3,
      // Not configure-aws-credentials variables: the action leaves them alone.
      timeoutMs: 300_000,
      maskAwsAccountId: true,
      allowedAccountIds: [],
      outputCredentials: true,
    });
  });

  it('lets an explicit input win over its variable', () => {
    const s = parse({ 'role-duration-seconds': '900' }, { ...OIDC_ENV, ROLE_DURATION_SECONDS: '7200' });
    expect(s.roleDurationSeconds).toBe(900);
  });

  it('disable-retry makes exactly one attempt whatever retry-max-attempts says', () => {
    expect(parse({ 'disable-retry': 'true', 'retry-max-attempts': '5' }).maxAttempts).toBe(1);
  });

  describe('STS endpoint precedence', () => {
    it('uses AWS_ENDPOINT_URL when nothing more specific is set', () => {
      expect(parse({}, { ...OIDC_ENV, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }).stsEndpoint).toBe(
        'http://127.0.0.1:4566',
      );
    });
    it('prefers AWS_ENDPOINT_URL_STS over AWS_ENDPOINT_URL', () => {
      const env = { ...OIDC_ENV, AWS_ENDPOINT_URL: 'http://general:1', AWS_ENDPOINT_URL_STS: 'http://sts:2' };
      expect(parse({}, env).stsEndpoint).toBe('http://sts:2');
    });
    it('prefers the sts-endpoint input over both', () => {
      const env = { ...OIDC_ENV, AWS_ENDPOINT_URL: 'http://general:1', AWS_ENDPOINT_URL_STS: 'http://sts:2' };
      expect(parse({ 'sts-endpoint': 'https://sts.example:3' }, env).stsEndpoint).toBe('https://sts.example:3');
    });
    it('leaves the endpoint to the SDK when none is set', () => {
      expect(parse({}).stsEndpoint).toBeUndefined();
    });
  });

  it('resolves a relative token file against GITHUB_WORKSPACE', () => {
    const s = parse({ 'web-identity-token-file': 'tokens/id.jwt' });
    expect(s.source).toEqual({
      kind: 'web-identity',
      token: { kind: 'file', path: '/home/runner/work/repo/tokens/id.jwt', allowSymlink: false },
    });
  });

  it('takes access keys over OIDC and keeps the given keys, not the environment ones', () => {
    const s = parse(
      { 'aws-access-key-id': 'AKIAGIVEN0000000', 'aws-secret-access-key': 'given-secret' },
      { ...OIDC_ENV, AWS_ACCESS_KEY_ID: 'AKIAENV000000000', AWS_SECRET_ACCESS_KEY: 'env-secret' },
    );
    expect(s.source).toEqual({
      kind: 'access-keys',
      keys: { accessKeyId: 'AKIAGIVEN0000000', secretAccessKey: 'given-secret' },
    });
  });

  it('role chaining signs with the credentials in the environment', () => {
    const s = parse(
      { 'role-chaining': 'true' },
      {
        ...OIDC_ENV,
        AWS_ACCESS_KEY_ID: 'AKIAENV000000000',
        AWS_SECRET_ACCESS_KEY: 'env-secret',
        AWS_SESSION_TOKEN: 'tok',
      },
    );
    expect(s.source).toEqual({
      kind: 'role-chaining',
      keys: { accessKeyId: 'AKIAENV000000000', secretAccessKey: 'env-secret', sessionToken: 'tok' },
    });
  });

  it('accepts a bare role name when keys give the account', () => {
    const s = parse(
      { 'role-to-assume': 'deploy', 'aws-access-key-id': 'AKIAX', 'aws-secret-access-key': 'secret-x' },
      {},
    );
    expect(s.roleToAssume).toBe('deploy');
  });

  it('falls back to the runner credentials (ambient) without an ID-token endpoint, like configure-aws-credentials', () => {
    expect(parse({}, {}).source).toEqual({ kind: 'ambient' });
    expect(parse({ 'force-skip-oidc': 'true' }).source).toEqual({ kind: 'ambient' });
  });

  it('keys without a role are exported as they are', () => {
    const s = parse({ 'role-to-assume': '', 'aws-access-key-id': 'AKIAX', 'aws-secret-access-key': 'secret-x' }, {});
    expect(s.roleToAssume).toBeUndefined();
    expect(s.source.kind).toBe('access-keys');
  });

  it('use-existing-credentials with credentials in the environment needs no role', () => {
    const s = parse(
      { 'role-to-assume': '', 'use-existing-credentials': 'true' },
      { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'env-secret' },
    );
    expect(s.existingCredentials).toEqual({ accessKeyId: 'AKIAENV', secretAccessKey: 'env-secret' });
  });

  it('aws-profile turns env export off unless output-env-credentials says otherwise', () => {
    expect(parse({ 'aws-profile': 'ci' }).outputEnvCredentials).toBe(false);
    expect(parse({ 'aws-profile': 'ci', 'output-env-credentials': 'true' }).outputEnvCredentials).toBe(true);
  });

  it('compacts the inline session policy', () => {
    expect(parse({ 'inline-session-policy': '{\n  "Version": "2012-10-17"\n}' }).inlineSessionPolicy).toBe(
      '{"Version":"2012-10-17"}',
    );
  });

  it('uses AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE for the profile files', () => {
    const s = parse({}, { ...OIDC_ENV, AWS_SHARED_CREDENTIALS_FILE: '/x/creds', AWS_CONFIG_FILE: 'rel/config' });
    expect(s.credentialsFile).toBe('/x/creds');
    expect(s.configFile).toBe('/work/cwd/rel/config');
  });

  it('reads the proxy from HTTPS_PROXY and NO_PROXY, the http-proxy input winning', () => {
    const env = { ...OIDC_ENV, HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'a.example, .b.example' };
    expect(parse({}, env).proxy).toEqual({ url: 'http://proxy:3128', noProxy: ['a.example', '.b.example'] });
    expect(parse({ 'http-proxy': 'http://other:8080' }, env).proxy?.url).toBe('http://other:8080');
  });
});

describe('parseSettings: proxy credentials', () => {
  it('registers a proxy password as a secret and never echoes it in an error', () => {
    const env = { ...OIDC_ENV, HTTPS_PROXY: 'user:pr0xy-Passw0rd@proxy.corp:3128' };
    const error = settingsError(() => parse({}, env));
    expect(error.message).toContain('***@proxy.corp:3128');
    expect(error.message).not.toContain('pr0xy-Passw0rd');
    parse({}, { ...OIDC_ENV, HTTPS_PROXY: 'http://user:An0ther-Passw0rd@proxy.corp:3128' });
    expect(redact('via An0ther-Passw0rd')).toBe('via ***');
  });

  it.each([
    ['HTTPS_PROXY', 'HTTPS_PROXY'],
    ['http_proxy', 'http_proxy'],
  ])('a broken percent-encoding in %s is exit 2 naming that variable, never the password', (variable, named) => {
    const env = { ...OIDC_ENV, [variable]: 'http://user:50%off-Secret@proxy.corp:3128' };
    const error = settingsError(() => parse({}, env));
    expect((error as InputError).exitCode).toBe(2);
    expect(error.message).toBe(
      `The proxy URL in ${named} has a user name or password with a broken percent-encoding (a % not followed by two hex digits): "http://***@proxy.corp:3128".`,
    );
    expect(error.hint).toContain('%25');
    expect(`${error.message} ${error.hint}`).not.toContain('off-Secret');
    expect(redact('via 50%off-Secret')).toBe('via ***');
  });

  it('a broken percent-encoding in the http-proxy input names the input', () => {
    const error = settingsError(() => parse({ 'http-proxy': 'http://us%er:pw@proxy.corp:3128' }));
    expect((error as InputError).exitCode).toBe(2);
    expect(error.message).toMatch(
      /^The proxy URL in input "http-proxy" has a user name or password with a broken percent-encoding/,
    );
  });

  it('refuses credentials in the --http-proxy flag, and takes them from HTTPS_PROXY', () => {
    const flags = { 'aws-region': 'us-east-1', 'role-to-assume': 'arn:aws:iam::111122223333:role/r' };
    const error = settingsError(() =>
      parseSettings(cliSource({ ...flags, 'http-proxy': 'http://u:Flag-Passw0rd@proxy:3128' }, OIDC_ENV)),
    );
    expect(error.message).toBe(
      '--http-proxy must not carry credentials: argv is visible to other processes and in sh -x traces.',
    );
    expect(error.hint).toBe('Put the proxy URL with its credentials in HTTPS_PROXY instead.');
    const fromEnv = parseSettings(cliSource(flags, { ...OIDC_ENV, HTTPS_PROXY: 'http://u:Env-Passw0rd@proxy:3128' }));
    expect(fromEnv.proxy?.url).toBe('http://u:Env-Passw0rd@proxy:3128');
  });

  it('describes, rather than prints, a value shaped like a credential', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const error = settingsError(() =>
      parseSettings(actionSource({ 'aws-region': 'us-east-1', 'role-chaining': jwt }, OIDC_ENV)),
    );
    expect(error.message).not.toContain(jwt);
    expect(error.message).toContain(
      `a ${jwt.length}-character value (lower-case letters, upper-case letters, digits and punctuation) that looks like a JWT (an ID or request token); not shown`,
    );
  });
});

describe('parseSettings: every input error names the input and the fix', () => {
  const booleanInputs = INPUTS.filter((spec) => spec.boolean).map((spec) => spec.name);

  it.each(booleanInputs)('boolean input "%s" refuses "yes"', (name) => {
    expect(errorOf({ [name]: 'yes' }).message).toBe(`Input "${name}" must be true or false, got "yes".`);
  });

  const cases: Array<[string, Record<string, string | undefined>, string | RegExp, Record<string, string>?]> = [
    ['missing region', { 'aws-region': undefined }, 'Input "aws-region" is required.'],
    [
      'region format',
      { 'aws-region': 'US_EAST_1' },
      'Input "aws-region" must match ^[a-z0-9-]+$ (e.g. us-east-1), got "US_EAST_1".',
    ],
    [
      'role ARN malformed',
      { 'role-to-assume': 'arn:aws:iam::12:role/x' },
      'Input "role-to-assume" must be a role ARN like arn:aws:iam::123456789012:role/deploy, got "arn:aws:iam::12:role/x".',
    ],
    [
      'bare role name with OIDC',
      { 'role-to-assume': 'deploy' },
      'Input "role-to-assume" "deploy" is a bare role name, but with an OIDC token there is no source account to complete it.',
    ],
    ['role missing with OIDC', { 'role-to-assume': undefined }, 'Input "role-to-assume" is required.'],
    [
      'session name with a colon',
      { 'role-session-name': 'a:b' },
      'Input "role-session-name" must be 2-64 characters of letters, digits and + = , . @ _ -, got "a:b".',
    ],
    ['session name too short', { 'role-session-name': 'a' }, /^Input "role-session-name" must be 2-64 characters/],
    [
      'session name too long',
      { 'role-session-name': 'x'.repeat(65) },
      /^Input "role-session-name" must be 2-64 characters/,
    ],
    [
      'duration below 900',
      { 'role-duration-seconds': '899' },
      'Input "role-duration-seconds" must be a whole number between 900 and 43200, got "899".',
    ],
    [
      'duration above 43200',
      { 'role-duration-seconds': '43201' },
      'Input "role-duration-seconds" must be a whole number between 900 and 43200, got "43201".',
    ],
    [
      'duration not an integer',
      { 'role-duration-seconds': '3600.0' },
      'Input "role-duration-seconds" must be a whole number between 900 and 43200, got "3600.0".',
    ],
    [
      'retry-max-attempts 0',
      { 'retry-max-attempts': '0' },
      'Input "retry-max-attempts" must be a whole number between 1 and 100, got "0".',
    ],
    [
      'retry-max-attempts not a number',
      { 'retry-max-attempts': 'many' },
      'Input "retry-max-attempts" must be a whole number between 1 and 100, got "many".',
    ],
    [
      'action-timeout-s 0',
      { 'action-timeout-s': '0' },
      'Input "action-timeout-s" must be a whole number between 1 and 3600, got "0".',
    ],
    [
      'inline policy not JSON',
      { 'inline-session-policy': '{"Version":' },
      /^Input "inline-session-policy" is not valid JSON: /,
    ],
    [
      'inline policy not an object',
      { 'inline-session-policy': '["s3:*"]' },
      'Input "inline-session-policy" must be a JSON policy document (an object).',
    ],
    [
      'inline policy too long',
      { 'inline-session-policy': JSON.stringify({ Sid: 'x'.repeat(2100) }) },
      /^Input "inline-session-policy" is 2\d{3} characters once compacted; STS allows 2048\.$/,
    ],
    [
      'managed policy not an ARN',
      { 'managed-session-policies': 'arn:aws:iam::aws:policy/ok\nReadOnlyAccess' },
      'Input "managed-session-policies": "ReadOnlyAccess" is not a policy ARN (arn:aws:iam::<account|aws>:policy/<name>).',
    ],
    [
      'more than 10 managed policies',
      { 'managed-session-policies': Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/p${i}`).join('\n') },
      'Input "managed-session-policies" lists 11 policies; STS allows 10.',
    ],
    [
      'custom-tags not an object',
      { 'custom-tags': '["a"]' },
      'Input "custom-tags" must be a JSON object of tag names to string values, e.g. {"team":"payments"}.',
    ],
    ['custom-tags not JSON', { 'custom-tags': 'team=payments' }, /^Input "custom-tags" is not valid JSON: /],
    [
      'custom-tags value not a string',
      { 'custom-tags': '{"team":1}' },
      'Input "custom-tags": the value of tag "team" must be a string, got a number.',
    ],
    [
      'custom-tags bad key',
      { 'custom-tags': '{"team!":"a"}' },
      'Input "custom-tags": tag key "team!" must be 1-128 characters of letters, digits, spaces and _ . : / = + - @.',
    ],
    [
      'custom-tags empty key',
      { 'custom-tags': '{"":"a"}' },
      /^Input "custom-tags": tag key "" must be 1-128 characters/,
    ],
    [
      'custom-tags aws: prefix',
      { 'custom-tags': '{"aws:team":"a"}' },
      'Input "custom-tags": tag key "aws:team" uses the reserved prefix aws:.',
    ],
    [
      'custom-tags bad value',
      { 'custom-tags': '{"team":"a;b"}' },
      'Input "custom-tags": the value of tag "team" must be at most 256 characters of letters, digits, spaces and _ . : / = + - @.',
    ],
    [
      'custom-tags value too long',
      { 'custom-tags': JSON.stringify({ team: 'x'.repeat(257) }) },
      /^Input "custom-tags": the value of tag "team" must be at most 256 characters/,
    ],
    [
      'custom-tags clash with ours',
      { 'custom-tags': '{"repository":"other"}' },
      /^Input "custom-tags": tag key "repository" clashes with a tag this action sets \(GitHub, Repository, /,
    ],
    [
      'custom-tags over 50',
      { 'custom-tags': JSON.stringify(Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`t${i}`, 'v']))) },
      'Input "custom-tags": 51 session tags in all (2 GitHub + custom); STS allows 50.',
    ],
    [
      'transitive key not sent',
      { 'transitive-tag-keys': 'Repository\nTeam' },
      'Input "transitive-tag-keys": "Team" is not one of the session tags sent.',
    ],
    [
      'allowed-account-ids empty item',
      { 'allowed-account-ids': '111122223333,' },
      'Input "allowed-account-ids" has an empty item; remove the extra comma.',
    ],
    [
      'allowed-account-ids not 12 digits',
      { 'allowed-account-ids': '111122223333, 12345' },
      'Input "allowed-account-ids": "12345" is not a 12-digit account id.',
    ],
    [
      'key id without the secret',
      { 'aws-access-key-id': 'AKIAX' },
      'Input "aws-access-key-id" and input "aws-secret-access-key" must be given together.',
    ],
    [
      'secret without the key id',
      { 'aws-secret-access-key': 'secret-x' },
      'Input "aws-access-key-id" and input "aws-secret-access-key" must be given together.',
    ],
    [
      'role-chaining without credentials',
      { 'role-chaining': 'true' },
      'Input "role-chaining" needs credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), usually exported by an earlier step.',
    ],
    [
      'profile name with a space',
      { 'aws-profile': 'my profile' },
      'Input "aws-profile" "my profile" may only use letters, digits and . _ + @ : -.',
    ],
    ['profile name with a bracket', { 'aws-profile': 'x]' }, /^Input "aws-profile" "x\]" may only use/],
    [
      'external id too short',
      { 'role-external-id': 'x' },
      'Input "role-external-id" must be 2-1224 characters of letters, digits and + = , . @ : / _ -.',
    ],
    [
      'sts-endpoint not a URL',
      { 'sts-endpoint': 'sts.local' },
      'Input "sts-endpoint" must be a URL such as https://sts.us-east-1.amazonaws.com, got "sts.local".',
    ],
    [
      'sts-endpoint not http',
      { 'sts-endpoint': 'ftp://sts.local' },
      'Input "sts-endpoint" must be an http(s) URL, got "ftp://sts.local".',
    ],
    [
      'AWS_ENDPOINT_URL_STS not a URL',
      {},
      'Environment variable AWS_ENDPOINT_URL_STS must be a URL such as https://sts.us-east-1.amazonaws.com, got "nope".',
      { ...OIDC_ENV, AWS_ENDPOINT_URL_STS: 'nope' },
    ],
    [
      'http-proxy without a scheme',
      { 'http-proxy': 'proxy.corp:3128' },
      'Input "http-proxy" must be a URL such as http://proxy:3128, got "proxy.corp:3128".',
    ],
    [
      'http-proxy not a URL',
      { 'http-proxy': 'http://' },
      'Input "http-proxy" must be a URL such as http://proxy:3128, got "http://".',
    ],
    [
      'token-source unknown',
      { 'token-source': 'gitlabs' },
      'Input "token-source" must be one of auto, github, jenkins, file, env:<VAR>, gitlab, circleci, bitbucket, buildkite, azure-devops, entra; got "gitlabs".',
    ],
    [
      'token-source env: bad name',
      { 'token-source': 'env:1TOKEN' },
      'Input "token-source": "1TOKEN" is not a valid environment variable name.',
    ],
    [
      'token-source file without a file',
      { 'token-source': 'file' },
      'Token source "file" needs input "web-identity-token-file" (or WEB_IDENTITY_TOKEN_FILE).',
    ],
  ];

  // A rest parameter: with a fourth named parameter, jest would pass `done` to the rows that have no env.
  it.each(cases)('%s', (...row) => {
    const [, inputs, expected, env] = row;
    const error = errorOf(inputs, env ?? OIDC_ENV);
    if (typeof expected === 'string') expect(error.message).toBe(expected);
    else expect(error.message).toMatch(expected);
    expect(error.kind).toBe('input');
  });

  it('says how to fix a missing role in the action', () => {
    expect(errorOf({ 'role-to-assume': undefined }).hint).toMatch(/id-token: write/);
  });

  it('tells the bare-role-name user to give the full ARN', () => {
    expect(errorOf({ 'role-to-assume': 'deploy' }).hint).toBe(
      'Give the full role ARN: arn:aws:iam::<account-id>:role/<name>.',
    );
  });

  it('names flags, not inputs, in the CLI', () => {
    const error = settingsError(() => parseSettings(cliSource({ 'role-to-assume': ROLE, 'aws-region': 'Bad' })));
    expect(error.message).toBe('--aws-region must match ^[a-z0-9-]+$ (e.g. us-east-1), got "Bad".');
  });

  it('a token-source the CI does not provide is a token error naming what was missing', () => {
    const error = settingsError(() => parse({ 'token-source': 'jenkins' }));
    expect(error.kind).toBe('token');
    expect(error.message).toBe(
      'Token source "jenkins" found no token: JENKINS_ID_TOKEN_REQUEST_URL / JENKINS_ID_TOKEN_REQUEST_TOKEN is not set.',
    );
  });

  it('registers the given secret key so no later log line can print it', async () => {
    const { redact } = await import('../../src/secrets');
    parse({ 'aws-access-key-id': 'AKIAREGISTERED01', 'aws-secret-access-key': 'registered-secret-value' }, {});
    expect(redact('x registered-secret-value AKIAREGISTERED01 y')).toBe('x *** *** y');
  });
});

describe('a secret pasted into the wrong input is never echoed', () => {
  const SECRETS: Record<string, string> = {
    'a secret access key': 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'a JWT': 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vciJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
    'a GitHub token': `ghp_${'a1B2c3D4e5'.repeat(4)}`,
    'a session token': `IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD${'Xy9'.repeat(30)}`,
  };
  const INPUTS_WITH_VALUES = [
    'aws-region',
    'role-to-assume',
    'cognito-identity-pool-id',
    'allowed-account-ids',
    'managed-session-policies',
    'transitive-tag-keys',
    'token-source',
    'sts-endpoint',
    'role-duration-seconds',
    'retry-max-attempts',
    'disable-retry',
    'inline-session-policy',
    'custom-tags',
  ];
  const cases = INPUTS_WITH_VALUES.flatMap((input) => Object.keys(SECRETS).map((shape) => [input, shape]));

  it.each(cases)('input "%s" holding %s: named, described, not shown', (input, shape) => {
    const secret = SECRETS[shape]!;
    const error = settingsError(() => parseSettings(actionSource({ ...base, [input]: secret }, OIDC_ENV)));
    expect(error.kind).toBe('input');
    expect(error.message).toContain(input);
    expect(`${error.message}\n${error.hint ?? ''}`).not.toContain(secret);
    expect(error.message).toMatch(new RegExp(`a ${secret.length}-character value \\(.*\\).*; not shown`));
  });

  it('says what the value looks like', () => {
    const error = settingsError(() =>
      parseSettings(actionSource({ ...base, 'role-to-assume': SECRETS['a JWT']! }, OIDC_ENV)),
    );
    expect(error.message).toBe(
      `Input "role-to-assume" must be a role ARN like arn:aws:iam::123456789012:role/deploy, got a ${SECRETS['a JWT']!.length}-character value (lower-case letters, upper-case letters, digits and punctuation) that looks like a JWT (an ID or request token); not shown.`,
    );
  });

  it('ordinary mistakes are still quoted', () => {
    const error = settingsError(() => parseSettings(actionSource({ ...base, 'aws-region': 'US East' }, OIDC_ENV)));
    expect(error.message).toBe('Input "aws-region" must match ^[a-z0-9-]+$ (e.g. us-east-1), got "US East".');
  });
});
