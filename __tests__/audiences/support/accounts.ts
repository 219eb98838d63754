/**
 * Two emulated accounts for the audience automation: CENTRAL (where the Lambda function's execution role lives,
 * and roles acted on directly) and TARGET (a member account with the example automation role,
 * examples/microsoft/audience-automation-role.yml, deployed as a user deploys it).
 *
 *   const world = await startAccounts();   // emulator + keys; world.url, world.keys.central, world.session()
 *   world.iam(keys)                        // a real IAM client to look at the result
 */

import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { AUDIENCE_TAG, PROVIDER_TAG } from '../../../src/audiences/declaration';
import { type Harness, startHarness, stsClient } from '../../emulator/support/emulator';
import { ROOT } from '../../support/run-dist';

export const CENTRAL = '111122223333';
export const TARGET = '444455556666';
export const V2 = 'login.microsoftonline.com/00000000-0000-0000-0000-0000000000aa/v2.0';
export const V1 = 'sts.windows.net/00000000-0000-0000-0000-0000000000aa/';
export const FULL = 'login.microsoftonline.com/00000000-0000-0000-0000-0000000000ff/v2.0';
export const provider = (account: string, name: string) => `arn:aws:iam::${account}:oidc-provider/${name}`;

export const APP = '33333333-3333-3333-3333-333333333333';
export const WILDCARD_APP = '55555555-5555-5555-5555-555555555555';
export const UNUSED_APP = '66666666-6666-6666-6666-666666666666';
export const V1_APP = 'api://legacy-reports';
/** In TARGET's provider, used by no role: the DeleteRole event's prune removes it. */
export const RETIRED_APP = '88888888-8888-8888-8888-888888888888';
export const SP = '22222222-2222-2222-2222-222222222222';
export const AUTOMATION_TEMPLATE = join(ROOT, 'examples', 'microsoft', 'audience-automation-role.yml');
export const LAMBDA_ROLE = 'keyless-aws-audiences-lambda';

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const ROOT_KEYS = {
  central: { accessKeyId: 'AKIAEMULATORCENTRAL1', secretAccessKey: 'central-root-secret-000000000000000000000' },
  target: { accessKeyId: 'AKIAEMULATORTARGET01', secretAccessKey: 'target-root-secret-0000000000000000000000' },
};

const webIdentity = (account: string, name: string, condition?: Record<string, unknown>) => ({
  Effect: 'Allow',
  Principal: { Federated: provider(account, name) },
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...(condition ? { Condition: condition } : {}),
});

const trust = (...statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });
const tags = (account: string, name: string, audience = APP) => [
  { Key: AUDIENCE_TAG, Value: audience },
  { Key: PROVIDER_TAG, Value: provider(account, name) },
  { Key: 'team', Value: 'payments' },
];
const sub = (name: string) => ({ [`${name}:sub`]: SP });

