// STS through the real @aws-sdk/client-sts against the in-process emulator, with loopback OIDC issuers.

import { timingSafeEqual } from 'node:crypto';
import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  AssumeRoleWithWebIdentityCommand,
  type AssumeRoleWithWebIdentityCommandInput,
  GetCallerIdentityCommand,
  type STSClient,
} from '@aws-sdk/client-sts';
import type { EmulatorConfig } from '../../src/emulator';
import {
  computeSignature,
  encodeRfc3986,
  formatAmzDate,
  type IncomingSignedRequest,
  parseSigV4,
} from '../../src/emulator/sigv4';
import { failure, type Harness, startHarness, stsClient } from './support/emulator';
import { githubClaims, type OidcIssuer, startOidcIssuer } from './support/oidc-issuer';

// timingSafeEqual, observed: session tokens must be compared through it (the real function still does the work).
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

const ACCOUNT = '123456789012';
const USER_KEY = { accessKeyId: 'AKIAEMULATORUSER0001', secretAccessKey: 'user-secret-key-0000000000000000000000000' };
const JENKINS_JOB = 'https://jenkins.example/job/app/';

let github: OidcIssuer;
let jenkins: OidcIssuer;
let harness: Harness;
let sts: STSClient;
let offsetMs = 0;

function providerArn(url: string): string {
  return `arn:aws:iam::${ACCOUNT}:oidc-provider/${url.replace(/^https?:\/\//, '')}`;
}

function roleArn(name: string, path = '/'): string {
  return `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
}

function config(): EmulatorConfig {
  const gh = github.url.replace(/^http:\/\//, '');
  const jk = jenkins.url.replace(/^http:\/\//, '');
  const trust = (statement: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [statement] });
  return {
    oidcProviders: [
      { url: github.url, clientIds: ['sts.amazonaws.com', 'second-client'] },
      { url: jenkins.url, clientIds: ['sts.amazonaws.com'] },
    ],
    roles: [
      {
        name: 'deploy',
        path: '/ci/',
        maxSessionDuration: 7200,
        assumeRolePolicyDocument: trust({
          Effect: 'Allow',
          Principal: { Federated: providerArn(github.url) },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { [`${gh}:aud`]: 'sts.amazonaws.com' },
            StringLike: { [`${gh}:sub`]: 'repo:acme/app:*' },
          },
        }),
      },
      {
        name: 'tagged',
        assumeRolePolicyDocument: trust({
          Effect: 'Allow',
          Principal: { Federated: providerArn(github.url) },
          Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
          Condition: { StringEquals: { 'aws:RequestTag/team': 'build' } },
        }),
      },
      {
        name: 'jenkins-deploy',
        assumeRolePolicyDocument: JSON.stringify(
          trust({
            Effect: 'Allow',
            Principal: { Federated: providerArn(jenkins.url) },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { [`${jk}:aud`]: 'sts.amazonaws.com', [`${jk}:sub`]: JENKINS_JOB } },
          }),
        ),
      },
      {
        name: 'chained',
        assumeRolePolicyDocument: trust({
          Effect: 'Allow',
          Principal: { AWS: [roleArn('deploy', '/ci/'), roleArn('tag-source')] },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        }),
        // needs-project-tag and no-stage-tag trust the account, not this role: IAM then wants the caller's own policy to allow it too.
        inlinePolicies: {
          'assume-in-account': {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'sts:AssumeRole',
                Resource: [roleArn('needs-project-tag'), roleArn('no-stage-tag')],
              },
            ],
          },
        },
      },
      {
        // Chained from `deploy`: the web-identity sub stays in the session's context, azp does not.
        name: 'chained-wif-keys',
        assumeRolePolicyDocument: trust({
          Effect: 'Allow',
          Principal: { AWS: roleArn('deploy', '/ci/') },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { [`${gh}:sub`]: 'repo:acme/app:ref:refs/heads/main' },
            StringNotEqualsIfExists: { [`${gh}:azp`]: 'sts.amazonaws.com' },
          },
        }),
      },
      {
        name: 'tag-source',
        assumeRolePolicyDocument: trust({
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/ci` },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: { StringEquals: { 'aws:PrincipalTag/team': 'build', 'sts:ExternalId': 'ext-123' } },
        }),
      },
      {
        name: 'needs-project-tag',
        assumeRolePolicyDocument: trust({
          Effect: 'Allow',
          Principal: { AWS: ACCOUNT },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:PrincipalTag/project': 'apollo' } },
        }),
      },
      {
        name: 'no-stage-tag',
        assumeRolePolicyDocument: trust({
          Effect: 'Allow',
          Principal: { AWS: ACCOUNT },
          Action: 'sts:AssumeRole',
          Condition: {
            Null: { 'aws:PrincipalTag/stage': 'true' },
            StringEquals: { 'aws:PrincipalTag/project': 'apollo' },
          },
        }),
      },
      {
        name: 'no-tag-session',
        assumeRolePolicyDocument: trust({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }),
      },
    ],
    accessKeys: [{ ...USER_KEY, arn: `arn:aws:iam::${ACCOUNT}:user/ci`, tags: { team: 'build' } }],
  };
}

