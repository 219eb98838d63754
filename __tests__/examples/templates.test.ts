/**
 * The example CloudFormation templates as a user deploys them: loaded by the emulator unchanged (no parameter
 * overrides, GitHub's and the Jenkins service's production issuer URLs mapped to loopback token services), each one
 * admits the CI identity it is written for and refuses another; each creates its OIDC provider only when no
 * existing one is passed (an account holds one per URL); each role has a generated name and a small permission
 * policy; the outputs name the flags that exist.
 */
import { GetIdCommand, GetOpenIdTokenCommand } from '@aws-sdk/client-cognito-identity';
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import { buildModel, COGNITO_PROVIDER, type IamModel } from '../../src/emulator';
import {
  closeAll,
  GITHUB_ISSUER,
  githubRunClaims,
  JENKINS_ISSUER,
  physicalId,
  startTemplates,
  startTokenService,
  type TokenService,
  template,
} from '../e2e/support/chain';
import { cognitoClient, failure, stsClient } from '../emulator/support/emulator';
import { cloudFormationTemplates, EXAMPLES, parseExample } from './support/examples';

type Json = Record<string, unknown>;
/** The placeholders microsoft/entra-id.yml and microsoft/azure-devops.yml default to (tenant / organization id). */
const MICROSOFT_DEFAULT_ISSUERS = [
  'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
  'https://vstoken.dev.azure.com/00000000-0000-0000-0000-000000000000',
];
const path = (file: string) => `${EXAMPLES}/${file}`;
/** The placeholder issuer of people-oidc.yml (a company's own OpenID provider; e2e/people-login.test.ts signs in). */
const PEOPLE_ISSUER = 'https://login.example.com';

let github: TokenService;
let jenkins: TokenService;

beforeAll(async () => {
  github = await startTokenService('github', ['sts.amazonaws.com', 'cognito-identity.amazonaws.com'], GITHUB_ISSUER);
  jenkins = await startTokenService('jenkins', ['sts.amazonaws.com'], JENKINS_ISSUER);
}, 30_000);

afterAll(closeAll);

/** A signed ID token from a loopback token service, as a build would fetch it. */
async function idToken(service: TokenService, claims: Json, audience: string): Promise<string> {
  const build = await service.register({ ...claims, audiences: [audience] });
  const response = await fetch(`${build.token_url}?audience=${encodeURIComponent(audience)}`, {
    headers: { Authorization: `Bearer ${build.request_token}` },
  });
  if (!response.ok) throw new Error(`token request failed: HTTP ${response.status}`);
  return ((await response.json()) as { value: string }).value;
}

function resources(file: string): Array<[string, { Type: string; Properties?: Json; Condition?: string }]> {
  return Object.entries(parseExample(file).Resources as Record<string, { Type: string; Properties?: Json }>);
}

// Templates of a provider and the roles it trusts. The audience automation's role (an AWS-principal role with IAM
// write permissions, no provider) is loaded and exercised by the automation's own tests instead.
const templates = cloudFormationTemplates().filter((file) => file !== 'microsoft/audience-automation-role.yml');

