// Cognito Identity classic flow through the real @aws-sdk/client-cognito-identity, then STS with the Cognito token.
import { join } from 'node:path';
import { type CognitoIdentityClient, GetIdCommand, GetOpenIdTokenCommand } from '@aws-sdk/client-cognito-identity';
import { AssumeRoleWithWebIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { cognitoClient, failure, type Harness, startHarness, stsClient } from './support/emulator';
import { githubClaims, type OidcIssuer, startOidcIssuer } from './support/oidc-issuer';

const TEMPLATE = join(__dirname, '../../examples/cognito-tags.yml');
const COG = 'cognito-identity.amazonaws.com';

let issuer: OidcIssuer;
let harness: Harness;
let cognito: CognitoIdentityClient;
let sts: STSClient;
let offsetMs = 0;
let providerName: string;
let poolId: string;
let roleArn: string;

const ciClaims = (overrides: Record<string, unknown> = {}) => githubClaims(issuer.url, { aud: COG, ...overrides });

beforeAll(async () => {
  issuer = await startOidcIssuer();
  providerName = issuer.url.replace('http://', '');
  harness = await startHarness({
    templates: [{ path: TEMPLATE, parameters: { IssuerUrl: issuer.url } }],
    clock: () => Date.now() + offsetMs,
    config: {
      identityPools: [
        {
          name: 'no-classic',
          allowClassicFlow: false,
          openIdConnectProviderArns: [`arn:aws:iam::123456789012:oidc-provider/${providerName}`],
        },
        {
          name: 'unset-classic',
          openIdConnectProviderArns: [`arn:aws:iam::123456789012:oidc-provider/${providerName}`],
        },
        { name: 'empty-pool', allowClassicFlow: true },
      ],
      roles: [
        {
          name: 'cognito-no-tagsession',
          assumeRolePolicyDocument: {
            // IAM requires an aud condition on every role trusting Cognito identity pools.
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Federated: COG },
                Action: 'sts:AssumeRoleWithWebIdentity',
                Condition: { StringLike: { [`${COG}:aud`]: 'us-east-1:*' } },
              },
            ],
          },
        },
      ],
    },
  });
  poolId = harness.emulator.ids.CiIdentityPool as string;
  roleArn = harness.emulator.ids.CiAbacRole as string;
  cognito = cognitoClient(harness.emulator.url);
  sts = stsClient(harness.emulator.url);
});

afterAll(async () => {
  cognito.destroy();
  sts.destroy();
  await harness.emulator.close();
  await issuer.close();
});

afterEach(() => {
  offsetMs = 0;
});

async function openIdToken(claims: Record<string, unknown>, pool = poolId) {
  const token = await issuer.sign(claims);
  const Logins = { [providerName]: token };
  const { IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId: pool, Logins }));
  return cognito.send(new GetOpenIdTokenCommand({ IdentityId, Logins }));
}