beforeAll(async () => {
  github = await startOidcIssuer();
  jenkins = await startOidcIssuer({ path: '/oidc', leadingZeroModulus: true, jwksPath: '/jwks' });
  harness = await startHarness({ config: config(), clock: () => Date.now() + offsetMs });
  sts = stsClient(harness.emulator.url);
});

afterAll(async () => {
  sts.destroy();
  await harness.emulator.close();
  await github.close();
  await jenkins.close();
});

afterEach(() => {
  offsetMs = 0;
});

const web = (input: Partial<AssumeRoleWithWebIdentityCommandInput> & { WebIdentityToken: string }) =>
  sts.send(
    new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn('deploy', '/ci/'), RoleSessionName: 'gha-run', ...input }),
  );

async function webIdentityCredentials(roleName = 'deploy', path = '/ci/', duration?: number) {
  const token = await github.sign(githubClaims(github.url));
  const out = await web({ WebIdentityToken: token, RoleArn: roleArn(roleName, path), DurationSeconds: duration });
  return {
    accessKeyId: out.Credentials!.AccessKeyId!,
    secretAccessKey: out.Credentials!.SecretAccessKey!,
    sessionToken: out.Credentials!.SessionToken!,
  };
}

describe('AssumeRoleWithWebIdentity', () => {
  it('returns role-session credentials for an admitted GitHub token', async () => {
    const token = await github.sign(githubClaims(github.url));
    const before = Date.now();
    const out = await web({ WebIdentityToken: token });
    expect(out.Audience).toBe('sts.amazonaws.com');
    expect(out.Provider).toBe(providerArn(github.url));
    expect(out.SubjectFromWebIdentityToken).toBe('repo:acme/app:ref:refs/heads/main');
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/deploy/gha-run`);
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{17}:gha-run$/);
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toHaveLength(40);
    expect(out.Credentials?.SessionToken?.length).toBeGreaterThan(100);
    const expiresIn = out.Credentials!.Expiration!.getTime() - before;
    expect(expiresIn).toBeGreaterThan(3595_000);
    expect(expiresIn).toBeLessThanOrEqual(3601_000);
    expect(out.PackedPolicySize).toBeUndefined();
  });

  it('answers in real STS element order, with text/xml and a request id, and ignores auth headers', async () => {
    const token = await github.sign(githubClaims(github.url));
    const body = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: roleArn('deploy', '/ci/'),
      RoleSessionName: 'raw',
      WebIdentityToken: token,
      DurationSeconds: '900',
    });
    const res = await fetch(harness.emulator.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization: 'AWS4-HMAC-SHA256 Credential=garbage',
        'x-amz-security-token': 'not-a-session',
      },
      body,
    });
    const xml = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const order = [...xml.matchAll(/<(\w+)>/g)].map((m) => m[1]);
    expect(order).toEqual([
      'AssumeRoleWithWebIdentityResult',
      'Audience',
      'AssumedRoleUser',
      'AssumedRoleId',
      'Arn',
      'Provider',
      'Credentials',
      'AccessKeyId',
      'SecretAccessKey',
      'SessionToken',
      'Expiration',
      'SubjectFromWebIdentityToken',
      'ResponseMetadata',
      'RequestId',
    ]);
    expect(xml).toContain('<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(xml).toMatch(/<Expiration>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/Expiration>/);
    expect(xml).toContain(`<RequestId>${res.headers.get('x-amzn-requestid')}</RequestId>`);
  });

  it('accepts the GET query form', async () => {
    const token = await github.sign(githubClaims(github.url));
    const query = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: roleArn('deploy', '/ci/'),
      RoleSessionName: 'get-form',
      WebIdentityToken: token,
    });
    const res = await fetch(`${harness.emulator.url}/?${query}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('assumed-role/deploy/get-form');
  });

  it('refuses a non-JWT with the AWS text', async () => {
    const e = await failure(web({ WebIdentityToken: 'undefined' }));
    expect(e).toMatchObject({
      name: 'InvalidIdentityTokenException',
      status: 400,
      message: 'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
    });
  });

  it('refuses an issuer with no IAM provider in the role account', async () => {
    const token = await github.sign(githubClaims('https://token.actions.githubusercontent.com'));
    const e = await failure(web({ WebIdentityToken: token }));
    expect(e.message).toBe(
      'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
    );
    // The provider must be in the role's account, not just anywhere.
    const ours = await github.sign(githubClaims(github.url));
    const other = await failure(web({ WebIdentityToken: ours, RoleArn: 'arn:aws:iam::999999999999:role/deploy' }));
    expect(other.message).toBe(`No OpenIDConnect provider found in your account for ${github.url}`);
  });

  it('checks aud against ClientIdList, azp first, and accepts array aud', async () => {
    const wrong = await failure(
      web({ WebIdentityToken: await github.sign(githubClaims(github.url, { aud: 'https://github.com/acme' })) }),
    );
    expect(wrong).toMatchObject({ name: 'InvalidIdentityTokenException' });
    expect(wrong.message).toMatch(/^Incorrect token audience/);
    const azpWrong = await failure(
      web({ WebIdentityToken: await github.sign(githubClaims(github.url, { azp: 'someone-else' })) }),
    );
    expect(azpWrong.message).toMatch(/^Incorrect token audience/);
    const viaSecond = await web({
      WebIdentityToken: await github.sign(githubClaims(github.url, { aud: 'unknown', azp: 'second-client' })),
      RoleArn: roleArn('tagged'),
      RoleSessionName: 'azp',
    }).catch((e: Error) => e);
    // azp admitted the token; the role then refuses for lack of tags, which proves the audience step passed.
    expect((viaSecond as Error).message).toContain('Not authorized to perform sts:AssumeRoleWithWebIdentity');
    const array = await web({
      WebIdentityToken: await github.sign(githubClaims(github.url, { aud: ['other', 'sts.amazonaws.com'] })),
    });
    expect(array.Audience).toBe('sts.amazonaws.com');
  });

  it('reports an expired token with ExpiredTokenException and the STS wording', async () => {
    const now = Math.floor(Date.now() / 1000);
    // STS tolerates about five minutes of clock skew on exp; a token expired longer ago than that is refused.
    const token = await github.sign(githubClaims(github.url, { iat: now - 900, exp: now - 400 }));
    const e = await failure(web({ WebIdentityToken: token }));
    expect(e.name).toBe('ExpiredTokenException');
    expect(e.message).toMatch(
      new RegExp(`^Token expired: current date/time \\d+ must be before the expiration date/time ${now - 400}$`),
    );
    const withinSkew = await github.sign(githubClaims(github.url, { iat: now - 400, exp: now - 100 }));
    await expect(web({ WebIdentityToken: withinSkew })).resolves.toBeDefined();
    // The emulator's clock decides: a valid token (exp = now + 300) is refused once the clock is past exp + skew.
    const fresh = await github.sign(githubClaims(github.url));
    offsetMs = 590_000;
    await expect(web({ WebIdentityToken: fresh })).resolves.toBeDefined();
    offsetMs = 602_000;
    expect((await failure(web({ WebIdentityToken: fresh }))).name).toBe('ExpiredTokenException');
  });

  it('refuses nbf/iat beyond the 5 minute skew but tolerates less', async () => {
    const now = Math.floor(Date.now() / 1000);
    const future = await github.sign(githubClaims(github.url, { nbf: now + 600, exp: now + 900 }));
    expect((await failure(web({ WebIdentityToken: future }))).message).toMatch(/^Token is not yet valid/);
    const slightlyAhead = await github.sign(githubClaims(github.url, { iat: now + 120, nbf: now + 120 }));
    await expect(web({ WebIdentityToken: slightlyAhead })).resolves.toBeDefined();
  });

  it('cannot verify a signature from a key outside the JWKS or a non-RS256 token', async () => {
    const forged = await github.sign(githubClaims(github.url), { foreignKey: true });
    const e = await failure(web({ WebIdentityToken: forged }));
    expect(e.message).toMatch(
      /^Couldn't retrieve verification key from your identity provider, {2}please reference AssumeRoleWithWebIdentity documentation for requirements/,
    );
    const rs512 = await github.sign(githubClaims(github.url), { alg: 'RS512' });
    expect((await failure(web({ WebIdentityToken: rs512 }))).message).toMatch(/RS256/);
  });

  it('reports key retrieval failure when discovery is broken', async () => {
    const token = await github.sign(githubClaims(github.url), { kid: 'unknown-kid-forces-refetch' });
    github.breakDiscovery(404);
    try {
      const e = await failure(web({ WebIdentityToken: token }));
      expect(e.message).toMatch(/^Couldn't retrieve verification key/);
      expect(e.message).toContain('HTTP 404');
    } finally {
      github.breakDiscovery(undefined);
    }
  });

  it('caches keys and refetches on an unknown kid after rotation', async () => {
    await web({ WebIdentityToken: await github.sign(githubClaims(github.url)) });
    const fetched = github.requests.jwks;
    await web({ WebIdentityToken: await github.sign(githubClaims(github.url)) });
    expect(github.requests.jwks).toBe(fetched);
    const oldToken = await github.sign(githubClaims(github.url));
    await github.rotate();
    await web({ WebIdentityToken: await github.sign(githubClaims(github.url)) });
    expect(github.requests.jwks).toBe(fetched + 1);
    expect((await failure(web({ WebIdentityToken: oldToken }))).message).toMatch(/^Couldn't retrieve verification key/);
  });

  it("accepts Jenkins' leading-zero modulus and array aud", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await jenkins.sign({
      iss: jenkins.url,
      aud: ['sts.amazonaws.com'],
      sub: JENKINS_JOB,
      build_number: 7,
      iat: now,
      exp: now + 3600,
    });
    const out = await web({
      WebIdentityToken: token,
      RoleArn: roleArn('jenkins-deploy'),
      RoleSessionName: 'jenkins-7',
    });
    expect(out.Provider).toBe(providerArn(jenkins.url));
    expect(out.SubjectFromWebIdentityToken).toBe(JENKINS_JOB);
  });

  it('explains a trust-policy refusal in the message and in the log', async () => {
    const token = await github.sign(githubClaims(github.url, { sub: 'repo:evil/app:ref:refs/heads/main' }));
    const e = await failure(web({ WebIdentityToken: token }));
    const gh = github.url.replace('http://', '');
    expect(e).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(e.message).toBe(
      `Not authorized to perform sts:AssumeRoleWithWebIdentity (emulator: statement #1: condition StringLike ${gh}:sub = repo:acme/app:* did not match repo:evil/app:ref:refs/heads/main)`,
    );
    expect(harness.logs.some((l) => l.includes('AccessDenied') && l.includes('did not match repo:evil/app'))).toBe(
      true,
    );
  });

  it('refuses a role that does not exist', async () => {
    const e = await failure(
      web({ WebIdentityToken: await github.sign(githubClaims(github.url)), RoleArn: roleArn('nope') }),
    );
    expect(e.name).toBe('AccessDenied');
    expect(e.message).toMatch(
      /^Not authorized to perform sts:AssumeRoleWithWebIdentity \(emulator: role .* does not exist\)$/,
    );
  });

  it('validates parameters with AWS phrasing', async () => {
    const token = await github.sign(githubClaims(github.url));
    expect((await failure(web({ WebIdentityToken: token, RoleSessionName: 'a:b' }))).message).toBe(
      "1 validation error detected: Value 'a:b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
    expect((await failure(web({ WebIdentityToken: token, RoleSessionName: 'x' }))).message).toContain(
      'Member must have length greater than or equal to 2',
    );
    expect((await failure(web({ WebIdentityToken: token, RoleSessionName: 'x'.repeat(65) }))).message).toContain(
      'Member must have length less than or equal to 64',
    );
    expect((await failure(web({ WebIdentityToken: token, DurationSeconds: 899 }))).message).toContain(
      'greater than or equal to 900',
    );
    expect((await failure(web({ WebIdentityToken: token, DurationSeconds: 43201 }))).message).toContain(
      'less than or equal to 43200',
    );
    const tooLong = await failure(web({ WebIdentityToken: token, DurationSeconds: 7201 }));
    expect(tooLong).toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    const ok = await web({ WebIdentityToken: token, DurationSeconds: 7200 });
    expect(ok.Credentials!.Expiration!.getTime()).toBeGreaterThan(Date.now() + 7190_000);
    expect((await failure(web({ WebIdentityToken: token, Policy: '{not json' }))).name).toBe(
      'MalformedPolicyDocumentException',
    );
    const arns = Array.from({ length: 11 }, (_, i) => ({ arn: `arn:aws:iam::aws:policy/P${i}` }));
    expect((await failure(web({ WebIdentityToken: token, PolicyArns: arns }))).message).toContain(
      'less than or equal to 10',
    );
  });

  it('reports PackedPolicySize when a session policy is passed', async () => {
    const out = await web({
      WebIdentityToken: await github.sign(githubClaims(github.url)),
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
      }),
    });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(out.PackedPolicySize).toBeLessThanOrEqual(100);
  });

  it('turns the token tags claim into session tags and requires sts:TagSession', async () => {
    const tagged = githubClaims(github.url, {
      'https://aws.amazon.com/tags': { principal_tags: { team: ['build'] }, transitive_tag_keys: ['team'] },
    });
    const out = await web({
      WebIdentityToken: await github.sign(tagged),
      RoleArn: roleArn('tagged'),
      RoleSessionName: 'tags',
    });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    // deploy's trust policy lacks sts:TagSession.
    const denied = await failure(web({ WebIdentityToken: await github.sign(tagged) }));
    expect(denied.message).toContain('sts:TagSession is required because the token carries session tags');
    const multi = githubClaims(github.url, { 'https://aws.amazon.com/tags': { principal_tags: { team: ['a', 'b'] } } });
    const invalid = await failure(web({ WebIdentityToken: await github.sign(multi), RoleArn: roleArn('tagged') }));
    expect(invalid).toMatchObject({ name: 'InvalidIdentityTokenException' });
    expect(invalid.message).toContain('multi-valued');
  });
});

