import { EndpointError, isRetryable, type KeylessError, TimeoutError } from '../../src/errors';
import { classifyAwsError } from '../../src/exchange/aws-errors';
import { assumeRole, assumeRoleWithWebIdentity, createStsClient, getCallerIdentity } from '../../src/exchange/sts';
import { withRetry } from '../../src/net/retry';
import { redact } from '../../src/secrets';
import { decodeToken } from '../../src/token/token';
import { type HostileServer, selfSignedCert, startHostileServer } from '../support/hostile-server';
import { createTestIssuer, githubClaims, type TestIssuer } from '../support/jwt';
import { type StsBehaviour, type StsFake, startStsFake, stsError } from '../support/sts-fake';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const explain = () => ({ details: 'explained' });

describe('STS calls through the real SDK against the Query-protocol fake', () => {
  let sts: StsFake;
  let issuer: TestIssuer;
  beforeAll(async () => {
    sts = await startStsFake();
    issuer = await createTestIssuer();
  });
  afterAll(() => sts.close());
  beforeEach(() => sts.reset());

  const client = (keys?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, timeout = 2000) =>
    createStsClient({ region: 'us-east-1', endpoint: sts.url, requestTimeoutMs: timeout }, keys);
  const token = async () => decodeToken(await issuer.sign(githubClaims()), 'test');

  it('AssumeRoleWithWebIdentity goes unsigned, with the Query parameters, and yields a masked session', async () => {
    const t = await token();
    const session = await assumeRoleWithWebIdentity(
      client(),
      t,
      {
        roleArn: ROLE,
        roleSessionName: 'GitHubActions',
        durationSeconds: 1800,
        policy: '{"Version":"2012-10-17"}',
        policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      },
      explain,
    );
    const [request] = sts.requests;
    expect(request?.signed).toBe(false);
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request?.params).toMatchObject({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: ROLE,
      RoleSessionName: 'GitHubActions',
      WebIdentityToken: t.value,
      DurationSeconds: '1800',
      Policy: '{"Version":"2012-10-17"}',
      'PolicyArns.member.1.arn': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    });
    const issued = sts.issued[0]!;
    expect(session.arn).toBe('arn:aws:sts::111122223333:assumed-role/deploy/GitHubActions');
    expect(session.accountId).toBe('111122223333');
    expect(session.credentials.accessKeyId).toBe(issued.accessKeyId);
    expect(session.credentials.secretAccessKey).toBe(issued.secretAccessKey);
    expect(session.credentials.sessionToken).toBe(issued.sessionToken);
    expect(session.credentials.expiration?.toISOString().replace('.000', '')).toBe(issued.expiration);
    expect(redact(`${issued.secretAccessKey} ${issued.sessionToken}`)).toBe('*** ***');
  });

  it('AssumeRole is signed with exactly the given keys, session token included, tags encoded as Query lists', async () => {
    const keys = {
      accessKeyId: 'AKIAGIVENKEY0001',
      secretAccessKey: 'given-secret-key',
      sessionToken: 'given-session-token',
    };
    await assumeRole(
      client(keys),
      {
        roleArn: ROLE,
        roleSessionName: 's1',
        durationSeconds: 900,
        policyArns: [],
        tags: [
          { Key: 'GitHub', Value: 'Actions' },
          { Key: 'Repository', Value: 'o/r' },
        ],
        transitiveTagKeys: ['Repository'],
        externalId: 'ext-123',
      },
      explain,
    );
    const [request] = sts.requests;
    expect(request?.signed).toBe(true);
    expect(request?.accessKeyId).toBe('AKIAGIVENKEY0001');
    expect(request?.securityToken).toBe('given-session-token');
    expect(request?.params).toMatchObject({
      Action: 'AssumeRole',
      'Tags.member.1.Key': 'GitHub',
      'Tags.member.1.Value': 'Actions',
      'Tags.member.2.Key': 'Repository',
      'Tags.member.2.Value': 'o/r',
      'TransitiveTagKeys.member.1': 'Repository',
      ExternalId: 'ext-123',
      DurationSeconds: '900',
    });
  });

  it('GetCallerIdentity answers account and ARN of the caller', async () => {
    const id = await getCallerIdentity(
      client({ accessKeyId: 'AKIAUSER00000001', secretAccessKey: 'user-secret-1' }),
      explain,
    );
    expect(id).toEqual({ accountId: '111122223333', arn: 'arn:aws:iam::111122223333:user/ci-user' });
    expect(sts.requests[0]?.accessKeyId).toBe('AKIAUSER00000001');
  });

  const table: Array<[string, StsBehaviour, string, string]> = [
    ['AccessDenied', stsError.accessDenied(), 'denied', 'AccessDenied'],
    ['InvalidIdentityToken (audience)', stsError.invalidIdentityToken(), 'denied', 'InvalidIdentityToken'],
    ['InvalidIdentityToken (no provider)', stsError.noOidcProvider(), 'denied', 'InvalidIdentityToken'],
    [
      "InvalidIdentityToken (couldn't retrieve verification key)",
      stsError.verificationKey(),
      'transient',
      'InvalidIdentityToken',
    ],
    ['ExpiredTokenException', stsError.expiredToken(), 'denied', 'ExpiredTokenException'],
    ['ValidationError', stsError.validationError(), 'denied', 'ValidationError'],
    ['PackedPolicyTooLarge', stsError.packedPolicyTooLarge(), 'denied', 'PackedPolicyTooLarge'],
    ['MalformedPolicyDocument', stsError.malformedPolicyDocument(), 'denied', 'MalformedPolicyDocument'],
    ['IDPRejectedClaim', stsError.idpRejectedClaim(), 'denied', 'IDPRejectedClaim'],
    ['IDPCommunicationError', stsError.idpCommunicationError(), 'transient', 'IDPCommunicationError'],
    ['Throttling', stsError.throttling(), 'transient', 'Throttling'],
    ['InternalFailure 500', stsError.internalFailure(500), 'transient', 'InternalFailure'],
    ['ServiceUnavailable 503', stsError.internalFailure(503), 'transient', 'ServiceUnavailable'],
    [
      'an unknown 502 without XML',
      { kind: 'raw', status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' },
      'transient',
      '',
    ],
  ];

  it.each(table)('classifies %s as %s', async (_name, behaviour, kind, code) => {
    sts.next(behaviour);
    const error = await assumeRoleWithWebIdentity(
      client(),
      await token(),
      { roleArn: ROLE, roleSessionName: 's', durationSeconds: 3600, policyArns: [] },
      explain,
    ).catch((e) => e);
    expect(error.kind).toBe(kind);
    if (code) expect(error.code).toBe(code);
    if (behaviour.kind === 'error') {
      expect(error.message).toBe(`sts:AssumeRoleWithWebIdentity failed: ${behaviour.code}: ${behaviour.message}`);
    }
    if (kind === 'denied') expect(error.details).toBe('explained');
  });

  it('a server that never answers costs the request timeout, then a retryable TimeoutError', async () => {
    sts.hang(1);
    const started = Date.now();
    const error = await assumeRoleWithWebIdentity(
      client(undefined, 300),
      await token(),
      { roleArn: ROLE, roleSessionName: 's', durationSeconds: 3600, policyArns: [] },
      explain,
    ).catch((e) => e);
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a refused connection is a transient network error', async () => {
    const error = await getCallerIdentity(
      createStsClient(
        { region: 'us-east-1', endpoint: 'http://127.0.0.1:1', requestTimeoutMs: 1000 },
        {
          accessKeyId: 'AKIAX0000000000',
          secretAccessKey: 'secret-x-000',
        },
      ),
      explain,
    ).catch((e) => e);
    expect([error.kind, error.code]).toEqual(['transient', 'ConnectionRefused']);
    expect(error.message).toMatch(/^STS at http:\/\/127\.0\.0\.1:1 could not be reached: connection refused/);
  });
});

