// Templates written for AWS load unchanged: they name the production issuers, and `issuers` (the CLI's --issuer)
// maps each to a loopback key source. Tokens carry the production `iss`; the verdicts are the ones AWS gives.
import { join } from 'node:path';
import { GetIdCommand, GetOpenIdTokenCommand } from '@aws-sdk/client-cognito-identity';
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import { buildModel, startEmulator } from '../../src/emulator';
import { cognitoClient, failure, type Harness, startHarness, stsClient } from './support/emulator';
import { githubClaims, type OidcIssuer, startOidcIssuer } from './support/oidc-issuer';

const FIXTURES = join(__dirname, 'fixtures/production');
const GITHUB = 'https://token.actions.githubusercontent.com';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ENTRA = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const JENKINS = 'https://jenkins.acme.com/oidc';

let github: OidcIssuer;
let entra: OidcIssuer;
let jenkins: OidcIssuer;

beforeAll(async () => {
  github = await startOidcIssuer();
  entra = await startOidcIssuer({ path: `/${TENANT}/v2.0` });
  jenkins = await startOidcIssuer({ path: '/oidc', leadingZeroModulus: true });
});

afterAll(async () => {
  for (const issuer of [github, entra, jenkins]) await issuer.close();
});

function decodeTags(token: string): unknown {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString())['https://aws.amazon.com/tags'];
}

describe('production templates with mapped issuers', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      templates: [join(FIXTURES, 'github-deploy.yml'), join(FIXTURES, 'entra-id.json'), join(FIXTURES, 'jenkins.yml')],
      issuers: { [GITHUB]: github.url, [ENTRA]: entra.url, [JENKINS]: jenkins.url },
    });
  });

  afterAll(() => harness.emulator.close());

  const assume = (roleArn: string, token: string) =>
    stsClient(harness.emulator.url).send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'ci', WebIdentityToken: token }),
    );

  it('GitHub: the main branch of the repository gets in, another branch and a foreign key do not', async () => {
    const role = harness.emulator.ids.DeployRole as string;
    const main = await assume(role, await github.sign(githubClaims(GITHUB)));
    expect(main.SubjectFromWebIdentityToken).toBe('repo:acme/app:ref:refs/heads/main');
    expect(main.Provider).toBe(harness.emulator.ids.GithubOidc);
    const branch = await github.sign(githubClaims(GITHUB, { sub: 'repo:acme/app:ref:refs/heads/dev' }));
    expect((await failure(assume(role, branch))).name).toBe('AccessDenied');
    const forged = await github.sign(githubClaims(GITHUB), { foreignKey: true });
    expect((await failure(assume(role, forged))).name).toBe('InvalidIdentityTokenException');
    // The loopback issuer's own URL is not a provider: a token claiming it is refused.
    const local = await github.sign(githubClaims(github.url));
    expect((await failure(assume(role, local))).name).toBe('InvalidIdentityTokenException');
  });

  it('Entra ID: the app registration audience and the service principal subject', async () => {
    const role = harness.emulator.ids.EntraRole as string;
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: ENTRA,
      aud: '0b3e5c1a-1111-4a2b-9c3d-123456789abc',
      sub: '9f1c2d3e-2222-4b5c-8d9e-abcdefabcdef',
      tid: TENANT,
      iat: now,
      exp: now + 300,
    };
    await expect(assume(role, await entra.sign(claims))).resolves.toBeDefined();
    const other = await entra.sign({ ...claims, sub: '00000000-0000-4000-8000-000000000000' });
    expect((await failure(assume(role, other))).name).toBe('AccessDenied');
    const wrongAud = await failure(assume(role, await entra.sign({ ...claims, aud: 'api://AzureADTokenExchange' })));
    expect(wrongAud.message).toMatch(/^Incorrect token audience/);
  });

  it('Jenkins: an issuer with a path, keys served with a leading zero byte', async () => {
    const role = harness.emulator.ids.JenkinsRole as string;
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: JENKINS,
      aud: 'sts.amazonaws.com',
      sub: 'https://jenkins.acme.com/job/app/job/main/',
      iat: now,
      exp: now + 300,
    };
    await expect(assume(role, await jenkins.sign(claims))).resolves.toBeDefined();
    const other = await jenkins.sign({ ...claims, sub: 'https://jenkins.acme.com/job/other/' });
    expect((await failure(assume(role, other))).name).toBe('AccessDenied');
  });
});

