// Template loading: intrinsic functions, parameters, conditions, physical ids, and the errors a template author sees.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../../src/emulator';
import { parseEmulatorConfig } from '../../src/emulator/config';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'emulator-cfn-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const trust = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }],
};

describe('CloudFormation loader', () => {
  it('resolves Ref/Sub/GetAtt/Select/Split/Join/If, pseudo parameters and NoValue', () => {
    const path = file(
      'stack.yml',
      `
Parameters:
  Env: { Type: String, Default: dev, AllowedValues: [dev, prod] }
  Url: { Type: String, Default: 'https://issuer.example.com/tenant' }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Provider:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: !Ref Url
      ClientIdList: [!Join ['.', [sts, !Ref 'AWS::URLSuffix']]]
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub 'app-\${Env}-\${AWS::Region}'
      Path: !If [IsProd, /prod/, !Ref 'AWS::NoValue']
      MaxSessionDuration: 7200
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Federated: !GetAtt Provider.Arn }
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                issuer.example.com/tenant:sub: !Sub '\${!Literal}-\${Role.RoleId}'
  ProdOnly:
    Type: AWS::IAM::Role
    Condition: IsProd
    Properties: { AssumeRolePolicyDocument: ${JSON.stringify(trust)} }
  Topic:
    Type: AWS::SNS::Topic
`,
    );
    const { model, ids, skipped } = buildModel({ templates: [path], region: 'eu-west-1' });
    expect(ids).toEqual({
      Provider: 'arn:aws:iam::123456789012:oidc-provider/issuer.example.com/tenant',
      Role: 'arn:aws:iam::123456789012:role/app-dev-eu-west-1',
    });
    expect(skipped).toEqual([`${path}: Topic (AWS::SNS::Topic)`]);
    const role = model.findRole(ids.Role as string)!;
    expect(role.maxSessionDuration).toBe(7200);
    expect(model.findProviderByArn(ids.Provider as string)?.clientIds).toEqual(['sts.amazonaws.com']);
    const statement = (
      role.trustPolicy as { Statement: Array<{ Condition: { StringEquals: Record<string, string> } }> }
    ).Statement[0]!;
    expect(statement.Condition.StringEquals['issuer.example.com/tenant:sub']).toBe(`${'$'}{Literal}-${role.roleId}`);

    const prod = buildModel({ templates: [{ path, parameters: { Env: 'prod' } }] });
    expect(prod.ids.Role).toBe('arn:aws:iam::123456789012:role/prod/app-prod-us-east-1');
    expect(prod.ids.ProdOnly).toBe('arn:aws:iam::123456789012:role/stack-ProdOnly');
  });

  it('loads JSON templates and gives stable identity pool ids', () => {
    const template = {
      Resources: {
        Provider: {
          Type: 'AWS::IAM::OIDCProvider',
          Properties: { Url: 'https://issuer.example.com', ClientIdList: ['cognito-identity.amazonaws.com'] },
        },
        Pool: {
          Type: 'AWS::Cognito::IdentityPool',
          Properties: { AllowUnauthenticatedIdentities: false, OpenIdConnectProviderARNs: [{ Ref: 'Provider' }] },
        },
        Tags: {
          Type: 'AWS::Cognito::IdentityPoolPrincipalTag',
          Properties: {
            IdentityPoolId: { Ref: 'Pool' },
            IdentityProviderName: 'issuer.example.com',
            UseDefaults: true,
          },
        },
      },
    };
    const path = file('pool.json', JSON.stringify(template));
    const first = buildModel({ templates: [path] });
    const second = buildModel({ templates: [path] });
    expect(first.ids.Pool).toMatch(/^us-east-1:[0-9a-f-]{36}$/);
    expect(second.ids.Pool).toBe(first.ids.Pool);
    expect(first.ids.Tags).toBe(`${first.ids.Pool}|issuer.example.com`);
    const pool = first.model.findIdentityPool(first.ids.Pool as string)!;
    expect(pool.allowClassicFlow).toBeUndefined();
    expect(first.model.findPrincipalTagMap(pool.id, 'issuer.example.com')?.useDefaults).toBe(true);
  });

  it('explains what is wrong with a template', () => {
    const cases: Array<[string, string, RegExp]> = [
      [
        'noparam.yml',
        'Parameters: { X: { Type: String } }\nResources: {}',
        /noparam.yml:1: parameter X: has no Default and no override/,
      ],
      [
        'allowed.yml',
        'Parameters: { X: { Type: String, Default: a, AllowedValues: [b] } }\nResources: {}',
        /parameter X: value 'a' is not one of AllowedValues/,
      ],
      [
        'cycle.yml',
        'Resources:\n  A: { Type: AWS::IAM::Role, Properties: { RoleName: !Ref A, AssumeRolePolicyDocument: {} } }',
        /circular/,
      ],
      [
        'http.yml',
        "Resources:\n  P: { Type: AWS::IAM::OIDCProvider, Properties: { Url: 'http://issuer.example.com', ClientIdList: [a] } }",
        /must use https/,
      ],
      [
        'badref.yml',
        'Resources:\n  R: { Type: AWS::IAM::Role, Properties: { RoleName: !Ref Nope, AssumeRolePolicyDocument: {} } }',
        /badref.yml:2: resource R \(AWS::IAM::Role\) property RoleName: !Ref Nope: no such parameter or resource/,
      ],
      [
        'map.yml',
        'Resources:\n  R: { Type: AWS::IAM::Role, Properties: { RoleName: !FindInMap [M, a, b], AssumeRolePolicyDocument: {} } }',
        /property RoleName: Fn::FindInMap: no mapping M in Mappings/,
      ],
      [
        'nostmt.yml',
        "Resources:\n  R: { Type: AWS::IAM::Role, Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17' } } }",
        /needs a Statement/,
      ],
      [
        'duration.yml',
        `Resources:\n  R: { Type: AWS::IAM::Role, Properties: { MaxSessionDuration: 100, AssumeRolePolicyDocument: ${JSON.stringify(trust)} } }`,
        /MaxSessionDuration/,
      ],
      ['broken.yml', 'Resources: [', /cannot parse template/],
    ];
    for (const [name, text, error] of cases) expect(() => buildModel({ templates: [file(name, text)] })).toThrow(error);
    expect(() => buildModel({ templates: [join(dir, 'missing.yml')] })).toThrow(/cannot read template/);
  });

  it('accepts a loopback http issuer and a port in the condition-key prefix', () => {
    const path = file(
      'loop.yml',
      "Resources:\n  P: { Type: AWS::IAM::OIDCProvider, Properties: { Url: 'http://127.0.0.1:8080/oidc', ClientIdList: [a] } }",
    );
    const { model, ids } = buildModel({ templates: [path] });
    expect(ids.P).toBe('arn:aws:iam::123456789012:oidc-provider/127.0.0.1:8080/oidc');
    expect(model.findProviderByIssuer('123456789012', 'http://127.0.0.1:8080/oidc')?.name).toBe('127.0.0.1:8080/oidc');
  });

  it('refuses one logical id naming two different objects across templates', () => {
    const a = file(
      'a.yml',
      `Resources:\n  R: { Type: AWS::IAM::Role, Properties: { RoleName: one, AssumeRolePolicyDocument: ${JSON.stringify(trust)} } }`,
    );
    const b = file(
      'b.yml',
      `Resources:\n  R: { Type: AWS::IAM::Role, Properties: { RoleName: two, AssumeRolePolicyDocument: ${JSON.stringify(trust)} } }`,
    );
    expect(() => buildModel({ templates: [a, b] })).toThrow(/logical id R is already used/);
  });
});