describe('classifyAwsError for errors that are not AWS answers', () => {
  it.each([
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient', 'NetworkError'],
    [
      'EAI_AGAIN',
      Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' }),
      'transient',
      'NetworkError',
    ],
    [
      'a wrapped ECONNREFUSED',
      new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1'),
      'transient',
      'NetworkError',
    ],
    [
      'TimeoutError',
      Object.assign(new Error('Connection timed out after 10000 ms'), { name: 'TimeoutError' }),
      'timeout',
      'Timeout',
    ],
    [
      'no credentials',
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      'token',
      'NoCredentials',
    ],
    ['anything else', new Error('something odd'), 'transient', 'UnexpectedError'],
  ])('%s', (_label, error, kind, code) => {
    const out = classifyAwsError(error, 'sts:AssumeRole', explain);
    expect([out.kind, out.code]).toEqual([kind, code]);
  });
});

describe('STS calls against a hostile or broken endpoint', () => {
  let hostile: HostileServer;
  let tls: HostileServer;
  let issuer: TestIssuer;
  beforeAll(async () => {
    hostile = await startHostileServer();
    tls = await startHostileServer({ tls: selfSignedCert() });
    issuer = await createTestIssuer();
  });
  afterAll(async () => {
    await hostile.close();
    await tls.close();
  });

  const webIdentity = async (endpoint: string, timeout = 2000) =>
    assumeRoleWithWebIdentity(
      createStsClient({ region: 'us-east-1', endpoint, requestTimeoutMs: timeout }),
      decodeToken(await issuer.sign(githubClaims()), 'test'),
      { roleArn: ROLE, roleSessionName: 'GitHubActions', durationSeconds: 900, policyArns: [] },
      explain,
    ).then(
      () => {
        throw new Error('expected a failure');
      },
      (error: KeylessError) => error,
    );

  it('bounds an attempt whose body stalls after the headers by the request timeout, as a retryable timeout', async () => {
    hostile.behave({ kind: 'stall-body', contentType: 'text/xml' });
    const started = Date.now();
    const error = await webIdentity(hostile.url, 400);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(isRetryable(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('caps the body: a 128 MiB answer is dropped after about the cap', async () => {
    const before = hostile.bytesSent;
    hostile.behave({ kind: 'flood', bytes: 128 * 2 ** 20, contentType: 'text/xml' });
    const error = await webIdentity(hostile.url, 10_000);
    expect(error.code).toBe('ResponseTooLarge');
    expect(hostile.bytesSent - before).toBeLessThan(2 ** 20 + 8 * 2 ** 20);
  });

  it.each([
    [
      'an HTML login page',
      'text/html',
      '<html>\n<title>Sign in to the guest Wi-Fi</title>\u0007</html>',
      /text\/html \("<html> <title>Sign in to the guest Wi-Fi<\/title>\?<\/html>"\)/,
    ],
    ['an empty body', 'text/xml', '', /an empty body/],
  ])(
    'names the endpoint and what came back for %s with HTTP 200, without retrying',
    async (_name, contentType, body, shown) => {
      hostile.behave({ kind: 'raw', status: 200, contentType, body });
      const error = await webIdentity(hostile.url);
      expect(error).toBeInstanceOf(EndpointError);
      expect(error.code).toBe('UnexpectedResponse');
      expect(isRetryable(error)).toBe(false);
      expect(error.message).toContain(`STS at ${new URL(hostile.url).origin} answered HTTP 200 with`);
      expect(error.message).toMatch(shown);
      expect(error.hint).toMatch(/captive portal/);
    },
  );

  it('refuses a certificate nobody trusts at once, naming the host and the fix, in one attempt', async () => {
    const before = tls.connections;
    const error = await withRetry(() => webIdentity(tls.url).then((e) => Promise.reject(e)), {
      maxAttempts: 5,
      deadline: Date.now() + 10_000,
      sleep: async () => {},
    }).catch((e: KeylessError) => e);
    expect(error).toBeInstanceOf(EndpointError);
    expect(error.code).toBe('UntrustedCertificate');
    expect(error.message).toContain('STS at https://127.0.0.1');
    expect(error.hint).toContain('NODE_EXTRA_CA_CERTS');
    expect(tls.connections - before).toBe(1);
  });
});
