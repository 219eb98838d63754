// Every CloudFormation template under examples/ loads in the emulator, admits the token it is written for, and
// refuses a token with a different `sub` (or mapped claim) and a different `aud`. The intended token is derived
// from the template's own trust conditions, so templates added later (e.g. examples/jenkins/) are covered too.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { GetIdCommand, GetOpenIdTokenCommand } from '@aws-sdk/client-cognito-identity';
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import { COGNITO_PROVIDER, type OidcProvider, type Role } from '../../src/emulator';
import { parseTemplateText } from '../../src/emulator/cloudformation';
import { cognitoClient, failure, type Harness, startHarness, stsClient } from './support/emulator';
import { type OidcIssuer, startOidcIssuer } from './support/oidc-issuer';

const EXAMPLES = join(__dirname, '../../examples');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** CloudFormation templates among the examples (workflows and other YAML are skipped). */
function cloudFormationTemplates(): string[] {
  return walk(EXAMPLES)
    .filter((path) => ['.yml', '.yaml', '.json'].includes(extname(path)))
    .filter((path) => {
      try {
        const doc = parseTemplateText(readFileSync(path, 'utf8'), path);
        const resources = doc.Resources as Record<string, { Type?: unknown }> | undefined;
        return (
          doc.AWSTemplateFormatVersion !== undefined ||
          (resources !== undefined &&
            Object.values(resources).some((r) => typeof r?.Type === 'string' && r.Type.startsWith('AWS::')))
        );
      } catch {
        return false;
      }
    })
    .sort();
}

// Templates whose issuer parameter only accepts https (as IAM does) cannot be pointed at a loopback issuer by a
// parameter; they are loaded unchanged with the production issuer mapped to loopback keys, and judged end to end,
// by their own tests (__tests__/examples/microsoft.test.ts).
const HTTPS_ONLY = new Set(['microsoft/azure-devops.yml', 'microsoft/entra-id.yml']);
// The audience automation's role trusts an AWS principal and has no provider: its own tests load and assume it
// (__tests__/audiences/iam-flow.test.ts).
const NO_PROVIDER = new Set(['microsoft/audience-automation-role.yml']);
const templates = cloudFormationTemplates().filter(
  (path) => !HTTPS_ONLY.has(relative(EXAMPLES, path)) && !NO_PROVIDER.has(relative(EXAMPLES, path)),
);

type Conditions = Record<string, Record<string, string | string[]>>;

interface Statement {
  Effect: string;
  Principal?: { Federated?: string | string[] };
  Condition?: Conditions;
}

function statementsOf(role: Role): Statement[] {
  const doc = role.trustPolicy as { Statement: Statement | Statement[] };
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

/** A value satisfying a StringEquals/StringLike pattern: wildcards become letters. */
function satisfying(pattern: string): string {
  return pattern.replace(/\*/g, 'x').replace(/\?/g, 'y');
}

/** Condition values for keys of the given prefix, e.g. `<provider>:sub` → `{ sub: 'repo:acme/app:x' }`. */
function requiredValues(statement: Statement, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    if (!/^(ForAnyValue:)?String(Equals|Like)$/.test(operator)) continue;
    for (const [key, value] of Object.entries(block)) {
      if (!key.toLowerCase().startsWith(prefix.toLowerCase())) continue;
      const first = Array.isArray(value) ? value[0] : value;
      if (typeof first === 'string') out[key.slice(prefix.length)] = first;
    }
  }
  return out;
}

function https(url: string): boolean {
  return url.startsWith('https://');
}