describe('GetId', () => {
  it('returns a stable identity id per (pool, provider, sub)', async () => {
    const getId = async (sub: string) =>
      (
        await cognito.send(
          new GetIdCommand({
            IdentityPoolId: poolId,
            AccountId: '123456789012',
            Logins: { [providerName]: await issuer.sign(ciClaims({ sub })) },
          }),
        )
      ).IdentityId;
    const a = await getId('repo:acme/app:ref:refs/heads/main');
    expect(a).toMatch(/^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await getId('repo:acme/app:ref:refs/heads/main')).toBe(a);
    expect(await getId('repo:acme/app:ref:refs/heads/dev')).not.toBe(a);
    // A second emulator loading the same template gives the same pool id and identity id.
    const again = await startHarness({ templates: [{ path: TEMPLATE, parameters: { IssuerUrl: issuer.url } }] });
    const other = cognitoClient(again.emulator.url);
    try {
      expect(again.emulator.ids.CiIdentityPool).toBe(poolId);
      const token = await issuer.sign(ciClaims());
      const out = await other.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { [providerName]: token } }));
      expect(out.IdentityId).toBe(a);
    } finally {
      other.destroy();
      await again.emulator.close();
    }
  });

  it('reports every refusal with the Cognito type and text', async () => {
    const token = await issuer.sign(ciClaims());
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [
        { IdentityPoolId: 'us-east-1:00000000-0000-0000-0000-000000000000', Logins: { [providerName]: token } },
        'ResourceNotFoundException',
        "IdentityPool 'us-east-1:00000000-0000-0000-0000-000000000000' not found.",
      ],
      [
        { IdentityPoolId: 'not a pool', Logins: { [providerName]: token } },
        'InvalidParameterException',
        "1 validation error detected: Value 'not a pool' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
      ],
      [
        { IdentityPoolId: poolId, AccountId: 'abc', Logins: { [providerName]: token } },
        'InvalidParameterException',
        "1 validation error detected: Value 'abc' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d+",
      ],
      [
        { IdentityPoolId: poolId },
        'NotAuthorizedException',
        'Unauthenticated access is not supported for this identity pool.',
      ],
      [
        { IdentityPoolId: poolId, Logins: { 'accounts.google.com': token } },
        'NotAuthorizedException',
        'Token is not from a supported provider of this identity pool.',
      ],
      [
        { IdentityPoolId: poolId, Logins: { [providerName]: 'garbage' } },
        'NotAuthorizedException',
        'Invalid login token. Not a valid OpenId Connect identity token.',
      ],
      [
        {
          IdentityPoolId: poolId,
          Logins: {
            [providerName]: await issuer.sign(ciClaims({ iss: 'https://token.actions.githubusercontent.com' })),
          },
        },
        'NotAuthorizedException',
        "Invalid login token. Issuer doesn't match providerName",
      ],
      [
        {
          IdentityPoolId: poolId,
          Logins: { [providerName]: await issuer.sign(ciClaims({ aud: 'sts.amazonaws.com' })) },
        },
        'NotAuthorizedException',
        'Invalid login token. Incorrect token audience.',
      ],
      [
        {
          IdentityPoolId: poolId,
          Logins: { [providerName]: await issuer.sign(ciClaims({ azp: 'sts.amazonaws.com' })) },
        },
        'NotAuthorizedException',
        'Invalid login token. Incorrect token audience.',
      ],
      [
        { IdentityPoolId: poolId, Logins: { [providerName]: await issuer.sign(ciClaims(), { foreignKey: true }) } },
        'NotAuthorizedException',
        "Invalid login token. Couldn't verify signed token.",
      ],
    ];
    for (const [input, name, message] of cases) {
      const e = await failure(cognito.send(new GetIdCommand(input as never)));
      expect({ name: e.name, message: e.message, status: e.status }).toEqual({ name, message, status: 400 });
    }
  });

  it('allows 5 minutes of clock skew on exp, no more', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await issuer.sign(ciClaims({ iat: now - 600, exp: now - 200 }));
    await expect(
      cognito.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { [providerName]: token } })),
    ).resolves.toBeDefined();
    const old = await issuer.sign(ciClaims({ iat: now - 900, exp: now - 400 }));
    const e = await failure(
      cognito.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { [providerName]: old } })),
    );
    expect(e.name).toBe('NotAuthorizedException');
    expect(e.message).toMatch(/^Invalid login token\. Token expired: /);
  });

  it('answers errors with JSON 1.1 headers', async () => {
    const res = await fetch(harness.emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.GetId' },
      body: JSON.stringify({ IdentityPoolId: poolId }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.headers.get('x-amzn-errortype')).toBe('NotAuthorizedException:');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({
      __type: 'NotAuthorizedException',
      message: 'Unauthenticated access is not supported for this identity pool.',
    });
  });
});

describe('GetOpenIdToken', () => {
  it('issues an RS512 token verifiable with the emulator JWKS, carrying the mapped tags', async () => {
    const claims = ciClaims({ run_id: '555', actor: 'octocat', environment: 'prod' });
    const { IdentityId, Token } = await openIdToken(claims);
    const discovery = (await (
      await fetch(`${harness.emulator.cognitoIssuerUrl}/.well-known/openid-configuration`)
    ).json()) as { jwks_uri: string; issuer: string };
    expect(discovery.issuer).toBe(harness.emulator.cognitoIssuerUrl);
    const { payload } = await jwtVerify(Token!, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      algorithms: ['RS512'],
      issuer: harness.emulator.cognitoIssuerUrl,
      audience: poolId,
    });
    expect(decodeProtectedHeader(Token!)).toEqual({ kid: 'us-east-11', typ: 'JWS', alg: 'RS512' });
    expect(payload.sub).toBe(IdentityId);
    expect(payload.amr).toEqual([
      'authenticated',
      providerName,
      `arn:aws:iam::123456789012:oidc-provider/${providerName}:OIDC:${claims.sub}`,
    ]);
    expect(payload['https://cognito-identity.amazonaws.com/identity-pool-arn']).toBe(
      `arn:aws:cognito-identity:us-east-1:123456789012:identitypool/${poolId}`,
    );
    expect(payload.exp! - payload.iat!).toBe(600);
    // Mapped claims only (environment is not mapped), each as a one-element array, no transitive keys.
    expect(payload['https://aws.amazon.com/tags']).toEqual({
      principal_tags: {
        actor: ['octocat'],
        repository: ['acme/app'],
        ref: ['refs/heads/main'],
        sha: ['a'.repeat(40)],
        run_id: ['555'],
        event_name: ['push'],
      },
    });
  });

  it('maps only string claims that are present', async () => {
    const { Token } = await openIdToken(ciClaims({ run_id: 555, actor: undefined }));
    const tags = JSON.parse(Buffer.from(Token!.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      { principal_tags: Record<string, string[]> }
    >;
    expect(Object.keys(tags['https://aws.amazon.com/tags']!.principal_tags).sort()).toEqual([
      'event_name',
      'ref',
      'repository',
      'sha',
    ]);
  });

  it('refuses when the classic flow is off, and honours the unset-allowed quirk switch', async () => {
    const noClassic = harness.emulator.ids['no-classic']!;
    const unset = harness.emulator.ids['unset-classic']!;
    const message = 'Basic (classic) flow is not enabled, please use enhanced flow.';
    expect(await failure(openIdToken(ciClaims(), noClassic))).toMatchObject({
      name: 'InvalidParameterException',
      message,
    });
    expect(await failure(openIdToken(ciClaims(), unset))).toMatchObject({ name: 'InvalidParameterException', message });
    const quirky = await startHarness({
      config: {
        unsetAllowsClassicFlow: true,
        oidcProviders: [{ url: issuer.url, clientIds: [COG] }],
        identityPools: [
          {
            name: 'unset-classic',
            openIdConnectProviderArns: [`arn:aws:iam::123456789012:oidc-provider/${providerName}`],
          },
        ],
      },
    });
    const client = cognitoClient(quirky.emulator.url);
    try {
      const Logins = { [providerName]: await issuer.sign(ciClaims()) };
      const { IdentityId } = await client.send(
        new GetIdCommand({ IdentityPoolId: quirky.emulator.ids['unset-classic'], Logins }),
      );
      await expect(client.send(new GetOpenIdTokenCommand({ IdentityId, Logins }))).resolves.toMatchObject({
        IdentityId,
      });
    } finally {
      client.destroy();
      await quirky.emulator.close();
    }
  });

  it("refuses logins that don't belong to the identity, and unknown identities", async () => {
    const mine = { [providerName]: await issuer.sign(ciClaims()) };
    const { IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: mine }));
    const someoneElse = { [providerName]: await issuer.sign(ciClaims({ sub: 'repo:acme/other:ref:refs/heads/main' })) };
    const e = await failure(cognito.send(new GetOpenIdTokenCommand({ IdentityId, Logins: someoneElse })));
    expect(e).toMatchObject({
      name: 'NotAuthorizedException',
      message: "Logins don't match. Please include at least one valid login for this identity or identity pool.",
    });
    expect(await failure(cognito.send(new GetOpenIdTokenCommand({ IdentityId })))).toMatchObject({
      name: 'NotAuthorizedException',
    });
    const unknown = await failure(
      cognito.send(
        new GetOpenIdTokenCommand({ IdentityId: 'us-east-1:11111111-1111-1111-1111-111111111111', Logins: mine }),
      ),
    );
    expect(unknown.name).toBe('ResourceNotFoundException');
    // Re-validation: an expired login is refused at GetOpenIdToken too.
    offsetMs = 20 * 60 * 1000;
    expect((await failure(cognito.send(new GetOpenIdTokenCommand({ IdentityId, Logins: mine })))).message).toMatch(
      /Token expired/,
    );
  });
});