describe('Cognito principal tags named by provider ARN', () => {
  it('maps the tags, so the role that tests aws:RequestTag admits the repository and refuses another', async () => {
    const harness = await startHarness({
      templates: [join(FIXTURES, 'cognito-abac.yml')],
      issuers: { [GITHUB]: github.url },
    });
    const cognito = cognitoClient(harness.emulator.url);
    const sts = stsClient(harness.emulator.url);
    try {
      const IdentityPoolId = harness.emulator.ids.Pool as string;
      const cognitoToken = async (claims: Record<string, unknown>) => {
        const Logins = { 'token.actions.githubusercontent.com': await github.sign(claims) };
        const { IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId, Logins }));
        return (await cognito.send(new GetOpenIdTokenCommand({ IdentityId, Logins }))).Token as string;
      };
      const assume = (token: string) =>
        sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: harness.emulator.ids.AbacRole,
            RoleSessionName: 'ci',
            WebIdentityToken: token,
          }),
        );
      const good = await cognitoToken(githubClaims(GITHUB, { aud: 'cognito-identity.amazonaws.com' }));
      expect(decodeTags(good)).toEqual({
        principal_tags: { repository: ['acme/app'], ref: ['refs/heads/main'] },
      });
      await expect(assume(good)).resolves.toBeDefined();
      const other = await cognitoToken(
        githubClaims(GITHUB, { aud: 'cognito-identity.amazonaws.com', repository: 'intruder/app' }),
      );
      expect((await failure(assume(other))).name).toBe('AccessDenied');
    } finally {
      cognito.destroy();
      sts.destroy();
      await harness.emulator.close();
    }
  });

  it('refuses a principal-tag map whose provider is not one of its pool', () => {
    const config = (providerName: string) => ({
      oidcProviders: [{ url: GITHUB, clientIds: ['cognito-identity.amazonaws.com'] }],
      identityPools: [
        {
          name: 'pool',
          openIdConnectProviderArns: ['arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com'],
          principalTags: [{ providerName, principalTags: { repository: 'repository' } }],
        },
      ],
    });
    for (const accepted of [
      'token.actions.githubusercontent.com',
      'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    ]) {
      const { model, ids } = buildModel({ config: config(accepted) });
      expect(model.findPrincipalTagMap(ids.pool as string, 'token.actions.githubusercontent.com')).toBeDefined();
    }
    for (const wrong of [GITHUB, 'arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com']) {
      expect(() => buildModel({ config: config(wrong) })).toThrow(
        `config: identityPools[pool].principalTags[0]: principal tag map names provider '${wrong}', which is not an OIDC provider of identity pool`,
      );
    }
  });
});

describe('issuer mapping and IAM provider refusals', () => {
  it('refuses a mapping for an issuer no provider names, and a key source off loopback', async () => {
    const templates = [join(FIXTURES, 'github-deploy.yml')];
    await expect(startEmulator({ templates, issuers: { [`${GITHUB}/`]: github.url }, log: () => {} })).rejects.toThrow(
      `--issuer ${GITHUB}/: no OIDC provider has this URL (providers: ${GITHUB})`,
    );
    await expect(
      startEmulator({ templates, issuers: { [GITHUB]: 'https://keys.example.com' }, log: () => {} }),
    ).rejects.toThrow('must be an http(s) URL on a loopback address');
  });

  it('never fetches the internet: an unmapped production issuer is noted at start and its tokens are refused', async () => {
    const harness = await startHarness({ templates: [join(FIXTURES, 'github-deploy.yml')] });
    try {
      expect(harness.logs).toContain(
        `OIDC provider ${GITHUB}: no local key source, its tokens will be refused (map it with --issuer ${GITHUB}=http://127.0.0.1:PORT)`,
      );
      const sts = stsClient(harness.emulator.url);
      const error = await failure(
        sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: harness.emulator.ids.DeployRole,
            RoleSessionName: 'ci',
            WebIdentityToken: await github.sign(githubClaims(GITHUB)),
          }),
        ),
      );
      sts.destroy();
      expect(error.name).toBe('InvalidIdentityTokenException');
      expect(error.message).toMatch(/never fetches the internet/);
    } finally {
      await harness.emulator.close();
    }
  });

  it('refuses what IAM refuses in providers, naming the resource', () => {
    // Two templates bringing the same provider URL: IAM holds one per account.
    expect(() =>
      buildModel({ templates: [join(FIXTURES, 'github-deploy.yml'), join(FIXTURES, 'cognito-abac.yml')] }),
    ).toThrow(
      /cognito-abac\.yml:4: resource GithubOidc \(AWS::IAM::OIDCProvider\): EntityAlreadyExists: Provider with url https:\/\/token\.actions\.githubusercontent\.com already exists\./,
    );
    const provider = (fields: Record<string, unknown>) =>
      buildModel({ config: { oidcProviders: [{ url: GITHUB, clientIds: ['sts.amazonaws.com'], ...fields }] } });
    expect(() => provider({ clientIds: Array.from({ length: 101 }, (_, i) => `client-${i}`) })).toThrow(
      'config: oidcProviders[0]: LimitExceeded: Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100',
    );
    expect(() => provider({ thumbprints: Array.from({ length: 6 }, () => 'a'.repeat(40)) })).toThrow(
      'LimitExceeded: Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: 5',
    );
    expect(() => provider({ thumbprints: ['abc'] })).toThrow("thumbprint 'abc' of provider");
    expect(() => provider({ clientIds: ['x'.repeat(256)] })).toThrow('must have length 1-255');
    expect(() => provider({ url: `https://issuer.example.com/${'p'.repeat(250)}` })).toThrow('must have length 1-255');
    expect(() => provider({ url: 'https://user:pw@issuer.example.com' })).toThrow('must not contain user information');
    expect(() =>
      buildModel({
        config: {
          oidcProviders: [
            { url: GITHUB, clientIds: ['a'] },
            { url: GITHUB, clientIds: ['b'] },
          ],
        },
      }),
    ).toThrow('config: oidcProviders[1]: EntityAlreadyExists');
  });
});