describe('signed calls (AssumeRole, GetCallerIdentity)', () => {
  it('GetCallerIdentity identifies web-identity credentials and static keys', async () => {
    const creds = await webIdentityCredentials();
    const client = stsClient(harness.emulator.url, creds);
    const who = await client.send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/deploy/gha-run`);
    expect(who.UserId).toMatch(/^AROA[A-Z0-9]{17}:gha-run$/);
    expect(who.Account).toBe(ACCOUNT);
    client.destroy();
    const user = stsClient(harness.emulator.url, USER_KEY);
    expect((await user.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/ci`);
    user.destroy();
  });

  it('keeps only aud/sub/amr of the web identity in the chained session context, as IAM documents', async () => {
    const token = await github.sign(githubClaims(github.url, { azp: 'sts.amazonaws.com' }));
    const out = await web({ WebIdentityToken: token });
    const client = stsClient(harness.emulator.url, {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    });
    // sub is still there (StringEquals passes); azp is gone, so StringNotEqualsIfExists on it holds.
    const hop = await client.send(
      new AssumeRoleCommand({ RoleArn: roleArn('chained-wif-keys'), RoleSessionName: 'hop' }),
    );
    expect(hop.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/chained-wif-keys/hop`);
    client.destroy();
  });

  it('chains AssumeRole from emulator-issued credentials, capped at one hour', async () => {
    const client = stsClient(harness.emulator.url, await webIdentityCredentials());
    const out = await client.send(new AssumeRoleCommand({ RoleArn: roleArn('chained'), RoleSessionName: 'hop' }));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/chained/hop`);
    const second = stsClient(harness.emulator.url, {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    });
    expect((await second.send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/chained/hop`,
    );
    const capped = await failure(
      client.send(
        new AssumeRoleCommand({ RoleArn: roleArn('chained'), RoleSessionName: 'hop', DurationSeconds: 3601 }),
      ),
    );
    expect(capped.message).toBe(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
    client.destroy();
    second.destroy();
  });

  it('AssumeRole checks principal tags, ExternalId and TagSession, and propagates transitive tags', async () => {
    const user = stsClient(harness.emulator.url, USER_KEY);
    const input: AssumeRoleCommandInput = {
      RoleArn: roleArn('tag-source'),
      RoleSessionName: 'tagger',
      ExternalId: 'ext-123',
      Tags: [
        { Key: 'project', Value: 'apollo' },
        { Key: 'stage', Value: 'dev' },
      ],
      TransitiveTagKeys: ['project'],
    };
    const wrongExternal = await failure(user.send(new AssumeRoleCommand({ ...input, ExternalId: 'nope' })));
    expect(wrongExternal.name).toBe('AccessDenied');
    expect(wrongExternal.message).toMatch(
      new RegExp(
        `^User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: sts:AssumeRole on resource: ${roleArn('tag-source')} \\(emulator: .*sts:ExternalId`,
      ),
    );
    const first = await user.send(new AssumeRoleCommand(input));
    expect(first.PackedPolicySize).toBeGreaterThan(0);
    const session = stsClient(harness.emulator.url, {
      accessKeyId: first.Credentials!.AccessKeyId!,
      secretAccessKey: first.Credentials!.SecretAccessKey!,
      sessionToken: first.Credentials!.SessionToken!,
    });
    const conflict = await failure(
      session.send(
        new AssumeRoleCommand({
          RoleArn: roleArn('chained'),
          RoleSessionName: 'x2',
          Tags: [{ Key: 'PROJECT', Value: 'other' }],
        }),
      ),
    );
    expect(conflict.message).toContain('transitive');
    // The inherited transitive tag travels: chained session → needs-project-tag checks aws:PrincipalTag/project.
    const hop = await session.send(new AssumeRoleCommand({ RoleArn: roleArn('chained'), RoleSessionName: 'hop2' }));
    const hopClient = stsClient(harness.emulator.url, {
      accessKeyId: hop.Credentials!.AccessKeyId!,
      secretAccessKey: hop.Credentials!.SecretAccessKey!,
      sessionToken: hop.Credentials!.SessionToken!,
    });
    await expect(
      hopClient.send(new AssumeRoleCommand({ RoleArn: roleArn('needs-project-tag'), RoleSessionName: 'end' })),
    ).resolves.toBeDefined();
    // The non-transitive `stage` tag did not travel: no-stage-tag demands aws:PrincipalTag/stage be absent (Null).
    // The first session still carries stage=dev and is refused; the chained hop carries only `project` and passes.
    const stillTagged = await failure(
      session.send(new AssumeRoleCommand({ RoleArn: roleArn('no-stage-tag'), RoleSessionName: 'direct' })),
    );
    expect(stillTagged.message).toContain('condition Null aws:PrincipalTag/stage = true did not match dev');
    const hopped = await hopClient.send(
      new AssumeRoleCommand({ RoleArn: roleArn('no-stage-tag'), RoleSessionName: 'no-stage' }),
    );
    expect(hopped.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/no-stage-tag/no-stage`);
    // Tags require sts:TagSession.
    const noTagSession = await failure(
      user.send(
        new AssumeRoleCommand({
          RoleArn: roleArn('no-tag-session'),
          RoleSessionName: 'tt',
          Tags: [{ Key: 'a', Value: 'b' }],
        }),
      ),
    );
    expect(noTagSession.message).toContain('is not authorized to perform: sts:TagSession on resource');
    const badTag = await failure(
      user.send(
        new AssumeRoleCommand({
          RoleArn: roleArn('no-tag-session'),
          RoleSessionName: 'tt',
          Tags: [{ Key: 'bad[key]', Value: 'b' }],
        }),
      ),
    );
    expect(badTag.message).toMatch(/^1 validation error detected: Value 'bad\[key\]' at 'tags.1.member.key'/);
    for (const c of [user, session, hopClient]) c.destroy();
  });

  it("within one account, a trust naming only the account also needs the caller's identity policy (IAM's rule)", async () => {
    const user = stsClient(harness.emulator.url, USER_KEY);
    const refused = await failure(
      user.send(new AssumeRoleCommand({ RoleArn: roleArn('no-tag-session'), RoleSessionName: 'refused' })),
    );
    expect(refused.name).toBe('AccessDenied');
    expect(refused.message).toContain('the trust policy names the caller only through its account');
    // tag-source names user/ci by its ARN: the trust alone admits it (the test above).
    const web = stsClient(harness.emulator.url, await webIdentityCredentials());
    const hop = await web.send(new AssumeRoleCommand({ RoleArn: roleArn('chained'), RoleSessionName: 'hop' }));
    const hopClient = stsClient(harness.emulator.url, {
      accessKeyId: hop.Credentials!.AccessKeyId!,
      secretAccessKey: hop.Credentials!.SecretAccessKey!,
      sessionToken: hop.Credentials!.SessionToken!,
    });
    // chained's own policy allows needs-project-tag and no-stage-tag, not no-tag-session.
    const other = await failure(
      hopClient.send(new AssumeRoleCommand({ RoleArn: roleArn('no-tag-session'), RoleSessionName: 'refused' })),
    );
    expect(other.name).toBe('AccessDenied');
    expect(other.message).toContain(`no identity-based policy of ${roleArn('chained')} allows it`);
  });

  it('rejects a wrong secret, an unknown key and a wrong session token', async () => {
    const creds = await webIdentityCredentials();
    const wrongSecret = stsClient(harness.emulator.url, {
      ...creds,
      // Change the last character (to one it is not: a random secret ends in 'x' one time in 64).
      secretAccessKey: `${creds.secretAccessKey.slice(0, -1)}${creds.secretAccessKey.endsWith('x') ? 'y' : 'x'}`,
    });
    const e1 = await failure(wrongSecret.send(new GetCallerIdentityCommand({})));
    expect(e1).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(e1.message).toBe(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
    const unknown = stsClient(harness.emulator.url, {
      accessKeyId: 'ASIAUNKNOWNKEY000000',
      secretAccessKey: 'x',
      sessionToken: 'y',
    });
    expect(await failure(unknown.send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InvalidClientTokenId',
      status: 403,
      message: 'The security token included in the request is invalid.',
    });
    const wrongToken = stsClient(harness.emulator.url, { ...creds, sessionToken: 'forged' });
    expect((await failure(wrongToken.send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    for (const c of [wrongSecret, unknown, wrongToken]) c.destroy();
  });

  it('reports an expired session as ExpiredToken and a skewed clock as Signature expired', async () => {
    const creds = await webIdentityCredentials('deploy', '/ci/', 900);
    const client = stsClient(harness.emulator.url, creds);
    offsetMs = 16 * 60 * 1000;
    expect(await failure(client.send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'ExpiredToken',
      status: 403,
      message: 'The security token included in the request is expired',
    });
    offsetMs = 0;
    const longer = stsClient(harness.emulator.url, await webIdentityCredentials('deploy', '/ci/', 3600));
    offsetMs = 20 * 60 * 1000;
    const skew = await failure(longer.send(new GetCallerIdentityCommand({})));
    expect(skew.name).toBe('SignatureDoesNotMatch');
    expect(skew.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    client.destroy();
    longer.destroy();
  });

  it('requires a signature for GetCallerIdentity and AssumeRole', async () => {
    const res = await fetch(harness.emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(res.status).toBe(403);
    const xml = await res.text();
    expect(xml).toContain('<Type>Sender</Type>');
    expect(xml).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(xml).toContain('<Message>Request is missing Authentication Token</Message>');
    const assumeRole = await fetch(harness.emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        Action: 'AssumeRole',
        Version: '2011-06-15',
        RoleArn: roleArn('no-tag-session'),
        RoleSessionName: 'unsigned',
      }),
    });
    expect(assumeRole.status).toBe(403);
    const assumeXml = await assumeRole.text();
    expect(assumeXml).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(assumeXml).not.toContain('<Credentials>');
    const unknownAction = await fetch(`${harness.emulator.url}/?Action=DecodeAuthorizationMessage&Version=2011-06-15`);
    expect(unknownAction.status).toBe(400);
    expect(await unknownAction.text()).toContain('<Code>InvalidAction</Code>');
  });

  it('never logs tokens or secrets', async () => {
    const token = await github.sign(githubClaims(github.url));
    const out = await web({ WebIdentityToken: token, RoleSessionName: 'leak-check' });
    const text = harness.logs.join('\n');
    expect(text).not.toContain(token);
    expect(text).not.toContain(out.Credentials!.SecretAccessKey!);
    expect(text).not.toContain(out.Credentials!.SessionToken!);
    expect(text).toContain('sts:AssumeRoleWithWebIdentity 200');

    // Refused tokens are not logged either: a trust-policy refusal, an unknown audience, an expired token.
    const refused = [
      await github.sign(githubClaims(github.url, { sub: 'repo:evil/app:ref:refs/heads/main' })),
      await github.sign(githubClaims(github.url, { aud: 'not-a-client' })),
      await github.sign(githubClaims(github.url, { exp: Math.floor(Date.now() / 1000) - 400 })),
    ];
    for (const bad of refused) {
      await failure(web({ WebIdentityToken: bad, RoleSessionName: 'leak-check-refused' }));
    }
    const after = harness.logs.join('\n');
    expect(after).toMatch(/sts:AssumeRoleWithWebIdentity 403 AccessDenied/);
    expect(after).toMatch(/sts:AssumeRoleWithWebIdentity 400 InvalidIdentityToken/);
    expect(after).toMatch(/sts:AssumeRoleWithWebIdentity 400 ExpiredTokenException/);
    for (const bad of refused) {
      expect(after).not.toContain(bad);
      // Neither the signature nor the payload segment appears on its own.
      for (const part of bad.split('.').slice(1)) expect(after).not.toContain(part);
    }
  });
});

describe('signature checks on session tokens and presigned URLs', () => {
  /** A presigned GetCallerIdentity URL for USER_KEY, signed with the emulator's own (reference-tested) signer. */
  function presignedUrl(amzDate: string, expires: string): string {
    const endpoint = new URL(harness.emulator.url);
    const params: Array<[string, string]> = [
      ['Action', 'GetCallerIdentity'],
      ['Version', '2011-06-15'],
      ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
      ['X-Amz-Credential', `${USER_KEY.accessKeyId}/${amzDate.slice(0, 8)}/us-east-1/sts/aws4_request`],
      ['X-Amz-Date', amzDate],
      ['X-Amz-Expires', expires],
      ['X-Amz-SignedHeaders', 'host'],
    ];
    const query = params.map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`).join('&');
    const incoming: IncomingSignedRequest = {
      method: 'GET',
      path: '/',
      query: `${query}&X-Amz-Signature=placeholder`, // not part of the canonical query
      rawHeaders: ['host', endpoint.host],
      body: Buffer.alloc(0),
    };
    const signature = computeSignature(incoming, parseSigV4(incoming)!, USER_KEY.secretAccessKey);
    return `${harness.emulator.url}/?${query}&X-Amz-Signature=${signature}`;
  }

  it('accepts a presigned URL within its validity', async () => {
    const res = await fetch(presignedUrl(formatAmzDate(Date.now() - 60_000), '300'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`<Arn>arn:aws:iam::${ACCOUNT}:user/ci</Arn>`);
  });

  it('refuses X-Amz-Expires over a week (604800 s) and a malformed one', async () => {
    const now = formatAmzDate(Date.now());
    expect((await fetch(presignedUrl(now, '604800'))).status).toBe(200);
    const tooLong = await fetch(presignedUrl(now, '604801'));
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain(
      '<Message>X-Amz-Expires must be less than a week (in seconds) that is 604800</Message>',
    );
    const negative = await fetch(presignedUrl(now, '-1'));
    expect(negative.status).toBe(400);
    expect(await negative.text()).toContain('<Code>AuthorizationQueryParametersError</Code>');
  });

  it('refuses a presigned URL dated further in the future than the allowed skew', async () => {
    const ahead = await fetch(presignedUrl(formatAmzDate(Date.now() + 60 * 60_000), '900'));
    expect(ahead.status).toBe(403);
    const xml = await ahead.text();
    expect(xml).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(xml).toMatch(/<Message>Signature not yet current: \d{8}T\d{6}Z is still later than/);
    // Within the skew it is fine (clients' clocks differ a little).
    expect((await fetch(presignedUrl(formatAmzDate(Date.now() + 5 * 60_000), '900'))).status).toBe(200);
  });

  it('compares session tokens in constant time, over fixed-length digests', async () => {
    const creds = await webIdentityCredentials();
    const spy = jest.mocked(timingSafeEqual);
    spy.mockClear();
    const client = stsClient(harness.emulator.url, creds);
    await client.send(new GetCallerIdentityCommand({}));
    const forged = stsClient(harness.emulator.url, { ...creds, sessionToken: `${creds.sessionToken}x` });
    expect((await failure(forged.send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    for (const c of [client, forged]) c.destroy();
    // One SHA-256-digest comparison per request, the accepted token's and the forged (longer) one's.
    const digestCompares = spy.mock.calls.filter(([a, b]) => a.byteLength === 32 && b.byteLength === 32);
    expect(digestCompares).toHaveLength(2);
  });
});