describe.each(templates)('%s', (file) => {
  const doc = parseExample(file);
  const parameters = doc.Parameters as Record<string, { Default?: unknown }>;

  test('loads as written: every parameter has a default and every resource is emulated', () => {
    const { model, skipped } = buildModel({ templates: [path(file)] });
    expect(skipped).toEqual([]);
    expect(model.listRoles().length).toBeGreaterThan(0);
    for (const [name, spec] of Object.entries(parameters))
      expect([name, typeof spec.Default]).toEqual([name, 'string']);
  });

  test('names a production https issuer and creates its provider only without ExistingProviderArn', () => {
    expect(parameters.ExistingProviderArn?.Default).toBe('');
    const created = buildModel({ templates: [path(file)] }).model;
    expect(created.listProviders().map((p) => p.url)).toEqual([expect.stringMatching(/^https:\/\/[a-z]/)]);
    const [provider] = created.listProviders();
    expect([GITHUB_ISSUER, JENKINS_ISSUER, PEOPLE_ISSUER, ...MICROSOFT_DEFAULT_ISSUERS]).toContain(provider?.url);

    // An account that already has the provider (another stack, the console): the template must only use it.
    const existing = `arn:aws:iam::123456789012:oidc-provider/${provider?.name}`;
    const { model, ids } = buildModel({
      config: { oidcProviders: [{ url: provider?.url as string, clientIds: provider?.clientIds ?? [] }] },
      templates: [{ path: path(file), parameters: { ExistingProviderArn: existing } }],
    });
    expect(model.listProviders().map((p) => p.arn)).toEqual([existing]);
    // (the model would merge a second provider for the same URL into the first, so ask what the template created)
    const createdByTemplate = Object.keys(doc.Resources as Json).filter((id) => ids[id]?.startsWith('arn:aws:iam::'));
    expect(createdByTemplate.filter((id) => ids[id]?.includes(':oidc-provider/'))).toEqual([]);
    for (const arn of trustedProviders(model)) expect(arn).toBe(existing);
    for (const pool of model.listIdentityPools()) {
      expect(pool.openIdConnectProviderArns).toEqual([existing]);
      expect(model.findPrincipalTagMap(pool.id, provider?.name as string)).toBeDefined();
    }
  });

  test('roles: generated names, a sub (OIDC) or aud + amr (Cognito) condition, a small permission policy', () => {
    const roles = resources(file).filter(([, r]) => r.Type === 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(0);
    for (const [logicalId, role] of roles) {
      // A fixed RoleName makes a second stack of the same template fail (names are unique per account).
      expect([logicalId, role.Properties?.RoleName]).toEqual([logicalId, undefined]);
      const policies = role.Properties?.Policies as Array<{ PolicyDocument: { Statement: Json[] } }> | undefined;
      expect(policies?.length).toBeGreaterThan(0);
      for (const statement of (policies ?? []).flatMap((p) => p.PolicyDocument.Statement)) {
        expect(statement.Effect).toBe('Allow');
        for (const action of [statement.Action].flat()) expect(String(action)).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
        expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"/);
      }
    }
    const { model } = buildModel({ templates: [path(file)] });
    const roleArns = model.listRoles().map((role) => role.arn);
    for (const role of model.listRoles()) {
      for (const statement of trustStatements(role.trustPolicy)) {
        const keys = Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block));
        const federated = [statement.Principal?.Federated ?? []].flat();
        if (federated.length === 0) {
          // Role chaining (multi-account.yml's audit role): only a role of this template, never an account or "*".
          for (const arn of [statement.Principal?.AWS ?? []].flat()) expect(roleArns).toContain(arn);
          expect([statement.Principal?.AWS ?? []].flat().length).toBeGreaterThan(0);
        } else if (federated.includes(COGNITO_PROVIDER)) {
          expect(keys).toEqual(expect.arrayContaining([`${COGNITO_PROVIDER}:aud`, `${COGNITO_PROVIDER}:amr`]));
        } else {
          const name = federated[0]?.split(':oidc-provider/')[1];
          expect(keys).toEqual(expect.arrayContaining([`${name}:aud`, `${name}:sub`]));
        }
      }
    }
  });

  test('an issuer URL with a path (GitHub Enterprise, a Jenkins service under /oidc) keys the conditions on it', () => {
    const issuer = 'https://ci.example.com/oidc';
    const { model } = buildModel({ templates: [{ path: path(file), parameters: { IssuerUrl: issuer } }] });
    expect(model.listProviders().map((p) => p.url)).toEqual([issuer]);
    for (const role of model.listRoles()) {
      for (const statement of trustStatements(role.trustPolicy)) {
        const federated = [statement.Principal?.Federated ?? []].flat();
        if (federated.length === 0 || federated.includes(COGNITO_PROVIDER)) continue;
        const keys = Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block));
        expect(keys).toEqual(expect.arrayContaining(['ci.example.com/oidc:aud', 'ci.example.com/oidc:sub']));
      }
    }
  });

  test('outputs: the role ARN for role-to-assume / --role-to-assume', () => {
    const outputs = doc.Outputs as Record<string, { Description?: string }>;
    expect(outputs.RoleArn?.Description).toContain('--role-to-assume');
    expect(JSON.stringify(outputs)).not.toContain('--role-arn');
  });
});