describe('STS with the Cognito token', () => {
  const assume = (token: string, sessionName: string, arn = roleArn) =>
    sts.send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: sessionName, WebIdentityToken: token }),
    );

  it('assumes the template role with session name <run_id>@<sha>', async () => {
    const { Token, IdentityId } = await openIdToken(ciClaims({ run_id: '777' }));
    const out = await assume(Token!, `777@${'a'.repeat(40)}`);
    expect(out.Provider).toBe(COG);
    expect(out.Audience).toBe(poolId);
    expect(out.SubjectFromWebIdentityToken).toBe(IdentityId);
    expect(out.PackedPolicySize).toBeGreaterThan(0);
  });

  it('refuses a wrong session name, another organisation, and a role without sts:TagSession', async () => {
    const { Token } = await openIdToken(ciClaims({ run_id: '777' }));
    const wrongName = await failure(assume(Token!, 'my-session'));
    expect(wrongName.name).toBe('AccessDenied');
    expect(wrongName.message).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
      'sts:RoleSessionName = ${aws:RequestTag/run_id}@${aws:RequestTag/sha} did not match my-session',
    );
    const evil = await openIdToken(
      ciClaims({ run_id: '1', sub: 'repo:evil/app:ref:refs/heads/main', repository: 'evil/app' }),
    );
    const denied = await failure(assume(evil.Token!, `1@${'a'.repeat(40)}`));
    expect(denied.message).toContain('aws:RequestTag/repository = acme/* did not match evil/app');
    const noTagSession = await failure(
      assume(Token!, 'anything', 'arn:aws:iam::123456789012:role/cognito-no-tagsession'),
    );
    expect(noTagSession.message).toContain('sts:TagSession is required because the token carries session tags');
  });

  it('rejects a mapped claim that is not a valid tag value', async () => {
    const { Token } = await openIdToken(ciClaims({ actor: 'dependabot[bot]', run_id: '9' }));
    const e = await failure(assume(Token!, `9@${'a'.repeat(40)}`));
    expect(e.name).toBe('InvalidIdentityTokenException');
    expect(e.message).toContain("value of tag 'actor' is invalid");
  });

  it('rejects a Cognito-shaped token not signed by the emulator', async () => {
    const { Token } = await openIdToken(ciClaims({ run_id: '5' }));
    const [header, payload] = Token!.split('.');
    const forged = `${header}.${payload}.${Buffer.from('x'.repeat(256)).toString('base64url')}`;
    expect((await failure(assume(forged, `5@${'a'.repeat(40)}`))).message).toMatch(
      /^Couldn't retrieve verification key/,
    );
  });
});
