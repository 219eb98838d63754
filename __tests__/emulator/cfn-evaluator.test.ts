// Every CloudFormation construct AWS accepts in IAM/Cognito templates is evaluated (YAML short form and JSON long
// form alike) or refused with a message naming the construct, the resource and the line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../../src/emulator';
import { parseTemplateText } from '../../src/emulator/cloudformation';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'emulator-cfn-eval-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Doc {
  Statement: Array<{
    Principal: { Federated: string };
    Condition: Record<string, Record<string, string>>;
    Resource: string;
  }>;
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const CONSTRUCTS = `
AWSTemplateFormatVersion: "2010-09-09"
Description: every construct of the IAM/Cognito resource types
Metadata:
  AWS::CloudFormation::Interface: { ParameterGroups: [] }
Parameters:
  Env: { Type: String, Default: dev, AllowedValues: [dev, prod] }
  ExistingProviderArn: { Type: String, Default: "" }
  Repos: { Type: CommaDelimitedList, Default: "app,infra" }
Mappings:
  Audience:
    dev: { Value: sts.amazonaws.com }
    prod: { Value: sts.amazonaws.com }
Conditions:
  CreateProvider: !Equals [!Ref ExistingProviderArn, ""]
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  DevWithProvider: !And [!Condition IsDev, !Condition CreateProvider]
  AnyEnv: !Or [!Condition IsProd, !Condition IsDev]
Resources:
  Provider:
    Type: AWS::IAM::OIDCProvider
    Condition: CreateProvider
    Metadata: { Note: ignored by CloudFormation too }
    Properties:
      Url: https://token.actions.githubusercontent.com
      ClientIdList: [!FindInMap [Audience, !Ref Env, Value]]
      ThumbprintList: [!If [IsProd, "1111111111111111111111111111111111111111", !Ref "AWS::NoValue"]]
  Bucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: !Join ["-", [read, !Ref Env, !Select [0, !GetAZs ""]]]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: !Sub ["\${Arn}/*", { Arn: !GetAtt Bucket.Arn }]
  Role:
    Type: AWS::IAM::Role
    DependsOn: [Policy]
    Properties:
      RoleName: !Sub "deploy-\${Env}-\${AWS::Region}-\${AWS::Partition}"
      Description: !Base64 "hi"
      ManagedPolicyArns: [!Ref Policy, arn:aws:iam::aws:policy/ReadOnlyAccess]
      Policies:
        - PolicyName: inline
          PolicyDocument: { Statement: [{ Effect: Allow, Action: "sts:GetCallerIdentity", Resource: "*" }] }
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Federated: !If [CreateProvider, !GetAtt Provider.Arn, !Ref ExistingProviderArn]
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:aud: sts.amazonaws.com
              StringLike:
                token.actions.githubusercontent.com:sub: !Sub
                  - "repo:acme/\${Repo}:*"
                  - Repo: !Select [0, !Ref Repos]
  ExtraPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [!Ref Role]
      PolicyDocument: { Statement: [{ Effect: Allow, Action: "s3:ListBucket", Resource: !GetAtt Bucket.Arn }] }
  RolePolicy:
    Type: AWS::IAM::RolePolicy
    Condition: DevWithProvider
    Properties:
      RoleName: !Ref Role
      PolicyName: dev-only
      PolicyDocument: { Statement: [{ Effect: Allow, Action: "logs:*", Resource: "*" }] }
  ProdOnly:
    Type: AWS::IAM::Role
    Condition: IsProd
    Properties:
      AssumeRolePolicyDocument: { Statement: [{ Effect: Allow, Principal: { AWS: !Ref "AWS::AccountId" }, Action: sts:AssumeRole }] }
Outputs:
  RoleArn:
    Value: !GetAtt Role.Arn
    Export: { Name: !Sub "\${AWS::StackName}-RoleArn" }
  ProviderArn:
    Condition: CreateProvider
    Value: !Ref Provider
  ProdRole:
    Condition: IsProd
    Value: !GetAtt ProdOnly.Arn
  Anything:
    Condition: AnyEnv
    Value: !Join [",", !Ref "AWS::NotificationARNs"]
`;