describe.each(templates.map((t) => [relative(EXAMPLES, t), t]))('template %s', (_name, path) => {
  const issuers = new Map<string, OidcIssuer>();
  let harness: Harness;

  beforeAll(async () => {
    // Point every https URL parameter default (the issuer) at a loopback issuer serving the same path.
    const doc = parseTemplateText(readFileSync(path, 'utf8'), path);
    const parameters: Record<string, string> = {};
    for (const [name, spec] of Object.entries((doc.Parameters ?? {}) as Record<string, { Default?: unknown }>)) {
      if (typeof spec.Default !== 'string' || !https(spec.Default)) continue;
      const issuer = await startOidcIssuer({ path: new URL(spec.Default).pathname.replace(/\/$/, '') });
      issuers.set(issuer.url, issuer);
      parameters[name] = issuer.url;
    }
    harness = await startHarness({ templates: [{ path, parameters }] });
  });

  afterAll(async () => {
    await harness.emulator.close();
    for (const issuer of issuers.values()) await issuer.close();
  });

  function templateRoles(): Role[] {
    const arns = new Set(Object.values(harness.emulator.ids));
    return harness.emulator.model.listRoles().filter((r) => arns.has(r.arn));
  }

  it('loads and declares at least one role', () => {
    expect(templateRoles().length).toBeGreaterThan(0);
  });

  it('admits the intended token and refuses a different sub or aud', async () => {
    const sts = stsClient(harness.emulator.url);
    const cognito = cognitoClient(harness.emulator.url);
    let checked = 0;
    try {
      for (const role of templateRoles()) {
        for (const statement of statementsOf(role).filter((s) => s.Effect === 'Allow')) {
          const federated = [statement.Principal?.Federated ?? []].flat();
          for (const principal of federated) {
            const provider = harness.emulator.model.findProviderByArn(principal);
            const assume = (token: string, session = 'template-test') =>
              sts.send(
                new AssumeRoleWithWebIdentityCommand({
                  RoleArn: role.arn,
                  RoleSessionName: session,
                  WebIdentityToken: token,
                }),
              );
            if (provider) {
              await checkDirect(provider, statement, assume);
              checked++;
            } else if (principal === COGNITO_PROVIDER) {
              await checkCognito(statement, cognito, assume);
              checked++;
            }
          }
        }
      }
    } finally {
      sts.destroy();
      cognito.destroy();
    }
    expect(checked).toBeGreaterThan(0);
  });

  async function checkDirect(
    provider: OidcProvider,
    statement: Statement,
    assume: (t: string, s?: string) => Promise<unknown>,
  ) {
    const issuer = issuers.get(provider.url);
    if (!issuer)
      throw new Error(`${provider.url} is not parameterised; the template cannot be pointed at a test issuer`);
    const wanted = requiredValues(statement, `${provider.name}:`);
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: provider.url,
      aud: wanted.aud ? satisfying(wanted.aud) : provider.clientIds[0],
      sub: wanted.sub ? satisfying(wanted.sub) : 'subject',
      iat: now,
      exp: now + 300,
    };
    await expect(assume(await issuer.sign(claims))).resolves.toBeDefined();
    const otherSub = await failure(
      assume(await issuer.sign({ ...claims, sub: 'repo:intruder/other:ref:refs/heads/evil' })),
    );
    expect(otherSub.name).toBe('AccessDenied');
    const otherAud = await failure(assume(await issuer.sign({ ...claims, aud: 'https://not-an-audience.example' })));
    expect(otherAud.name).toBe('InvalidIdentityTokenException');
    expect(otherAud.message).toMatch(/^Incorrect token audience/);
  }

  async function checkCognito(
    statement: Statement,
    cognito: ReturnType<typeof cognitoClient>,
    assume: (t: string, s?: string) => Promise<unknown>,
  ) {
    const model = harness.emulator.model;
    const poolIds = new Set(Object.values(harness.emulator.ids));
    const pool = model.listIdentityPools().find((p) => poolIds.has(p.id));
    if (!pool) throw new Error('role trusts Cognito but the template has no identity pool');
    const provider = model.findProviderByArn(pool.openIdConnectProviderArns[0] ?? '');
    const issuer = provider && issuers.get(provider.url);
    if (!provider || !issuer) throw new Error('the pool has no parameterised OIDC provider');
    const tagMap = model.findPrincipalTagMap(pool.id, provider.name)?.principalTags ?? {};
    // Reverse the tag map: each aws:RequestTag/<tag> condition becomes a claim value in the CI token.
    const tagValues = requiredValues(statement, 'aws:RequestTag/');
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: provider.url,
      aud: provider.clientIds[0],
      sub: 'ci-subject',
      iat: now,
      exp: now + 300,
    };
    for (const [tag, claim] of Object.entries(tagMap)) claims[claim] = satisfying(tagValues[tag] ?? `v-${tag}`);
    const tags = Object.fromEntries(Object.entries(tagMap).map(([tag, claim]) => [tag, String(claims[claim])]));
    const sessionPattern = requiredValues(statement, 'sts:RoleSessionName')[''] as string | undefined;
    const session = sessionPattern
      ? satisfying(sessionPattern.replace(/\$\{aws:RequestTag\/([^}]+)\}/g, (_m, tag: string) => tags[tag] ?? ''))
      : 'template-test';

    const cognitoToken = async (c: Record<string, unknown>) => {
      const Logins = { [provider.name]: await issuer.sign(c) };
      const { IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId: pool.id, Logins }));
      return (await cognito.send(new GetOpenIdTokenCommand({ IdentityId, Logins }))).Token!;
    };
    await expect(assume(await cognitoToken(claims), session)).resolves.toBeDefined();
    const [conditionedTag] = Object.keys(tagValues);
    if (conditionedTag && tagMap[conditionedTag]) {
      const mutated = { ...claims, [tagMap[conditionedTag]]: 'intruder-value' };
      expect((await failure(assume(await cognitoToken(mutated), session))).name).toBe('AccessDenied');
    }
    const wrongAud = await failure(
      cognito.send(
        new GetIdCommand({
          IdentityPoolId: pool.id,
          Logins: { [provider.name]: await issuer.sign({ ...claims, aud: 'sts.example' }) },
        }),
      ),
    );
    expect(wrongAud.message).toBe('Invalid login token. Incorrect token audience.');
  }
});

it('finds the example templates', () => {
  const names = templates.map((t) => relative(EXAMPLES, t));
  expect(names).toEqual(expect.arrayContaining(['cognito-tags.yml', 'github-oidc.yml']));
});
