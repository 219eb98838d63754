/**
 * Templates for doctor tests: one OIDC provider and roles with the given trust policies, written as YAML (block
 * style, so the loader reports lines) into a temporary directory that the caller removes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';

export const GITHUB_URL = 'https://token.actions.githubusercontent.com';
export const GITHUB_HOST = 'token.actions.githubusercontent.com';
export const ACCOUNT = '123456789012';
export const GITHUB_PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB_HOST}`;

export interface RoleSpec {
  policy: Record<string, unknown>;
  maxSessionDuration?: number;
}

export interface TemplateDir {
  dir: string;
  write(name: string, roles: Record<string, RoleSpec>, provider?: { url: string; clientIds?: string[] } | null): string;
  remove(): void;
}

export function templateDir(): TemplateDir {
  const dir = mkdtempSync(join(tmpdir(), 'doctor-'));
  return {
    dir,
    write(name, roles, provider = { url: GITHUB_URL }) {
      const resources: Record<string, unknown> = {};
      if (provider) {
        resources.Provider = {
          Type: 'AWS::IAM::OIDCProvider',
          Properties: { Url: provider.url, ClientIdList: provider.clientIds ?? ['sts.amazonaws.com'] },
        };
      }
      for (const [id, spec] of Object.entries(roles)) {
        resources[id] = {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: id,
            ...(spec.maxSessionDuration ? { MaxSessionDuration: spec.maxSessionDuration } : {}),
            AssumeRolePolicyDocument: spec.policy,
          },
        };
      }
      const file = join(dir, name);
      writeFileSync(file, YAML.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources }));
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A one-statement web-identity trust policy for the provider `arn`. */
export function trust(arn: string, condition?: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: arn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        ...(condition ? { Condition: condition } : {}),
        ...extra,
      },
    ],
  };
}

export function roleArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT}:role/${name}`;
}