describe('JSON config', () => {
  it('declares providers, roles, pools and keys', () => {
    const config = parseEmulatorConfig({
      accountId: '111122223333',
      oidcProviders: [{ url: 'https://issuer.example.com', clientIds: ['sts.amazonaws.com'] }],
      roles: [{ name: 'r', path: '/ci/', assumeRolePolicyDocument: JSON.stringify(trust) }],
      identityPools: [
        {
          name: 'pool',
          allowClassicFlow: true,
          openIdConnectProviderArns: ['arn:aws:iam::111122223333:oidc-provider/issuer.example.com'],
          principalTags: [{ providerName: 'issuer.example.com', principalTags: { repo: 'repository' } }],
        },
      ],
      accessKeys: [
        { accessKeyId: 'AKIAEXAMPLE000000001', secretAccessKey: 's', arn: 'arn:aws:iam::111122223333:user/u' },
      ],
    });
    const { model, ids } = buildModel({ config });
    expect(ids).toMatchObject({
      'issuer.example.com': 'arn:aws:iam::111122223333:oidc-provider/issuer.example.com',
      r: 'arn:aws:iam::111122223333:role/ci/r',
    });
    expect(model.findPrincipalTagMap(ids.pool as string, 'issuer.example.com')?.principalTags).toEqual({
      repo: 'repository',
    });
    expect(model.findAccessKey('AKIAEXAMPLE000000001')?.arn).toBe('arn:aws:iam::111122223333:user/u');
  });

  it('names the offending field', () => {
    expect(() => parseEmulatorConfig({ roles: [{ name: 'r' }] })).toThrow(
      'config: roles[0].assumeRolePolicyDocument must be present',
    );
    expect(() => parseEmulatorConfig({ oidcProviders: [{ url: 'https://x', clientIds: [] }] })).toThrow(
      'config: oidcProviders[0].clientIds must be a non-empty array of strings',
    );
    expect(() => parseEmulatorConfig([])).toThrow('config: the top level must be a JSON object');
  });

  it('refuses trust policies IAM would refuse: NotPrincipal, wildcards inside AWS principal ARNs', () => {
    const role = (statement: Record<string, unknown>, asText = false) => {
      const document = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement }],
      };
      return { roles: [{ name: 'r', assumeRolePolicyDocument: asText ? JSON.stringify(document) : document }] };
    };
    expect(() => buildModel({ config: role({ NotPrincipal: { AWS: 'arn:aws:iam::123456789012:user/x' } }) })).toThrow(
      /^role r statement #1: MalformedPolicyDocument: .*NotPrincipal/,
    );
    for (const arn of [
      'arn:aws:iam::*:user/ci',
      'arn:aws:iam::123456789012:user/*',
      'arn:aws:iam::12345678901?:root',
    ]) {
      expect(() => buildModel({ config: role({ Principal: { AWS: arn } }) })).toThrow(
        `role r statement #1: MalformedPolicyDocument: Invalid principal in policy: "AWS":"${arn}"`,
      );
      expect(() => buildModel({ config: role({ Principal: { AWS: ['123456789012', arn] } }, true) })).toThrow(
        'MalformedPolicyDocument',
      );
    }
    for (const aws of ['*', '123456789012', 'arn:aws:iam::123456789012:root', 'arn:aws:iam::123456789012:user/ci']) {
      expect(() => buildModel({ config: role({ Principal: { AWS: aws } }) })).not.toThrow();
    }
    expect(() => buildModel({ config: role({ Principal: '*' }) })).not.toThrow();
  });
});

