/**
 * The Cognito classic flow in-process, over the real wire: GitHub-protocol token endpoint → loopback Cognito
 * Identity (JSON 1.1) → loopback STS (Query/XML). Settings come from parseSettings exactly as the action reads them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DeniedError, EndpointError, KeylessError, TimeoutError, TransientError } from '../../src/errors';
import { cognitoExchange } from '../../src/exchange/cognito';
import { obtainSession } from '../../src/exchange/obtain';
import type { Logger } from '../../src/log';
import { redact } from '../../src/secrets';
import { parseSettings } from '../../src/settings/parse';
import { decodeToken } from '../../src/token/token';
import { COGNITO_FAULTS, type CognitoFake, GITHUB_PROVIDER, startCognitoFake } from '../support/cognito-fake';
import { type HostileServer, startHostileServer } from '../support/hostile-server';
import { createTestIssuer, decodeClaims, githubClaims } from '../support/jwt';
import { actionSource } from '../support/settings';
import { type StsFake, startStsFake, stsError } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::222233334444:role/deploy-abac';
const RUN_ID = '12345678901';
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const TAG_MAP = { repository: 'repository', actor: 'actor', run_id: 'run_id', sha: 'sha' };

let endpoint: TokenEndpoint;
let cognito: CognitoFake;
let sts: StsFake;
/** endpoint.issued keeps every token; these are the ones minted in the current test. */
let issuedBefore = 0;
const ciTokensIssued = () => endpoint.issued.slice(issuedBefore);

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => lines.push(redact(m));
  return { lines, info: push, warn: push, debug: push, error: push };
}

function settingsFor(inputs: Record<string, string | undefined> = {}, env: Record<string, string> = {}) {
  return parseSettings(
    actionSource(
      {
        'aws-region': 'us-east-2',
        'role-to-assume': ROLE,
        'cognito-identity-pool-id': cognito.poolId,
        'cognito-endpoint': cognito.url,
        'sts-endpoint': sts.url,
        ...inputs,
      },
      { ...endpoint.env(), GITHUB_RUN_ID: RUN_ID, GITHUB_SHA: SHA, ...env },
    ),
  );
}

async function failure(promise: Promise<unknown>): Promise<KeylessError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeylessError) return error;
    throw error;
  }
  throw new Error('expected the exchange to fail');
}

beforeAll(async () => {
  endpoint = await startTokenEndpoint();
  sts = await startStsFake();
});

afterAll(async () => {
  await Promise.all([endpoint.close(), sts.close(), cognito?.close()]);
});

beforeEach(async () => {
  await cognito?.close();
  cognito = await startCognitoFake({ principalTags: TAG_MAP });
  endpoint.reset();
  issuedBefore = endpoint.issued.length;
  sts.reset();
});

