/**
 * The Microsoft examples end to end, black-box: examples/microsoft/entra-id.yml and examples/microsoft/azure-devops.yml
 * loaded by the emulator unchanged (production issuers mapped to loopback Microsoft issuers), then dist/index.js
 * fetching the token from loopback Azure DevOps / IMDS / Entra exactly as in the pipeline or on the VM and assuming
 * the role; the Landing Zone Accelerator entry (lza/customizations-config.yaml) names that template and its parameters.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { buildModel, type RunningEmulator, startEmulator } from '../../src/emulator';
import { type CliRun, cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { createTestIssuer } from '../support/jwt';
import { assertNoSecretLeak } from '../support/leak-check';
import {
  AKS_ISSUER,
  AKS_SUBJECT,
  AWS_APP_V1,
  AWS_APP_V2,
  ENTRA_V1_ISSUER,
  ENTRA_V2_ISSUER,
  entraConnectionSubject,
  type MicrosoftFake,
  ORG,
  PROJECT,
  SYSTEM_IDENTITY,
  startMicrosoftFake,
  TENANT,
  TOKEN_EXCHANGE_AUDIENCE,
  USER_IDENTITY,
  VSTOKEN_ISSUER,
} from '../support/microsoft-fake';
import { EXAMPLES, parseExample, readExample } from './support/examples';

const ENTRA = join(EXAMPLES, 'microsoft', 'entra-id.yml');
const AZURE_DEVOPS = join(EXAMPLES, 'microsoft', 'azure-devops.yml');
const PROD = '0f9d7a51-2222-4c3d-8e4f-5a6b7c8d9e01';
const ENTRA_ISSUED = '0f9d7a51-2222-4c3d-8e4f-5a6b7c8d9e02';
const AKS_APP = { clientId: '22222222-0000-4000-8000-000000000003', objectId: '99999999-0000-4000-8000-000000000003' };

let ms: MicrosoftFake;
/** v2 Entra provider (system-assigned identity) and Azure DevOps vstoken provider (service connection aws-prod). */
let v2: RunningEmulator;
/** v1 Entra provider (AKS workload) and an Entra-issued Azure DevOps service connection. */
let v1: RunningEmulator;
let dir: string;

beforeAll(async () => {
  ms = await startMicrosoftFake({
    apps: [
      { ...AKS_APP, federated: [{ issuer: AKS_ISSUER, subject: AKS_SUBJECT, audience: TOKEN_EXCHANGE_AUDIENCE }] },
    ],
  });
  const map = ms.issuerMap();
  v2 = await startEmulator({
    log: () => {},
    templates: [
      {
        path: ENTRA,
        parameters: {
          IssuerUrl: ENTRA_V2_ISSUER,
          Audience: AWS_APP_V2.clientId,
          ClientId: SYSTEM_IDENTITY.clientId,
          WorkloadObjectId: SYSTEM_IDENTITY.objectId,
        },
      },
      {
        path: AZURE_DEVOPS,
        parameters: { IssuerUrl: VSTOKEN_ISSUER, Organization: ORG, Project: PROJECT, ServiceConnection: 'aws-prod' },
      },
    ],
    issuers: { [ENTRA_V2_ISSUER]: map[ENTRA_V2_ISSUER] as string, [VSTOKEN_ISSUER]: map[VSTOKEN_ISSUER] as string },
  });
  v1 = await startEmulator({
    log: () => {},
    templates: [
      {
        path: ENTRA,
        parameters: {
          IssuerUrl: ENTRA_V1_ISSUER,
          Audience: AWS_APP_V1.appIdUri,
          ClientId: '',
          WorkloadObjectId: AKS_APP.objectId,
        },
      },
      { path: AZURE_DEVOPS, parameters: { IssuerUrl: ENTRA_V2_ISSUER, Subject: entraConnectionSubject(ENTRA_ISSUED) } },
    ],
    issuers: { [ENTRA_V1_ISSUER]: map[ENTRA_V1_ISSUER] as string, [ENTRA_V2_ISSUER]: map[ENTRA_V2_ISSUER] as string },
  });
  dir = mkdtempSync(join(tmpdir(), 'ms-examples-'));
}, 30_000);