describe('CloudFormation constructs', () => {
  it('evaluates mappings, conditions, Fn::If/NoValue, Sub variable maps and attaches every policy kind', () => {
    const path = file('constructs.yml', CONSTRUCTS);
    const { model, ids, outputs, skipped } = buildModel({ templates: [path] });
    const roleArn = 'arn:aws:iam::123456789012:role/deploy-dev-us-east-1-aws';
    const policyArn = 'arn:aws:iam::123456789012:policy/read-dev-us-east-1a';
    expect(ids).toMatchObject({
      Provider: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      Role: roleArn,
      Policy: policyArn,
    });
    expect(ids.ProdOnly).toBeUndefined();
    expect(skipped).toEqual([`${path}: Bucket (AWS::S3::Bucket)`]);
    const role = model.findRole(roleArn)!;
    expect(role.managedPolicyArns).toEqual([policyArn, 'arn:aws:iam::aws:policy/ReadOnlyAccess']);
    expect(Object.keys(role.inlinePolicies).sort()).toEqual(['dev-only', 'extra', 'inline']);
    const statement = (role.trustPolicy as Doc).Statement[0]!;
    expect(statement.Principal.Federated).toBe(ids.Provider);
    expect(statement.Condition.StringLike?.['token.actions.githubusercontent.com:sub']).toBe('repo:acme/app:*');
    const policy = model.findManagedPolicy(policyArn)!;
    expect((policy.document as Doc).Statement[0]?.Resource).toBe('constructs-Bucket.Arn/*');
    expect(model.findProviderByArn(ids.Provider as string)?.clientIds).toEqual(['sts.amazonaws.com']);
    expect(outputs[path]).toEqual({ RoleArn: roleArn, ProviderArn: ids.Provider, Anything: '' });

    // Other parameter values take the other branches: no provider (existing ARN), the prod role, no dev policy.
    const existing = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    const prod = buildModel({
      templates: [{ path, parameters: { Env: 'prod', ExistingProviderArn: existing } }],
    });
    expect(prod.ids.Provider).toBeUndefined();
    expect(prod.ids.ProdOnly).toBe('arn:aws:iam::123456789012:role/constructs-ProdOnly');
    const prodRole = prod.model.findRole('arn:aws:iam::123456789012:role/deploy-prod-us-east-1-aws')!;
    expect((prodRole.trustPolicy as Doc).Statement[0]?.Principal.Federated).toBe(existing);
    expect(Object.keys(prodRole.inlinePolicies).sort()).toEqual(['extra', 'inline']);
    expect(prod.outputs[path]).toEqual({
      RoleArn: prodRole.arn,
      ProdRole: prod.ids.ProdOnly,
      Anything: '',
    });
  });

  it('loads the JSON long form of the same template to the same model', () => {
    const yamlPath = file('same.yml', CONSTRUCTS);
    const jsonPath = file('same.json', JSON.stringify(parseTemplateText(CONSTRUCTS, 'x.yml')));
    const fromYaml = buildModel({ templates: [yamlPath] });
    const fromJson = buildModel({ templates: [jsonPath] });
    expect(fromJson.ids).toEqual(fromYaml.ids);
    expect(fromJson.model.listRoles()).toEqual(fromYaml.model.listRoles());
    expect(fromJson.model.listManagedPolicies()).toEqual(fromYaml.model.listManagedPolicies());
  });

  it('refuses, by name, the constructs it cannot evaluate', () => {
    const role = (property: string) =>
      `Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: { Statement: [] }\n      ${property}\n`;
    const cases: Array<[string, string, RegExp]> = [
      [
        'import.yml',
        role('RoleName: !ImportValue shared-role-name'),
        /import\.yml:6: resource R \(AWS::IAM::Role\) property RoleName: Fn::ImportValue reads another stack's export, which the emulator cannot see; pass the value as a parameter instead/,
      ],
      [
        'serverless.yml',
        `Transform: AWS::Serverless-2016-10-31\n${role('Path: /')}`,
        /serverless\.yml:1: Transform: Transform AWS::Serverless-2016-10-31 is not applied by the emulator/,
      ],
      [
        'length.yml',
        role('MaxSessionDuration: !Length [a, b]'),
        /property MaxSessionDuration: Fn::Length needs Transform AWS::LanguageExtensions/,
      ],
      [
        'json.yml',
        role('Description: !ToJsonString { a: b }'),
        /property Description: Fn::ToJsonString needs Transform AWS::LanguageExtensions/,
      ],
      [
        'cidr.yml',
        role('Description: !Select [0, !Cidr [10.0.0.0/16, 2, 8]]'),
        /property Description: Fn::Cidr is not evaluated by the emulator/,
      ],
      [
        'equals.yml',
        role('Description: !Equals [a, a]'),
        /property Description: Fn::Equals is only allowed in the Conditions section/,
      ],
      [
        'rules.yml',
        `Rules: { R1: { Assertions: [] } }\n${role('Path: /')}`,
        /rules\.yml:1: Rules: Rules are not evaluated by the emulator/,
      ],
      [
        'unknownfn.json',
        JSON.stringify({
          Resources: {
            R: {
              Type: 'AWS::IAM::Role',
              Properties: { AssumeRolePolicyDocument: { Statement: [] }, Path: { 'Fn::Nope': 'x' } },
            },
          },
        }),
        /unknownfn\.json:1: resource R \(AWS::IAM::Role\) property Path: unknown intrinsic function Fn::Nope/,
      ],
      [
        'findinmap.yml',
        `Mappings: { M: { a: { b: c } } }\n${role('Path: !FindInMap [M, a, x]')}`,
        /property Path: Fn::FindInMap: mapping M has no a\.x/,
      ],
      ['ifcond.yml', role('Path: !If [Nope, /, /]'), /property Path: Fn::If refers to unknown condition Nope/],
    ];
    for (const [name, text, error] of cases) expect(() => buildModel({ templates: [file(name, text)] })).toThrow(error);
  });
});