describe('the classic flow', () => {
  test('GetId and GetOpenIdToken carry the CI token; STS gets the Cognito token with role, name and duration', async () => {
    const log = recordingLogger();
    const session = await obtainSession(
      settingsFor({ 'aws-account-id': '111111111111', 'role-duration-seconds': '1800' }),
      log,
    );

    expect(endpoint.requests.map((r) => r.audience)).toEqual(['cognito-identity.amazonaws.com']);
    const ciToken = ciTokensIssued()[0]!;
    expect(cognito.requests.map((r) => r.operation)).toEqual(['GetId', 'GetOpenIdToken']);
    for (const request of cognito.requests) {
      expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
      expect(request.headers['x-amz-target']).toBe(`AWSCognitoIdentityService.${request.operation}`);
      // Public APIs: nothing to sign, and no credentials looked up for it.
      expect(request.headers.authorization).toBeUndefined();
    }
    const [getId, getToken] = cognito.requests as [(typeof cognito.requests)[0], (typeof cognito.requests)[0]];
    expect(getId.body).toEqual({
      IdentityPoolId: cognito.poolId,
      AccountId: '111111111111',
      Logins: { [GITHUB_PROVIDER]: ciToken },
    });
    const issued = cognito.issued[0]!;
    expect(getToken.body).toEqual({ IdentityId: issued.identityId, Logins: { [GITHUB_PROVIDER]: ciToken } });

    expect(sts.requests).toHaveLength(1);
    const assume = sts.requests[0]!;
    expect(assume.action).toBe('AssumeRoleWithWebIdentity');
    expect(assume.signed).toBe(false);
    expect(assume.params.WebIdentityToken).toBe(issued.token);
    expect(assume.params.WebIdentityToken).not.toBe(ciToken);
    expect(assume.params.RoleArn).toBe(ROLE);
    expect(assume.params.RoleSessionName).toBe(`${RUN_ID}@${SHA}`);
    expect(assume.params.RoleSessionName).toHaveLength(52);
    expect(assume.params.DurationSeconds).toBe('1800');

    expect(session.identityId).toBe(issued.identityId);
    expect(session.credentials.accessKeyId).toBe(sts.issued[0]!.accessKeyId);
    const claims = githubClaims();
    expect(session.principalTags).toEqual({
      repository: claims.repository,
      actor: claims.actor,
      run_id: claims.run_id,
      sha: claims.sha,
    });

    const text = log.lines.join('\n');
    expect(text).toContain(`Cognito identity ${issued.identityId} (login ${GITHUB_PROVIDER})`);
    expect(text).toContain(`repository=${String(claims.repository)}`);
    expect(text).toContain(`actor=${String(claims.actor)}`);
    // Both tokens are registered secrets the moment they exist.
    expect(redact(`x ${issued.token} ${ciToken}`)).toBe('x *** ***');
  });

  test('the token Cognito issues looks like a real one: RS512, kid <region>1, sub/aud/amr/tags', async () => {
    await obtainSession(settingsFor(), recordingLogger());
    const issued = cognito.issued[0]!;
    const [header] = issued.token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({
      kid: 'eu-west-11',
      typ: 'JWS',
      alg: 'RS512',
    });
    const claims = decodeClaims(issued.token);
    expect(claims.sub).toBe(issued.identityId);
    expect(claims.aud).toBe(cognito.poolId);
    expect(claims.amr).toEqual([
      'authenticated',
      GITHUB_PROVIDER,
      `arn:aws:iam::111111111111:oidc-provider/${GITHUB_PROVIDER}:OIDC:${String(githubClaims().sub)}`,
    ]);
    expect((claims['https://aws.amazon.com/tags'] as { principal_tags: unknown }).principal_tags).toMatchObject({
      repository: [githubClaims().repository],
    });
  });

  test('AccountId is left out of GetId unless aws-account-id is given', async () => {
    await obtainSession(settingsFor(), recordingLogger());
    expect(cognito.requests[0]!.body).not.toHaveProperty('AccountId');
  });

  test('session policies go to STS along with the Cognito token', async () => {
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
    await obtainSession(
      settingsFor({
        'inline-session-policy': JSON.stringify(policy),
        'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      }),
      recordingLogger(),
    );
    const params = sts.requests[0]!.params;
    expect(params.WebIdentityToken).toBe(cognito.issued[0]!.token);
    expect(JSON.parse(params.Policy ?? '{}')).toEqual(policy);
    expect(params['PolicyArns.member.1.arn']).toBe('arn:aws:iam::aws:policy/ReadOnlyAccess');
  });

  test('an explicit role-session-name and audience win over the Cognito defaults', async () => {
    await cognito.close();
    cognito = await startCognitoFake({ providers: { [GITHUB_PROVIDER]: ['my-pool-client'] } });
    await obtainSession(
      settingsFor({ 'role-session-name': 'release-7', audience: 'my-pool-client' }),
      recordingLogger(),
    );
    expect(endpoint.requests[0]!.audience).toBe('my-pool-client');
    expect(sts.requests[0]!.params.RoleSessionName).toBe('release-7');
  });

  test('the Logins key defaults to the issuer without https://, path included (Jenkins token service)', async () => {
    const jenkins = await createTestIssuer('https://jenkins.example.com/oidc');
    const token = await jenkins.sign({ sub: 'job/deploy', aud: 'cognito-identity.amazonaws.com', job: 'deploy' });
    await cognito.close();
    cognito = await startCognitoFake({
      providers: { 'jenkins.example.com/oidc': ['cognito-identity.amazonaws.com'] },
      principalTags: { job: 'job' },
    });
    const session = await obtainSession(
      settingsFor({ 'token-source': 'env:JENKINS_OIDC' }, { JENKINS_OIDC: token }),
      recordingLogger(),
    );
    expect(cognito.requests[0]!.loginKey).toBe('jenkins.example.com/oidc');
    expect(session.principalTags).toEqual({ job: 'deploy' });
  });

  test('cognito-provider-name is used as the Logins key (GitHub Enterprise issuer)', async () => {
    const provider = 'token.actions.githubusercontent.com/octo-enterprise';
    await cognito.close();
    cognito = await startCognitoFake({ providers: { [provider]: ['cognito-identity.amazonaws.com'] } });
    endpoint.setClaims({ iss: `https://${provider}` });
    try {
      await obtainSession(settingsFor({ 'cognito-provider-name': provider }), recordingLogger());
    } finally {
      endpoint.setClaims({});
    }
    expect(cognito.requests.map((r) => r.loginKey)).toEqual([provider, provider]);
  });

  test('AWS_ENDPOINT_URL_COGNITO_IDENTITY points the Cognito calls at a private endpoint', async () => {
    await obtainSession(
      settingsFor({ 'cognito-endpoint': undefined }, { AWS_ENDPOINT_URL_COGNITO_IDENTITY: cognito.url }),
      recordingLogger(),
    );
    expect(cognito.requests).toHaveLength(2);
  });
});

describe('what users are told when Cognito says no', () => {
  test('classic flow off: InvalidParameterException → turn on AllowClassicFlow; not retried, STS never called', async () => {
    await cognito.close();
    cognito = await startCognitoFake({ allowClassicFlow: false });
    const error = await failure(obtainSession(settingsFor(), recordingLogger()));
    expect(error).toBeInstanceOf(DeniedError);
    expect(error.code).toBe('InvalidParameterException');
    expect(error.message).toContain('Cognito GetOpenIdToken');
    expect(error.message).toContain('Basic (classic) flow is not enabled');
    expect(error.hint).toContain('AllowClassicFlow: true');
    expect(error.hint).toContain(cognito.poolId);
    expect(cognito.requests.map((r) => r.operation)).toEqual(['GetId', 'GetOpenIdToken']);
    expect(ciTokensIssued()).toHaveLength(1);
    expect(sts.requests).toHaveLength(0);
  });

  test('a pool with role mappings refuses the classic flow: the hint says to remove them', async () => {
    cognito.failNext('GetOpenIdToken', {
      status: 400,
      type: 'InvalidParameterException',
      message: 'Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.',
    });
    const error = await failure(obtainSession(settingsFor(), recordingLogger()));
    expect(error.code).toBe('InvalidParameterException');
    expect(error.hint).toContain('remove RoleMappings');
    expect(sts.requests).toHaveLength(0);
  });

  test('STS PackedPolicyTooLarge for a Cognito token: map fewer or shorter claims', async () => {
    sts.next(stsError.packedPolicyTooLarge());
    const error = await failure(obtainSession(settingsFor(), recordingLogger()));
    expect(error.code).toBe('PackedPolicyTooLarge');
    expect(error.details).toContain('map fewer or shorter claims');
    expect(sts.requests).toHaveLength(1);
  });

  test('NotAuthorizedException: shows iss, aud, the Logins key and what the pool must list', async () => {
    // The token is requested for STS's audience, which the pool's IAM OIDC provider does not list.
    const error = await failure(
      obtainSession(
        settingsFor({ audience: 'sts.amazonaws.com', 'aws-account-id': '111111111111' }),
        recordingLogger(),
      ),
    );
    expect(error).toBeInstanceOf(DeniedError);
    expect(error.code).toBe('NotAuthorizedException');
    expect(error.message).toContain('Cognito GetId');
    expect(error.hint).toContain('https://token.actions.githubusercontent.com');
    expect(error.hint).toContain('sts.amazonaws.com');
    expect(error.hint).toContain(`arn:aws:iam::111111111111:oidc-provider/${GITHUB_PROVIDER}`);
    expect(error.hint).toContain('OpenIdConnectProviderARNs');
    expect(error.details).toContain(`Logins key (provider name): ${GITHUB_PROVIDER}`);
    expect(error.details).toMatch(/^Token claims \(from .*, decoded, not verified\):$/m);
    expect(error.details).toContain('iss: https://token.actions.githubusercontent.com');
    expect(error.details).toContain('aud: sts.amazonaws.com');
    expect(error.details).toContain('client ids');
    expect(cognito.requests).toHaveLength(1);
    expect(sts.requests).toHaveLength(0);
    expect(`${error.message}\n${error.hint}\n${error.details}`).not.toContain(ciTokensIssued()[0]!);
  });

  test('NotAuthorizedException for a wrong cognito-provider-name says to fix or remove it', async () => {
    const error = await failure(
      obtainSession(settingsFor({ 'cognito-provider-name': 'token.actions.example.com' }), recordingLogger()),
    );
    expect(error.code).toBe('NotAuthorizedException');
    expect(error.message).toContain("Issuer doesn't match providerName");
    expect(error.details).toContain('it was "token.actions.example.com" — fix or remove cognito-provider-name');
  });

  test('ResourceNotFoundException: names the pool id and the region it was looked up in', async () => {
    const otherPool = 'eu-west-1:99999999-8888-7777-6666-555555555555';
    const error = await failure(
      obtainSession(settingsFor({ 'cognito-identity-pool-id': otherPool }), recordingLogger()),
    );
    expect(error).toBeInstanceOf(DeniedError);
    expect(error.code).toBe('ResourceNotFoundException');
    expect(error.hint).toContain(otherPool);
    expect(error.hint).toContain('region eu-west-1');
    expect(error.hint).toContain('cognito-region');
    // A missing pool is not about the token: its claims are not shown.
    expect(error.details).not.toMatch(/Token claims|sub: /);
    expect(cognito.requests).toHaveLength(1);
  });

  test('STS AccessDenied for the Cognito token: trust policy Principal, aud = pool id, sts:TagSession, the tags', async () => {
    sts.next(stsError.accessDenied());
    const error = await failure(obtainSession(settingsFor({ 'disable-retry': 'true' }), recordingLogger()));
    expect(error).toBeInstanceOf(DeniedError);
    expect(error.code).toBe('AccessDenied');
    expect(error.hint).toContain(cognito.poolId);
    const advice = `${error.hint}\n${error.details}`;
    expect(advice).toContain('{"Federated": "cognito-identity.amazonaws.com"}');
    expect(advice).toContain(`cognito-identity.amazonaws.com:aud = ${cognito.poolId}`);
    expect(advice).toContain('must also allow sts:TagSession');
    expect(error.details).toContain(`Role: ${ROLE}`);
    expect(error.details).toContain(`Cognito identity pool: ${cognito.poolId}`);
    expect(error.details).toContain(`aws:RequestTag/repository = ${String(githubClaims().repository)}`);
    expect(error.details).toContain(`sts:RoleSessionName = ${RUN_ID}@${SHA}`);
    expect(error.details).toContain(`cognito-identity.amazonaws.com:sub = ${cognito.issued[0]!.identityId}`);
    expect(error.details).not.toContain('oidc-provider/cognito-identity.amazonaws.com');
    expect(`${error.message}\n${error.hint}\n${error.details}`).not.toContain(cognito.issued[0]!.token);
  });

  test('STS AccessDenied without mapped tags does not blame sts:TagSession', async () => {
    await cognito.close();
    cognito = await startCognitoFake();
    sts.next(stsError.accessDenied());
    const error = await failure(obtainSession(settingsFor(), recordingLogger()));
    expect(error.hint).toContain(cognito.poolId);
    expect(error.hint).not.toContain('TagSession');
    expect(error.details).toContain('carries no principal tags');
  });
});

describe('transient failures retry the whole chain with a fresh CI token', () => {
  test.each([
    ['TooManyRequestsException on GetId', 'GetId', COGNITO_FAULTS.throttled],
    ['InternalErrorException (500) on GetOpenIdToken', 'GetOpenIdToken', COGNITO_FAULTS.internal],
    ['a 502 from a gateway', 'GetId', COGNITO_FAULTS.badGateway],
    ['a dropped connection', 'GetOpenIdToken', COGNITO_FAULTS.reset],
  ] as const)('%s', async (_name, operation, fault) => {
    cognito.failNext(operation, fault, 2);
    const log = recordingLogger();
    const session = await obtainSession(settingsFor(), log);
    expect(ciTokensIssued()).toHaveLength(3);
    const sent = cognito.ciTokens('GetId');
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent).toEqual(ciTokensIssued().slice(0, sent.length));
    expect(sts.requests).toHaveLength(1);
    expect(sts.requests[0]!.params.WebIdentityToken).toBe(cognito.issued.at(-1)!.token);
    expect(session.identityId).toBe(cognito.issued.at(-1)!.identityId);
    expect(log.lines.filter((l) => l.includes('retrying'))).toHaveLength(2);
  });

  test('a throttled STS call sends the next attempt through Cognito again, with a new CI token', async () => {
    sts.throttle(1);
    await obtainSession(settingsFor(), recordingLogger());
    expect(cognito.ciTokens('GetId')).toEqual(ciTokensIssued());
    expect(ciTokensIssued()).toHaveLength(2);
    expect(new Set(ciTokensIssued()).size).toBe(2);
    expect(sts.requests.map((r) => r.params.WebIdentityToken)).toEqual(cognito.issued.map((t) => t.token));
  });

  test('when the attempts run out the error stays transient and says what Cognito answered', async () => {
    cognito.failNext('GetId', COGNITO_FAULTS.throttled, 5);
    const error = await failure(obtainSession(settingsFor({ 'retry-max-attempts': '2' }), recordingLogger()));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe('TooManyRequestsException');
    expect(error.message).toContain('Cognito GetId failed: TooManyRequestsException');
    expect(cognito.requests).toHaveLength(2);
    expect(sts.requests).toHaveLength(0);
  });
});

describe('region routing', () => {
  let proxy: Server;
  let proxyUrl: string;
  const connects: string[] = [];

  beforeAll(async () => {
    // Records the host of every CONNECT and drops the tunnel: enough to see where each call was headed.
    proxy = createServer();
    proxy.on('connect', (req, socket: Socket) => {
      connects.push(String(req.url));
      socket.destroy();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
  beforeEach(() => {
    connects.length = 0;
  });

  const viaProxy = (inputs: Record<string, string | undefined>) =>
    settingsFor({ 'http-proxy': proxyUrl, 'no-proxy': '127.0.0.1', 'disable-retry': 'true', ...inputs });

  test('Cognito calls go to the region of the pool id', async () => {
    const error = await failure(obtainSession(viaProxy({ 'cognito-endpoint': undefined }), recordingLogger()));
    expect(error.kind).toBe('transient');
    expect(connects).toEqual(['cognito-identity.eu-west-1.amazonaws.com:443']);
  });

  test('cognito-region overrides the pool id prefix', async () => {
    await failure(
      obtainSession(viaProxy({ 'cognito-endpoint': undefined, 'cognito-region': 'eu-central-1' }), recordingLogger()),
    );
    expect(connects).toEqual(['cognito-identity.eu-central-1.amazonaws.com:443']);
  });

  test('STS is called in aws-region, not in the pool region', async () => {
    await failure(obtainSession(viaProxy({ 'sts-endpoint': undefined }), recordingLogger()));
    expect(cognito.requests).toHaveLength(2);
    expect(connects).toEqual(['sts.us-east-2.amazonaws.com:443']);
  });
});

describe('a Cognito endpoint that is not Cognito', () => {
  let hostile: HostileServer;
  beforeAll(async () => {
    hostile = await startHostileServer();
  });
  afterAll(() => hostile.close());

  const exchangeAt = async (timeoutMs = 2000) => {
    const ciToken = decodeToken(await (await createTestIssuer()).sign(githubClaims()), 'test');
    const exchange = cognitoExchange(
      { identityPoolId: 'us-east-2:11111111-2222-3333-4444-555555555555', region: 'us-east-2', endpoint: hostile.url },
      { requestTimeoutMs: timeoutMs },
      recordingLogger(),
    );
    return failure(exchange(ciToken));
  };

  test('an HTML page answered with HTTP 200 names the endpoint and what came back, and is not retried', async () => {
    hostile.behave({
      kind: 'raw',
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: '<!DOCTYPE html><p>Proxy login</p>',
    });
    const error = await exchangeAt();
    expect(error).toBeInstanceOf(EndpointError);
    expect(error.message).toContain(
      `Cognito at ${new URL(hostile.url).origin} answered HTTP 200 with 33 bytes of text/html; charset=utf-8`,
    );
    expect(error.message).toContain('("<!DOCTYPE html><p>Proxy login</p>")');
  });

  test('a body that stalls after the headers costs one request timeout, as a retryable timeout', async () => {
    hostile.behave({ kind: 'stall-body', contentType: 'application/x-amz-json-1.1' });
    const started = Date.now();
    const error = await exchangeAt(400);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
