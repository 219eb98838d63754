// cfn-lint-equivalent checks in the loader: each error names the file, line, resource and property at fault.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../../src/emulator';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'emulator-cfn-checks-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function load(name: string, text: string) {
  const path = join(dir, name);
  writeFileSync(path, text);
  return buildModel({ templates: [path] });
}

const ROLE = `  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: { Statement: [{ Effect: Allow, Principal: { AWS: "123456789012" }, Action: sts:AssumeRole }] }
`;

describe('loader checks', () => {
  it('refuses what cfn-lint refuses, naming file, line, resource and property', () => {
    const cases: Array<[string, string, RegExp]> = [
      [
        'type.yml',
        'Resources:\n  R:\n    Type: AWS::IAM::Rolle\n',
        /type\.yml:3: resource R \(AWS::IAM::Rolle\) Type: unknown resource type AWS::IAM::Rolle/,
      ],
      [
        'typename.yml',
        'Resources:\n  R:\n    Type: S3Bucket\n',
        /resource R \(S3Bucket\) Type: 'S3Bucket' is not a resource type name/,
      ],
      [
        'required.yml',
        'Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: { RoleName: r }\n',
        /required\.yml:2: resource R \(AWS::IAM::Role\): required property AssumeRolePolicyDocument is missing/,
      ],
      [
        'pool.yml',
        'Resources:\n  P:\n    Type: AWS::Cognito::IdentityPool\n    Properties: { AllowClassicFlow: true }\n',
        /resource P \(AWS::Cognito::IdentityPool\): required property AllowUnauthenticatedIdentities is missing/,
      ],
      [
        'unknown.yml',
        `Resources:\n${ROLE}      MaxSessionDurationn: 3600\n`,
        /unknown\.yml:6: resource Role \(AWS::IAM::Role\) property MaxSessionDurationn: unknown property/,
      ],
      [
        'getatt.yml',
        `Resources:\n${ROLE}      Description: !GetAtt Role.Name\n`,
        /getatt\.yml:6: resource Role \(AWS::IAM::Role\) property Description: !GetAtt Role\.Name: AWS::IAM::Role has no attribute Name/,
      ],
      [
        'getatt-s3.yml',
        `Resources:\n  B: { Type: AWS::S3::Bucket }\n${ROLE}      Description: !Sub "\${B.Name}"\n`,
        /property Description: !GetAtt B\.Name: AWS::S3::Bucket has no attribute Name/,
      ],
      [
        'getatt-missing.yml',
        `Resources:\n${ROLE}      Description: !GetAtt Nope.Arn\n`,
        /property Description: !GetAtt Nope\.Arn: no such resource/,
      ],
      [
        'ref.yml',
        `Resources:\n${ROLE}      Path: !Sub "/\${Team}/"\n`,
        /ref\.yml:6: resource Role \(AWS::IAM::Role\) property Path: !Ref Team: no such parameter or resource/,
      ],
      [
        'unmodelled-ref.yml',
        `Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: { BucketName: !Ref Missing }\n${ROLE}`,
        /unmodelled-ref\.yml:4: resource B \(AWS::S3::Bucket\) property BucketName: !Ref Missing: no such parameter or resource/,
      ],
      [
        'depends.yml',
        `Resources:\n${ROLE}    DependsOn: [Ghost]\n`,
        /depends\.yml:6: resource Role \(AWS::IAM::Role\) DependsOn: DependsOn Ghost is not another resource/,
      ],
      [
        'attr.yml',
        `Resources:\n${ROLE}    Dependson: [Role]\n`,
        /resource Role \(AWS::IAM::Role\) Dependson: unknown resource attribute Dependson/,
      ],
      [
        'section.yml',
        `Resource: {}\nResources:\n${ROLE}`,
        /section\.yml:1: Resource: unknown template section Resource/,
      ],
      [
        'cond.yml',
        `Resources:\n${ROLE}    Condition: Missing\n`,
        /resource Role \(AWS::IAM::Role\) Condition: condition Missing is not declared in Conditions/,
      ],
      [
        'condref.yml',
        `Conditions:\n  A: !Not [!Condition B]\nResources:\n${ROLE}`,
        /condref\.yml:2: condition A: condition B is not declared in Conditions/,
      ],
      [
        'output.yml',
        `Resources:\n${ROLE}Outputs:\n  O: { Value: !GetAtt Role.Nope }\n`,
        /output O: !GetAtt Role\.Nope: AWS::IAM::Role has no attribute Nope/,
      ],
    ];
    // JSON templates get lines too: the unknown property is on line 9 of the pretty-printed file.
    const json = {
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: { AssumeRolePolicyDocument: { Statement: [] }, Pathh: '/' },
        },
      },
    };
    cases.push([
      'unknown.json',
      JSON.stringify(json, null, 2),
      /unknown\.json:9: resource Role \(AWS::IAM::Role\) property Pathh: unknown property/,
    ]);
    for (const [name, text, error] of cases) expect(() => load(name, text)).toThrow(error);
  });

  it('loads resources it does not model, with a note, and their known attributes', () => {
    const { skipped, model, ids } = load(
      'mixed.yml',
      `Resources:\n  Queue: { Type: AWS::SQS::Queue }\n  Thing: { Type: AWS::Some::Future::MODULE }\n  Custom: { Type: Custom::Setup }\n${ROLE}      Path: !Sub "/\${Queue.QueueName}/"\n`,
    );
    expect(skipped.map((s) => s.replace(/^.*: /, ''))).toEqual([
      'Queue (AWS::SQS::Queue)',
      'Thing (AWS::Some::Future::MODULE)',
      'Custom (Custom::Setup)',
    ]);
    // A modelled resource may read a known attribute of an unmodelled one; the value is a stable placeholder.
    expect(ids.Role).toBe('arn:aws:iam::123456789012:role/mixed-Queue.QueueName/mixed-Role');
    expect(model.findRole(ids.Role as string)).toBeDefined();
  });

  it('notes identity pool login sources it does not emulate instead of dropping them silently', () => {
    const { skipped } = load(
      'pool-sources.yml',
      'Resources:\n  Pool:\n    Type: AWS::Cognito::IdentityPool\n    Properties:\n      AllowUnauthenticatedIdentities: false\n      SupportedLoginProviders: { accounts.google.com: app-id }\n',
    );
    expect(skipped.map((s) => s.replace(/^.*\.yml: /, ''))).toEqual([
      'Pool.SupportedLoginProviders (not emulated: GetId refuses logins from these providers)',
    ]);
  });
});