describe('accounts and role tags', () => {
  const stack = (tags: string, prefix = '') => `
Resources:
  ${prefix}Provider:
    Type: AWS::IAM::OIDCProvider
    Properties: { Url: 'https://issuer.example.com', ClientIdList: [sts.amazonaws.com] }
  ${prefix}Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: edit-audiences
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: Allow, Action: 'iam:*ClientID*', Resource: '*' }] }
  ${prefix}Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: deploy
      ManagedPolicyArns: [!Ref ${prefix}Policy]
      Tags: ${tags}
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Federated: !GetAtt ${prefix}Provider.Arn }
            Action: sts:AssumeRoleWithWebIdentity
            Condition: { StringEquals: { 'issuer.example.com:aud': !Sub 'aud-\${AWS::AccountId}' } }
`;

  it('loads a template into the account it names: ARNs, AWS::AccountId, attachments and tags of that account', () => {
    const target = file(
      'target.yml',
      stack("[{ Key: 'keyless:audience', Value: sts.amazonaws.com }, { Key: n, Value: 7 }]"),
    );
    const home = file('home.yml', stack('[]', 'Home'));
    const { model, ids } = buildModel({ templates: [{ path: target, accountId: '210987654321' }, home] });
    expect(ids).toMatchObject({
      Provider: 'arn:aws:iam::210987654321:oidc-provider/issuer.example.com',
      Policy: 'arn:aws:iam::210987654321:policy/edit-audiences',
      HomeProvider: 'arn:aws:iam::123456789012:oidc-provider/issuer.example.com',
    });
    const role = model.findRole('arn:aws:iam::210987654321:role/deploy');
    expect(role?.tags).toEqual([
      { Key: 'keyless:audience', Value: 'sts.amazonaws.com' },
      { Key: 'n', Value: '7' },
    ]);
    expect(role?.managedPolicyArns).toEqual(['arn:aws:iam::210987654321:policy/edit-audiences']);
    expect(JSON.stringify(role?.trustPolicy)).toContain('aud-210987654321');
    expect(model.findRole('arn:aws:iam::123456789012:role/deploy')?.tags).toEqual([]);
    expect(model.inAccount('210987654321').findRoleNamed('deploy')?.arn).toBe('arn:aws:iam::210987654321:role/deploy');
  });

  it("refuses an identity policy whose grammar IAM refuses (the emulator's IAM access rule judges it later)", () => {
    const path = file(
      'bad-policy.yml',
      stack('[]').replace(
        "Action: 'iam:*ClientID*'",
        "Action: 'iam:*ClientID*', Condition: { NoSuchOperator: { a: b } }",
      ),
    );
    expect(() => buildModel({ templates: [path] })).toThrow(
      /resource Policy \(AWS::IAM::ManagedPolicy\).*MalformedPolicyDocument/,
    );
  });

  it('refuses an account id that is not 12 digits', () => {
    expect(() =>
      buildModel({ templates: [{ path: file('bad-account.yml', stack('[]')), accountId: '12345' }] }),
    ).toThrow("account id '12345' must be 12 digits");
  });

  it.each([
    ["[{ Key: 'aws:team', Value: x }]", /key 'aws:team' uses the prefix aws:/],
    [
      '[{ Key: Team, Value: a }, { Key: team, Value: b }]',
      /duplicate tag key 'team' \(IAM tag keys are unique ignoring case\)/,
    ],
    ["[{ Key: 'a#b', Value: x }]", /key 'a#b' must be 1-128 Unicode letters/],
    [`[{ Key: k, Value: '${'v'.repeat(257)}' }]`, /value of 'k' must be 0-256/],
    [
      `[${Array.from({ length: 51 }, (_, i) => `{ Key: k${i}, Value: v }`).join(', ')}]`,
      /51 tags exceed IAM's limit of 50/,
    ],
    ['[{ Key: k }]', /property Tags\.0: needs Key and Value/],
  ])('refuses role Tags %#, naming the file and resource', (tags, message) => {
    const path = file('tags.yml', stack(tags));
    expect(() => buildModel({ templates: [path] })).toThrow(message);
    expect(() => buildModel({ templates: [path] })).toThrow(/tags\.yml:\d+: resource Role \(AWS::IAM::Role\)/);
  });

  it('JSON config roles carry tags and an account; malformed tags are refused with the entry named', () => {
    const { model } = buildModel({
      config: parseEmulatorConfig({
        roles: [
          {
            name: 'r',
            accountId: '210987654321',
            tags: [{ Key: 'keyless:audience', Value: 'sts.amazonaws.com' }],
            assumeRolePolicyDocument: trust,
          },
        ],
      }),
    });
    expect(model.findRole('arn:aws:iam::210987654321:role/r')?.tags).toEqual([
      { Key: 'keyless:audience', Value: 'sts.amazonaws.com' },
    ]);
    expect(() =>
      parseEmulatorConfig({ roles: [{ name: 'r', assumeRolePolicyDocument: trust, tags: { team: 'x' } }] }),
    ).toThrow('config: roles[0].tags must be an array');
    expect(() =>
      parseEmulatorConfig({ roles: [{ name: 'r', assumeRolePolicyDocument: trust, tags: [{ Key: 'team' }] }] }),
    ).toThrow('config: roles[0].tags[0] must be an object {"Key": "…", "Value": "…"}');
  });
});
