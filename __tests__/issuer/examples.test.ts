// The Jenkins examples: the CloudFormation template must stay within what the emulator loads and must produce a
// valid trust policy keyed on the issuer host; the Groovy step must keep secrets out of shell strings.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, type Tags } from 'yaml';

const examples = join(__dirname, '../../examples/jenkins');
const intrinsic = (tag: string, key: string, sequence = false): Tags[number] =>
  ({
    tag,
    collection: sequence ? 'seq' : undefined,
    resolve: (value: unknown) => ({
      [key]:
        typeof value === 'object' && value !== null && 'toJSON' in value
          ? (value as { toJSON(): unknown }).toJSON()
          : value,
    }),
  }) as Tags[number];

const TAGS: Tags = [
  intrinsic('!Ref', 'Ref'),
  intrinsic('!Sub', 'Fn::Sub'),
  intrinsic('!Sub', 'Fn::Sub', true),
  intrinsic('!GetAtt', 'Fn::GetAtt'),
  intrinsic('!Select', 'Fn::Select', true),
  intrinsic('!Split', 'Fn::Split', true),
];

type Node = unknown;

/** Evaluates the intrinsics the template may use, with parameter defaults (or overrides). */
function evaluate(node: Node, params: Record<string, string>): Node {
  if (Array.isArray(node)) return node.map((n) => evaluate(n, params));
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node);
  const [first] = entries;
  if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
    const [name, arg] = first;
    switch (name) {
      case 'Ref':
        return params[arg as string] ?? `ref:${arg}`;
      case 'Fn::GetAtt':
        return `getatt:${arg}`;
      case 'Fn::Split': {
        const [delimiter, source] = arg as [string, Node];
        return String(evaluate(source, params)).split(delimiter);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number, Node];
        return (evaluate(list, params) as unknown[])[Number(index)];
      }
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, Node>]) : [arg as string, {}];
        const scope: Record<string, string> = { ...params };
        for (const [k, v] of Object.entries(vars ?? {})) scope[k] = String(evaluate(v, params));
        return text.replace(/\$\{([^}]+)\}/g, (_m, key: string) => {
          if (!(key in scope)) throw new Error(`unresolved \${${key}}`);
          return scope[key]!;
        });
      }
      default:
        throw new Error(`intrinsic ${name} is not allowed in the Jenkins template`);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, evaluate(v, params)]));
}

async function template(): Promise<Record<string, any>> {
  return parse(await readFile(join(examples, 'jenkins-oidc.yml'), 'utf8'), { customTags: TAGS });
}

describe('jenkins-oidc.yml', () => {
  test('holds only an OIDC provider and a role, with defaults for every parameter', async () => {
    const doc = await template();
    expect(
      Object.values(doc.Resources)
        .map((r: any) => r.Type)
        .sort(),
    ).toEqual(['AWS::IAM::OIDCProvider', 'AWS::IAM::Role']);
    for (const [name, parameter] of Object.entries<any>(doc.Parameters)) {
      expect([name, typeof parameter.Default]).toEqual([name, 'string']);
      if (parameter.AllowedPattern) expect(parameter.Default).toMatch(new RegExp(`^(?:${parameter.AllowedPattern})$`));
    }
    expect(doc.Parameters.IssuerUrl.Default).toBe('https://jenkins-oidc.example.com');
  });

  test.each([
    ['https://jenkins-oidc.example.com', 'jenkins-oidc.example.com'],
    ['https://ci.example.com/oidc', 'ci.example.com/oidc'],
    ['http://127.0.0.1:40123', '127.0.0.1:40123'],
  ])('the trust policy for %s keys its conditions on %s', async (issuerUrl, host) => {
    const doc = await template();
    const defaults = Object.fromEntries(Object.entries<any>(doc.Parameters).map(([k, v]) => [k, v.Default]));
    expect(issuerUrl).toMatch(new RegExp(`^(?:${doc.Parameters.IssuerUrl.AllowedPattern})$`));
    const resources = evaluate(doc.Resources, { ...defaults, IssuerUrl: issuerUrl }) as Record<string, any>;
    const provider = Object.values(resources).find((r) => r.Type === 'AWS::IAM::OIDCProvider');
    expect(provider.Properties).toEqual({ Url: issuerUrl, ClientIdList: ['sts.amazonaws.com'] });

    const role = Object.values(resources).find((r) => r.Type === 'AWS::IAM::Role');
    const policy = JSON.parse(role.Properties.AssumeRolePolicyDocument);
    const [statement] = policy.Statement;
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Action: 'sts:AssumeRoleWithWebIdentity',
      Principal: { Federated: 'getatt:JenkinsOidcProvider.Arn' },
      Condition: {
        StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' },
        StringLike: { [`${host}:sub`]: 'job:payments/deploy:build:*' },
      },
    });
  });
});

describe('withAwsIdToken.groovy', () => {
  // Behaviour is tested by running the step under groovy (__tests__/jenkins/); these are the rules of its source.
  test('never interpolates secrets, reads nothing a build can set, registers on the controller', async () => {
    const groovy = await readFile(join(examples, 'vars/withAwsIdToken.groovy'), 'utf8');
    const code = groovy.split('\n').filter((line) => !line.trim().startsWith('//'));
    for (const line of code) {
      expect(line).not.toMatch(/"[^"]*\$\{[^}]*(secret|requestToken|REQUEST_TOKEN)[^}]*\}/i);
      expect(line).not.toMatch(/\bsh\b/); // registration happens on the controller, not in a shell on the agent
      expect(line).not.toMatch(/\benv\./); // withEnv can set any variable
      expect(line).not.toMatch(/\b(withCredentials|httpRequest)\s*\(|\bcurrentBuild\./);
    }
    expect(groovy).toContain("'JENKINS_ID_TOKEN_REQUEST_URL=' + tokenUrl");
    expect(groovy).toContain('MaskPasswordsBuildWrapper');
  });

  test('the Jenkinsfile runs the CLI with the jenkins token source in a single-quoted sh', async () => {
    const jenkinsfile = await readFile(join(examples, 'Jenkinsfile'), 'utf8');
    expect(jenkinsfile).toMatch(/withAwsIdToken\(/);
    expect(jenkinsfile).toMatch(
      /sh 'node dist\/index\.js exec --token-source jenkins --role-to-assume "\$AWS_ROLE_ARN" --aws-region "\$AWS_REGION" -- aws sts get-caller-identity'/,
    );
  });
});
