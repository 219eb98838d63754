import { obtainSession } from '../../src/exchange/obtain';
import type { Logger } from '../../src/log';
import { parseSettings } from '../../src/settings/parse';
import type { Settings } from '../../src/settings/types';
import { startHostileServer } from '../support/hostile-server';
import { actionSource } from '../support/settings';
import { type StsFake, startStsFake, stsError } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const GITHUB_VARS = {
  GITHUB_REPOSITORY: 'octo-org/octo-repo',
  GITHUB_WORKFLOW: 'deploy',
  GITHUB_ACTION: '__run',
  GITHUB_ACTOR: 'octocat',
  GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_RUN_ID: '9876543210',
  GITHUB_JOB: 'deploy',
};

describe('obtainSession against the loopback token endpoint and STS', () => {
  let sts: StsFake;
  let endpoint: TokenEndpoint;
  let lines: string[];
  const log: Logger = {
    info: (m) => lines.push(m),
    warn: (m) => lines.push(m),
    debug: () => {},
    error: (m) => lines.push(m),
  };
  beforeAll(async () => {
    sts = await startStsFake();
    endpoint = await startTokenEndpoint();
  });
  afterAll(async () => {
    await sts.close();
    await endpoint.close();
  });
  beforeEach(() => {
    sts.reset();
    endpoint.reset();
    lines = [];
  });

  const settings = (inputs: Record<string, string> = {}, env: Record<string, string> = {}): Settings =>
    parseSettings(
      actionSource(
        { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, ...inputs },
        { ...endpoint.env(), AWS_ENDPOINT_URL_STS: sts.url, ...GITHUB_VARS, ...env },
      ),
    );
  const fail = (s: Settings) =>
    obtainSession(s, log).then(
      () => {
        throw new Error('expected a failure');
      },
      (error) => error,
    );

  describe('OIDC', () => {
    it('exchanges a fresh ID token without GetCallerIdentity, unsigned, with the right audience', async () => {
      const session = await obtainSession(settings(), log);
      expect(sts.actions()).toEqual(['AssumeRoleWithWebIdentity']);
      expect(sts.requests[0]?.signed).toBe(false);
      expect(sts.requests[0]?.params.WebIdentityToken).toBe(endpoint.issued[0]);
      expect(endpoint.requests[0]?.audience).toBe('sts.amazonaws.com');
      expect(session.accountId).toBe('111122223333');
      expect(session.arn).toBe('arn:aws:sts::111122223333:assumed-role/deploy/GitHubActions');
      expect(session.credentials.sessionToken).toBe(sts.issued.at(-1)?.sessionToken);
    });

    it('sends the custom audience to the token endpoint', async () => {
      await obtainSession(settings({ audience: 'my-audience' }), log);
      expect(endpoint.requests[0]?.audience).toBe('my-audience');
    });

    it.each([
      ['AccessDenied', stsError.accessDenied()],
      ['InvalidIdentityToken', stsError.noOidcProvider()],
      ['ValidationError', stsError.validationError()],
      ['MalformedPolicyDocument', stsError.malformedPolicyDocument()],
      ['ExpiredTokenException', stsError.expiredToken()],
    ])('%s fails on the first attempt: one request, no sleep', async (code, behaviour) => {
      sts.setDefault(behaviour);
      const started = Date.now();
      const error = await fail(settings());
      expect(Date.now() - started).toBeLessThan(1000);
      expect([error.kind, error.code]).toEqual(['denied', code]);
      expect(sts.requests).toHaveLength(1);
      expect(endpoint.requests).toHaveLength(1);
    });

    it.each([
      ['Throttling', () => sts.throttle(2)],
      ['5xx', () => sts.serverError(2, 503)],
      ['IDPCommunicationError', () => sts.next(stsError.idpCommunicationError(), stsError.idpCommunicationError())],
      ["Couldn't retrieve verification key", () => sts.next(stsError.verificationKey(), stsError.verificationKey())],
    ])('%s is retried, each attempt with a fresh ID token', async (_name, script) => {
      script();
      await obtainSession(settings(), log);
      expect(sts.requests).toHaveLength(3);
      const jtis = sts.requests.map((r) => r.jti);
      expect(new Set(jtis).size).toBe(3);
      expect(endpoint.requests).toHaveLength(3);
      expect(lines.filter((l) => l.includes('retrying in'))).toHaveLength(2);
    });

    it('a token endpoint 5xx is retried too', async () => {
      endpoint.failTimes(1, 502);
      await obtainSession(settings(), log);
      expect(endpoint.requests.map((r) => r.status)).toEqual([502, 200]);
      expect(sts.requests).toHaveLength(1);
    });

    it('stops after retry-max-attempts with the last error', async () => {
      sts.setDefault(stsError.throttling());
      const error = await fail(settings({ 'retry-max-attempts': '3' }));
      expect(error.code).toBe('Throttling');
      expect(sts.requests).toHaveLength(3);
    });

    it('disable-retry makes one attempt even for a transient error', async () => {
      sts.setDefault(stsError.throttling());
      await fail(settings({ 'disable-retry': 'true' }));
      expect(sts.requests).toHaveLength(1);
    });

    it('an STS that never answers is bounded by action-timeout-s', async () => {
      sts.hang();
      const started = Date.now();
      const error = await fail(settings({ 'action-timeout-s': '1' }));
      const elapsed = Date.now() - started;
      expect(error.kind).toBe('timeout');
      expect(error.message).toBe('Getting AWS credentials did not finish in time.');
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(2500);
    });

    it('the default overall bound applies when action-timeout-s is unset (injected small)', async () => {
      endpoint.hang();
      const s = settings();
      expect(s.timeoutMs).toBe(300_000);
      const started = Date.now();
      const error = await fail({ ...s, timeoutMs: 300 });
      expect(error.kind).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(1500);
    });

    it('an STS whose body stalls after the headers costs one request timeout per attempt, each retried', async () => {
      const hostile = await startHostileServer();
      try {
        hostile.behave({ kind: 'stall-body', contentType: 'text/xml' });
        const s = settings({ 'retry-max-attempts': '3' }, { AWS_ENDPOINT_URL_STS: hostile.url });
        const started = Date.now();
        const error = await fail({ ...s, requestTimeoutMs: 300 });
        expect(error.kind).toBe('timeout');
        expect(error.message).toContain(`STS at ${new URL(hostile.url).origin} did not answer within 0.3 s`);
        expect(hostile.requests).toBe(3);
        expect(endpoint.requests).toHaveLength(3);
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        await hostile.close();
      }
    });

    it('a black-holed STS is given up on after network-timeout-s, not after 12 request timeouts', async () => {
      sts.hang();
      const s = settings({ 'network-timeout-s': '1' });
      expect(settings().networkTimeoutMs).toBe(30_000);
      expect(s.maxAttempts).toBe(12);
      // Each attempt is a token fetch plus at most 0.4 s of STS silence; none starts that could end past the 1 s budget.
      const started = Date.now();
      const error = await fail({ ...s, requestTimeoutMs: 400 });
      expect(error.kind).toBe('timeout');
      expect(error.message).toMatch(
        /did not answer within 0\.4 s\. Gave up after [12] attempts? \(network-timeout-s 1 s\)\.$/,
      );
      expect(sts.requests.length).toBeLessThanOrEqual(2);
      expect(Date.now() - started).toBeLessThan(1600);
    });

    it('the denial explanation has role, STS answer, claims and trust-policy keys, never the token', async () => {
      sts.setDefault(stsError.accessDenied());
      const error = await fail(settings());
      const text = `${error.message}\n${error.hint ?? ''}\n${error.details ?? ''}`;
      expect(error.details).toContain(`Role: ${ROLE}`);
      expect(error.message).toBe(
        'sts:AssumeRoleWithWebIdentity failed: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity',
      );
      for (const claim of ['iss', 'aud', 'sub', 'exp', 'repository', 'ref', 'environment', 'job_workflow_ref']) {
        expect(error.details).toMatch(new RegExp(`^  ${claim}: `, 'm'));
      }
      expect(error.details).toContain('token.actions.githubusercontent.com:aud = sts.amazonaws.com');
      expect(error.details).toContain(
        'token.actions.githubusercontent.com:sub = repo:octo-org/octo-repo:environment:prod',
      );
      expect(error.details).toMatch(/Likely causes:/);
      expect(text).not.toContain(endpoint.issued[0]!);
      expect(text).not.toContain(endpoint.issued[0]!.split('.')[2]!);
    });
  });

  describe('access keys', () => {
    const keys = { 'aws-access-key-id': 'AKIAGIVEN0000001', 'aws-secret-access-key': 'given-secret-0001' };
    const otherKeys = { AWS_ACCESS_KEY_ID: 'AKIAAMBIENT00001', AWS_SECRET_ACCESS_KEY: 'ambient-secret-01' };

    it('AssumeRole is signed with the given keys, not the environment ones, and carries the GitHub tags', async () => {
      const session = await obtainSession(settings(keys, otherKeys), log);
      expect(sts.actions()).toEqual(['AssumeRole']);
      const request = sts.requests[0]!;
      expect(request.accessKeyId).toBe('AKIAGIVEN0000001');
      const tags = Object.fromEntries(
        Object.entries(request.params)
          .filter(([k]) => /^Tags\.member\.\d+\.Key$/.test(k))
          .map(([k, v]) => [v, request.params[k.replace('.Key', '.Value')]]),
      );
      expect(tags).toEqual({
        GitHub: 'Actions',
        Repository: 'octo-org/octo-repo',
        Workflow: 'deploy',
        Action: '__run',
        Actor: 'octocat',
        Commit: GITHUB_VARS.GITHUB_SHA,
        Branch: 'refs/heads/main',
        EventName: 'push',
        RunId: '9876543210',
        Job: 'deploy',
      });
      expect(request.params['Tags.member.1.Key']).toBe('GitHub');
      expect(session.credentials.accessKeyId).toBe(sts.issued.at(-1)?.accessKeyId);
    });

    it('sanitises tag values and cuts them at 256 characters', async () => {
      await obtainSession(
        settings(keys, { GITHUB_WORKFLOW: `deploy (prod) #1 ${'x'.repeat(300)}`, GITHUB_ACTOR: 'dependabot[bot]' }),
        log,
      );
      const params = sts.requests[0]!.params;
      const value = (key: string) => {
        const name = Object.keys(params).find((k) => params[k] === key && k.endsWith('.Key'))!;
        return params[name.replace('.Key', '.Value')]!;
      };
      expect(value('Workflow')).toHaveLength(256);
      expect(value('Workflow').startsWith('deploy _prod_ _1 xxx')).toBe(true);
      expect(value('Actor')).toBe('dependabot_bot_');
    });

    it('sends custom tags, transitive keys and the external id; no tags with role-skip-session-tagging', async () => {
      await obtainSession(
        settings({
          ...keys,
          'custom-tags': '{"team":"payments"}',
          'transitive-tag-keys': 'Repository\nteam',
          'role-external-id': 'ext-id-1',
        }),
        log,
      );
      const params = sts.requests[0]!.params;
      expect(Object.values(params)).toEqual(expect.arrayContaining(['team', 'payments']));
      expect(params['TransitiveTagKeys.member.1']).toBe('Repository');
      expect(params['TransitiveTagKeys.member.2']).toBe('team');
      expect(params.ExternalId).toBe('ext-id-1');
      sts.reset();
      await obtainSession(settings({ ...keys, 'role-skip-session-tagging': 'true' }), log);
      expect(Object.keys(sts.requests[0]!.params).some((k) => k.startsWith('Tags.'))).toBe(false);
    });

    it('PackedPolicyTooLarge is retried once without the optional tags', async () => {
      sts.next(stsError.packedPolicyTooLarge());
      await obtainSession(settings(keys), log);
      expect(sts.actions()).toEqual(['AssumeRole', 'AssumeRole']);
      const keysOf = (i: number) =>
        Object.entries(sts.requests[i]!.params)
          .filter(([k]) => k.endsWith('.Key'))
          .map(([, v]) => v);
      expect(keysOf(0)).toContain('RunId');
      expect(keysOf(1)).toEqual(['GitHub', 'Repository', 'Workflow', 'Action', 'Actor', 'Commit', 'Branch']);
    });

    it('keys without a role are checked with GetCallerIdentity and returned as they are', async () => {
      const session = await obtainSession(settings({ ...keys, 'role-to-assume': '' }), log);
      expect(sts.actions()).toEqual(['GetCallerIdentity']);
      expect(sts.requests[0]?.accessKeyId).toBe('AKIAGIVEN0000001');
      expect(session.credentials).toMatchObject({
        accessKeyId: 'AKIAGIVEN0000001',
        secretAccessKey: 'given-secret-0001',
      });
      expect(session.credentials.sessionToken).toBeUndefined();
      expect(session.arn).toBe('arn:aws:iam::111122223333:user/ci-user');
    });

    it('a bare role name is completed from the caller account', async () => {
      await obtainSession(settings({ ...keys, 'role-to-assume': 'deploy' }), log);
      expect(sts.actions()).toEqual(['GetCallerIdentity', 'AssumeRole']);
      expect(sts.requests[1]?.params.RoleArn).toBe('arn:aws:iam::111122223333:role/deploy');
    });
  });

  it('role chaining signs AssumeRole with the credentials in the environment', async () => {
    const env = {
      AWS_ACCESS_KEY_ID: 'ASIACHAIN0000001',
      AWS_SECRET_ACCESS_KEY: 'chain-secret-001',
      AWS_SESSION_TOKEN: 'chain-session-token-1',
    };
    await obtainSession(settings({ 'role-chaining': 'true' }, env), log);
    expect(sts.actions()).toEqual(['AssumeRole']);
    expect(sts.requests[0]?.accessKeyId).toBe('ASIACHAIN0000001');
    expect(sts.requests[0]?.securityToken).toBe('chain-session-token-1');
  });

  describe('use-existing-credentials', () => {
    const env = {
      AWS_ACCESS_KEY_ID: 'ASIAEXISTING0001',
      AWS_SECRET_ACCESS_KEY: 'existing-secret-1',
      AWS_SESSION_TOKEN: 'existing-token-1',
    };
    it('keeps valid credentials: one GetCallerIdentity, no token fetched', async () => {
      const session = await obtainSession(settings({ 'use-existing-credentials': 'true' }, env), log);
      expect(sts.actions()).toEqual(['GetCallerIdentity']);
      expect(endpoint.requests).toHaveLength(0);
      expect(session.reused).toBe(true);
      expect(session.credentials.accessKeyId).toBe('ASIAEXISTING0001');
    });
    it('assumes the role when they are not valid', async () => {
      sts.next({
        kind: 'error',
        code: 'ExpiredToken',
        status: 403,
        message: 'The security token included in the request is expired',
      });
      const session = await obtainSession(settings({ 'use-existing-credentials': 'true' }, env), log);
      expect(sts.actions()).toEqual(['GetCallerIdentity', 'AssumeRoleWithWebIdentity']);
      expect(session.reused).toBeUndefined();
    });
  });

  describe('special-characters-workaround', () => {
    it('assumes again until the secret is alphanumeric', async () => {
      sts.next({ kind: 'allow', secretAccessKey: 'abc+def/ghi' }, { kind: 'allow', secretAccessKey: 'abc+def' });
      const session = await obtainSession(settings({ 'special-characters-workaround': 'true' }), log);
      expect(sts.requests).toHaveLength(3);
      expect(session.credentials.secretAccessKey).toMatch(/^[a-zA-Z0-9]+$/);
      expect(session.credentials.secretAccessKey).toBe(sts.issued.at(-1)?.secretAccessKey);
    });
    it('gives up after retry-max-attempts with a clear error', async () => {
      sts.setDefault({ kind: 'allow', secretAccessKey: 'always+special' });
      const error = await fail(settings({ 'special-characters-workaround': 'true', 'retry-max-attempts': '2' }));
      expect(error.code).toBe('SpecialCharacters');
      expect(error.message).toBe(
        'The secret access key still contained special characters after 2 attempts (special-characters-workaround).',
      );
      expect(sts.requests).toHaveLength(2);
    });
  });

  describe('allowed-account-ids', () => {
    it('refuses credentials of another account', async () => {
      const error = await fail(settings({ 'allowed-account-ids': '444455556666' }));
      expect(error.code).toBe('AccountNotAllowed');
      expect(error.message).toBe(
        'The credentials belong to account 111122223333, which is not in allowed-account-ids.',
      );
    });
    it('masks the account in the message with mask-aws-account-id', async () => {
      const error = await fail(settings({ 'allowed-account-ids': '444455556666', 'mask-aws-account-id': 'true' }));
      expect(error.message).not.toContain('111122223333');
    });
    it('accepts an allowed account', async () => {
      await expect(
        obtainSession(settings({ 'allowed-account-ids': '444455556666,111122223333' }), log),
      ).resolves.toBeDefined();
    });
  });
});