afterAll(async () => {
  await v2?.close();
  await v1?.close();
  await ms?.close();
  cleanupCliDirs();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => ms.reset());

function credentials(
  emulator: RunningEmulator,
  role: string,
  flags: string[],
  env: Record<string, string | undefined>,
): Promise<CliRun> {
  const args = ['env', '--format', 'json', '--role-to-assume', emulator.ids[role] as string];
  return runCli([...args, '--aws-region', 'us-east-1', '--sts-endpoint', emulator.url, '--disable-retry', ...flags], {
    env: { ...cliEnv(cliDir()), ...env },
  });
}

function assumed(run: CliRun): Record<string, string> {
  expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
  const vars = JSON.parse(run.stdout) as Record<string, string>;
  expect(vars.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
  return vars;
}

const pipeline = (extra: Record<string, string> = {}) => ({
  TF_BUILD: 'True',
  SYSTEM_OIDCREQUESTURI: ms.adoRequestUri,
  SYSTEM_ACCESSTOKEN: ms.accessToken,
  ...extra,
});

describe('azure-devops.yml with --token-source azure-devops (auto-detected in the pipeline)', () => {
  it('a job of the trusted service connection (vstoken issuer, sub sc://org/project/connection) gets credentials', async () => {
    const run = await credentials(
      v2,
      'AzureDevOpsDeployRole',
      [],
      pipeline({ AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: PROD }),
    );
    assumed(run);
    expect(ms.requests[0]?.query.get('serviceConnectionId')).toBe(PROD);
    assertNoSecretLeak(run.stdout + run.stderr, [ms.accessToken]);
  });

  it('the pipeline token (no service connection) is refused by the role', async () => {
    const run = await credentials(v2, 'AzureDevOpsDeployRole', [], pipeline());
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`p://${ORG}/${PROJECT}/`);
  });

  it('the Entra-issued form of a connection: iss login.microsoftonline.com/<tenant>/v2.0, sub /eid1/…', async () => {
    const run = await credentials(
      v1,
      'AzureDevOpsDeployRole',
      ['--azure-service-connection-id', ENTRA_ISSUED],
      pipeline(),
    );
    assumed(run);
  });

  it('System.AccessToken not mapped: exit 3, the first line says so and the YAML to add follows', async () => {
    const run = await credentials(v2, 'AzureDevOpsDeployRole', [], { ...pipeline(), SYSTEM_ACCESSTOKEN: undefined });
    expect(run.code).toBe(3);
    expect(run.stderr.split('\n')[0]).toMatch(/SYSTEM_ACCESSTOKEN is not in this step's environment/);
    expect(run.stderr).toContain('SYSTEM_ACCESSTOKEN: $(System.AccessToken)');
    expect(ms.requests).toEqual([]);
  });

  it('an expired System.AccessToken: exit 3 with its own first line', async () => {
    ms.expireAccessToken();
    const run = await credentials(
      v2,
      'AzureDevOpsDeployRole',
      [],
      pipeline({ AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: PROD }),
    );
    expect(run.code).toBe(3);
    expect(run.stderr.split('\n')[0]).toMatch(/refused SYSTEM_ACCESSTOKEN \(HTTP 401\): it has expired/);
    assertNoSecretLeak(run.stdout + run.stderr, [ms.accessToken]);
  });

  it('`token` shows the claims and the keys the trust policy compares', async () => {
    const run = await runCli(['token', '--token-source', 'azure-devops', '--azure-service-connection-id', PROD], {
      env: { ...cliEnv(cliDir()), ...pipeline() },
    });
    expect(run.code).toBe(0);
    const host = VSTOKEN_ISSUER.replace('https://', '');
    expect(run.stdout).toContain(`${host}:aud = ${TOKEN_EXCHANGE_AUDIENCE}`);
    expect(run.stdout).toContain(`${host}:sub = sc://${ORG}/${PROJECT}/aws-prod`);
  });
});

describe('entra-id.yml with --token-source entra', () => {
  const imds = { AZURE_POD_IDENTITY_AUTHORITY_HOST: '' };
  beforeEach(() => {
    imds.AZURE_POD_IDENTITY_AUTHORITY_HOST = ms.url;
  });

  it('v2: the VM’s managed identity (IMDS) gets credentials; ClientIdList holds its client id (azp)', async () => {
    const run = await credentials(
      v2,
      'EntraWorkloadRole',
      ['--token-source', 'entra', '--entra-resource', AWS_APP_V2.appIdUri],
      imds,
    );
    assumed(run);
    expect(ms.requests[0]?.path).toBe('/metadata/identity/oauth2/token');
  });

  it('v2: another identity on the same VM (user-assigned) is refused by the role', async () => {
    const run = await credentials(
      v2,
      'EntraWorkloadRole',
      ['--token-source', 'entra', '--entra-resource', AWS_APP_V2.appIdUri, '--entra-client-id', USER_IDENTITY.clientId],
      imds,
    );
    expect(run.code).toBe(4);
  });

  it('a resource whose manifest yields v1 tokens where the provider is v2: refused, naming the v1 issuer', async () => {
    const run = await credentials(
      v2,
      'EntraWorkloadRole',
      ['--token-source', 'entra', '--entra-resource', AWS_APP_V1.appIdUri],
      imds,
    );
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(ENTRA_V1_ISSUER);
    expect(run.stderr).toContain(
      `This is an Entra ID v1 token. If the provider is ${ENTRA_V2_ISSUER}, set requestedAccessTokenVersion to 2`,
    );
  });

  it('v1 (iss https://sts.windows.net/<tenant>/ with its slash): AKS workload identity gets credentials', async () => {
    const issuer = await createTestIssuer(AKS_ISSUER);
    const file = join(dir, 'azure-identity-token');
    writeFileSync(file, await issuer.sign({ sub: AKS_SUBJECT, aud: [TOKEN_EXCHANGE_AUDIENCE] }, { expiresIn: 3600 }));
    const run = await credentials(
      v1,
      'EntraWorkloadRole',
      ['--token-source', 'entra', '--entra-resource', AWS_APP_V1.appIdUri],
      {
        AZURE_FEDERATED_TOKEN_FILE: file,
        AZURE_CLIENT_ID: AKS_APP.clientId,
        AZURE_TENANT_ID: TENANT,
        AZURE_AUTHORITY_HOST: ms.url,
      },
    );
    assumed(run);
    expect(ms.requests[0]?.path).toBe(`/${TENANT}/oauth2/v2.0/token`);
  });

  it('`token` shows the v1 keys with the trailing slash in the provider name', async () => {
    const run = await runCli(['token', '--token-source', 'entra', '--entra-resource', AWS_APP_V1.appIdUri], {
      env: { ...cliEnv(cliDir()), ...imds },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`sts.windows.net/${TENANT}/:aud = ${AWS_APP_V1.appIdUri}`);
    expect(run.stdout).toContain(`sts.windows.net/${TENANT}/:sub = ${SYSTEM_IDENTITY.objectId}`);
  });
});

describe('lza/customizations-config.yaml: the Landing Zone Accelerator StackSet entry', () => {
  const config = YAML.parse(readExample('microsoft/lza/customizations-config.yaml')) as {
    customizations: { cloudFormationStackSets: Array<Record<string, unknown>> };
  };
  const entry = config.customizations.cloudFormationStackSets[0] as Record<string, unknown>;
  const declared = parseExample('microsoft/entra-id.yml').Parameters as Record<string, unknown>;

  it('names the entra-id.yml template, one region (IAM is global), an OU and CAPABILITY_IAM', () => {
    expect(String(entry.template).split('/').pop()).toBe('entra-id.yml');
    expect(entry.regions).toHaveLength(1);
    expect((entry.deploymentTargets as { organizationalUnits: string[] }).organizationalUnits.length).toBeGreaterThan(
      0,
    );
    expect(entry.capabilities).toEqual(['CAPABILITY_IAM']);
  });

  it('passes only parameters the template declares, and the template loads with them', () => {
    const parameters = entry.parameters as Array<{ name: string; value: string }>;
    expect(parameters.map((p) => p.name).filter((name) => !(name in declared))).toEqual([]);
    const values = Object.fromEntries(parameters.map((p) => [p.name, p.value]));
    const { model, skipped } = buildModel({ templates: [{ path: ENTRA, parameters: values }] });
    expect(skipped).toEqual([]);
    expect(model.listProviders().map((p) => p.url)).toEqual([values.IssuerUrl]);
  });
});
