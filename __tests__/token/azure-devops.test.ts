import type { KeylessError } from '../../src/errors';
import { parseTokenSettings } from '../../src/settings/parse';
import type { AzureDevOpsSourceSpec } from '../../src/settings/types';
import { azureDevOpsTokenSource } from '../../src/token/azure-devops';
import {
  ENTRA_V2_ISSUER,
  entraConnectionSubject,
  type MicrosoftFake,
  ORG,
  PIPELINE,
  PROJECT,
  startMicrosoftFake,
  TOKEN_EXCHANGE_AUDIENCE,
  VSTOKEN_ISSUER,
} from '../support/microsoft-fake';
import { actionSource, cliSource } from '../support/settings';

let ms: MicrosoftFake;
beforeAll(async () => {
  ms = await startMicrosoftFake();
});
afterAll(() => ms.close());
beforeEach(() => ms.reset());

const PROD = '0f9d7a51-2222-4c3d-8e4f-5a6b7c8d9e01';
const ENTRA_ISSUED = '0f9d7a51-2222-4c3d-8e4f-5a6b7c8d9e02';
const pipelineEnv = () => ({
  TF_BUILD: 'True',
  SYSTEM_OIDCREQUESTURI: ms.adoRequestUri,
  SYSTEM_ACCESSTOKEN: ms.accessToken,
});

function source(overrides: Partial<AzureDevOpsSourceSpec> = {}) {
  return azureDevOpsTokenSource(
    { kind: 'azure-devops', url: ms.adoRequestUri, accessToken: ms.accessToken, ...overrides },
    { timeoutMs: 2000 },
  );
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: KeylessError) => error,
  );

describe('azure-devops token source against the Azure Pipelines OIDC endpoint', () => {
  it('POSTs api-version=7.1 and serviceConnectionId with the bearer and the headers the service requires', async () => {
    const token = await source({ serviceConnectionId: PROD })();
    const [request] = ms.requests;
    expect(request?.method).toBe('POST');
    expect(request?.query.get('api-version')).toBe('7.1');
    expect(request?.query.get('serviceConnectionId')).toBe(PROD);
    expect(request?.headers['x-tfs-fedauthredirect']).toBe('Suppress');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(token.claims).toMatchObject({
      iss: VSTOKEN_ISSUER,
      sub: `sc://${ORG}/${PROJECT}/aws-prod`,
      aud: TOKEN_EXCHANGE_AUDIENCE,
    });
  });

  it('without a service connection: the pipeline token (sub p://org/project/pipeline)', async () => {
    const token = await source()();
    expect(ms.requests[0]?.query.has('serviceConnectionId')).toBe(false);
    expect(token.claims.sub).toBe(`p://${ORG}/${PROJECT}/${PIPELINE}`);
  });

  it('the Entra-issued form: iss login.microsoftonline.com/<tenant>/v2.0, sub /eid1/c/pub/t/…/sc/<org id>/<id>', async () => {
    const token = await source({ serviceConnectionId: ENTRA_ISSUED })();
    expect(token.claims.iss).toBe(ENTRA_V2_ISSUER);
    expect(token.claims.sub).toBe(entraConnectionSubject(ENTRA_ISSUED));
  });

  it('an expired System.AccessToken: its own first line, the YAML to map this job’s token, request ids', async () => {
    ms.expireAccessToken();
    const error = await failure(source({ serviceConnectionId: PROD })());
    expect(error.code).toBe('AzureDevOpsAccessTokenRejected');
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(
      /^The Azure Pipelines OIDC token endpoint refused SYSTEM_ACCESSTOKEN \(HTTP 401\): it has expired/,
    );
    expect(error.hint).toContain('SYSTEM_ACCESSTOKEN: $(System.AccessToken)');
    expect(error.details).toContain('x-vss-e2eid');
    expect(`${error.message}${error.hint}${error.details}`).not.toContain(ms.accessToken);
  });

  it('an unknown service connection: its own first line naming the setting, with what Azure DevOps said', async () => {
    const error = await failure(source({ serviceConnectionId: '0f9d7a51-2222-4c3d-8e4f-5a6b7c8d9eff' })());
    expect(error.code).toBe('AzureDevOpsServiceConnectionRejected');
    expect(error.message).toContain('service connection 0f9d7a51-2222-4c3d-8e4f-5a6b7c8d9eff (HTTP 400)');
    expect(error.message).toContain(
      ": \"The service connection with id '0f9d7a51-2222-4c3d-8e4f-5a6b7c8d9eff' does not",
    );
    expect(error.hint).toMatch(/--azure-service-connection-id/);
  });
});

describe('azure-devops settings', () => {
  it('auto picks Azure Pipelines from TF_BUILD + SYSTEM_OIDCREQUESTURI; the id comes from the AzureCLI@2 variable', () => {
    const settings = parseTokenSettings(
      cliSource({}, { ...pipelineEnv(), AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: PROD }),
    );
    expect(settings.source).toEqual({
      kind: 'azure-devops',
      url: ms.adoRequestUri,
      accessToken: ms.accessToken,
      serviceConnectionId: PROD,
    });
  });

  it('SYSTEM_ACCESSTOKEN not mapped: the error names the YAML lines to add, in auto and explicit mode', () => {
    for (const flags of [{}, { 'token-source': 'azure-devops' }]) {
      const env = { ...pipelineEnv(), SYSTEM_ACCESSTOKEN: undefined };
      let error: KeylessError | undefined;
      try {
        parseTokenSettings(cliSource(flags, env));
      } catch (e) {
        error = e as KeylessError;
      }
      expect(error?.code).toBe('AzureDevOpsAccessTokenMissing');
      expect(error?.message).toMatch(/^SYSTEM_ACCESSTOKEN is not in this step's environment/);
      expect(error?.hint).toBe(
        'Add to the step that runs keyless-aws:\n  env:\n    SYSTEM_ACCESSTOKEN: $(System.AccessToken)',
      );
    }
  });

  it('a connection name instead of its id is refused before any request, naming the flag', () => {
    expect(() => parseTokenSettings(cliSource({ 'azure-service-connection-id': 'aws-prod' }, pipelineEnv()))).toThrow(
      /^--azure-service-connection-id must be a service connection id \(a GUID/,
    );
    expect(ms.requests).toEqual([]);
  });

  it('in the action, the service connection comes from the input only', () => {
    const settings = parseTokenSettings(
      actionSource({ 'token-source': 'azure-devops' }, { ...pipelineEnv(), AZURE_SERVICE_CONNECTION_ID: PROD }),
    );
    expect(settings.source).not.toHaveProperty('serviceConnectionId');
  });
});