interface Statement {
  Principal?: { Federated?: string | string[]; AWS?: string | string[] };
  Condition?: Record<string, Record<string, unknown>>;
}

function trustStatements(policy: unknown): Statement[] {
  const statement = (policy as { Statement: Statement | Statement[] }).Statement;
  return [statement].flat();
}

function trustedProviders(model: IamModel): string[] {
  return model
    .listRoles()
    .flatMap((role) => trustStatements(role.trustPolicy))
    .flatMap((s) => [s.Principal?.Federated ?? []].flat())
    .filter((p) => p.includes(':oidc-provider/'));
}

describe('verdicts, with the production issuers mapped to loopback token services', () => {
  const session = 'examples-test';

  test('github-oidc.yml admits acme/app and refuses another repository', async () => {
    const emulator = await startTemplates([template('github-oidc.yml', github)]);
    const sts = stsClient(emulator.url);
    const assume = async (repository: string) =>
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: physicalId(emulator, 'GitHubDeployRole'),
          RoleSessionName: session,
          WebIdentityToken: await idToken(github, githubRunClaims(repository), 'sts.amazonaws.com'),
        }),
      );
    try {
      expect((await assume('acme/app')).AssumedRoleUser?.Arn).toMatch(/:assumed-role\/github-oidc-GitHubDeployRole\//);
      expect((await failure(assume('evil/app'))).name).toBe('AccessDenied');
    } finally {
      sts.destroy();
    }
  });

  test('jenkins/jenkins-oidc.yml admits builds of payments/deploy and refuses another job', async () => {
    const emulator = await startTemplates([template('jenkins/jenkins-oidc.yml', jenkins)]);
    const sts = stsClient(emulator.url);
    const assume = async (job: string) =>
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: physicalId(emulator, 'JenkinsDeployRole'),
          RoleSessionName: session,
          WebIdentityToken: await idToken(jenkins, { job, build_number: 7 }, 'sts.amazonaws.com'),
        }),
      );
    try {
      expect((await assume('payments/deploy')).AssumedRoleUser?.Arn).toContain(':assumed-role/');
      expect((await failure(assume('payments/other'))).name).toBe('AccessDenied');
    } finally {
      sts.destroy();
    }
  });

  test('cognito-tags.yml maps claims to tags by the provider ARN: acme/* admitted, another organisation refused', async () => {
    const emulator = await startTemplates([template('cognito-tags.yml', github)]);
    const sts = stsClient(emulator.url);
    const cognito = cognitoClient(emulator.url);
    const poolId = physicalId(emulator, 'CiIdentityPool');
    const assume = async (repository: string) => {
      const claims = githubRunClaims(repository);
      const Logins = { 'token.actions.githubusercontent.com': await idToken(github, claims, COGNITO_PROVIDER) };
      const { IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId: poolId, Logins }));
      const { Token } = await cognito.send(new GetOpenIdTokenCommand({ IdentityId, Logins }));
      return sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: physicalId(emulator, 'CiAbacRole'),
          RoleSessionName: `${claims.run_id}@${claims.sha}`,
          WebIdentityToken: Token,
        }),
      );
    };
    try {
      expect((await assume('acme/app')).AssumedRoleUser?.Arn).toContain(':assumed-role/cognito-tags-CiAbacRole/');
      expect((await failure(assume('evil/app'))).name).toBe('AccessDenied');
    } finally {
      sts.destroy();
      cognito.destroy();
    }
  });
});