/** A role in TARGET the central role may assume, with the example's permissions minus one action. */
function limitedAutomation(missing: string) {
  const allowed = [
    'iam:GetRole',
    'iam:ListRoles',
    'iam:GetOpenIDConnectProvider',
    'iam:AddClientIDToOpenIDConnectProvider',
    'iam:RemoveClientIDFromOpenIDConnectProvider',
    'iam:UpdateAssumeRolePolicy',
  ].filter((a) => a !== missing);
  return {
    name: 'limited-automation',
    accountId: TARGET,
    assumeRolePolicyDocument: trust({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${CENTRAL}:role/${LAMBDA_ROLE}` },
      Action: 'sts:AssumeRole',
    }),
    inlinePolicies: {
      automation: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: allowed, Resource: '*' }] },
    },
  };
}

export interface Accounts {
  harness: Harness;
  url: string;
  /** Credentials of a session of the central account's automation (Lambda execution) role. */
  lambdaSession(): Promise<Keys>;
  iam(keys: Keys): IAMClient;
  close(): Promise<void>;
}

export async function startAccounts(): Promise<Accounts> {
  const harness = await startHarness({
    accountId: CENTRAL,
    config: {
      accessKeys: [
        { ...ROOT_KEYS.central, arn: `arn:aws:iam::${CENTRAL}:root` },
        { ...ROOT_KEYS.target, arn: `arn:aws:iam::${TARGET}:root` },
      ],
      oidcProviders: [
        { url: `https://${V2}`, clientIds: ['sts.amazonaws.com', WILDCARD_APP, UNUSED_APP] },
        { url: `https://${V1}`, clientIds: [V1_APP, 'api://other'] },
        { url: `https://${FULL}`, clientIds: Array.from({ length: 100 }, (_, i) => `client-${i}`) },
        { url: `https://${V2}`, clientIds: ['sts.amazonaws.com', RETIRED_APP], accountId: TARGET },
      ],
      roles: [
        {
          name: LAMBDA_ROLE,
          assumeRolePolicyDocument: trust({
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${CENTRAL}:root` },
            Action: 'sts:AssumeRole',
          }),
          inlinePolicies: {
            assume: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/*' }],
            },
          },
        },
        // CreateRole'd by a team: sub only; the automation adds the aud.
        {
          name: 'app-deploy',
          tags: tags(CENTRAL, V2),
          assumeRolePolicyDocument: trust(webIdentity(CENTRAL, V2, { StringEquals: sub(V2) })),
        },
        // Uses WILDCARD_APP through StringLike.
        {
          name: 'wildcard-user',
          assumeRolePolicyDocument: trust(
            webIdentity(CENTRAL, V2, { StringEquals: sub(V2), StringLike: { [`${V2}:aud`]: '5555*' } }),
          ),
        },
        // Trusts the v1 provider without any aud condition: uses every audience of it.
        { name: 'open-user', assumeRolePolicyDocument: trust(webIdentity(CENTRAL, V1, { StringEquals: sub(V1) })) },
        // Tagged, but its trust has no sub: the doctor's lint refuses the result.
        {
          name: 'no-sub',
          tags: tags(CENTRAL, V2),
          assumeRolePolicyDocument: trust(webIdentity(CENTRAL, V2, { StringEquals: { [`${V2}:aud`]: APP } })),
        },
        // Tagged, but trusts EC2 only: there is no statement to give the audience to.
        {
          name: 'untrusting',
          tags: tags(CENTRAL, V2),
          assumeRolePolicyDocument: trust({
            Effect: 'Allow',
            Principal: { Service: 'ec2.amazonaws.com' },
            Action: 'sts:AssumeRole',
          }),
        },
        // Its trust is 2,029 characters (white space not counted): with the aud condition it would exceed IAM's
        // ACLSizePerRole quota of 2,048, and IAM refuses the update with LimitExceeded. Declares an audience the v1
        // provider already lists, so the refused update is the only change.
        {
          name: 'sized-trust',
          tags: tags(CENTRAL, V1, V1_APP),
          assumeRolePolicyDocument: trust(
            webIdentity(CENTRAL, V1, {
              StringEquals: {
                [`${V1}:sub`]: Array.from(
                  { length: 44 },
                  (_, i) => `22222222-2222-2222-2222-${String(i).padStart(12, '0')}`,
                ),
              },
            }),
          ),
        },
        // Its provider already holds IAM's 100 client ids.
        {
          name: 'full-user',
          tags: tags(CENTRAL, FULL),
          assumeRolePolicyDocument: trust(webIdentity(CENTRAL, FULL, { StringEquals: sub(FULL) })),
        },
        // The member account's new role, named in the recorded CreateRole event.
        {
          name: 'payments-deploy',
          accountId: TARGET,
          tags: tags(TARGET, V2),
          assumeRolePolicyDocument: trust(webIdentity(TARGET, V2, { StringEquals: sub(V2) })),
        },
        limitedAutomation('iam:AddClientIDToOpenIDConnectProvider'),
      ],
    },
    templates: [{ path: AUTOMATION_TEMPLATE, accountId: TARGET, parameters: { CentralAccountId: CENTRAL } }],
  });
  const url = harness.emulator.url;
  return {
    harness,
    url,
    async lambdaSession() {
      const sts = stsClient(url, ROOT_KEYS.central);
      const out = await sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${CENTRAL}:role/${LAMBDA_ROLE}`, RoleSessionName: 'lambda' }),
      );
      sts.destroy();
      const c = out.Credentials;
      return {
        accessKeyId: c?.AccessKeyId ?? '',
        secretAccessKey: c?.SecretAccessKey ?? '',
        sessionToken: c?.SessionToken ?? '',
      };
    },
    iam: (keys) => new IAMClient({ endpoint: url, region: 'us-east-1', maxAttempts: 1, credentials: keys }),
    close: () => harness.emulator.close(),
  };
}
