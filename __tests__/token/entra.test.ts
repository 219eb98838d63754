import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeylessError } from '../../src/errors';
import { parseTokenSettings } from '../../src/settings/parse';
import { createTokenSource } from '../../src/token';
import { createTestIssuer } from '../support/jwt';
import {
  AKS_ISSUER,
  AKS_SUBJECT,
  AWS_APP_V1,
  AWS_APP_V2,
  ENTRA_V1_ISSUER,
  ENTRA_V2_ISSUER,
  type MicrosoftFake,
  rsaCertificate,
  SYSTEM_IDENTITY,
  startMicrosoftFake,
  TENANT,
  TOKEN_EXCHANGE_AUDIENCE,
  USER_IDENTITY,
} from '../support/microsoft-fake';
import { actionSource, cliSource } from '../support/settings';

const AKS_APP = { clientId: '22222222-0000-4000-8000-000000000003', objectId: '99999999-0000-4000-8000-000000000003' };
const CERT_APP = { clientId: '22222222-0000-4000-8000-000000000004', objectId: '99999999-0000-4000-8000-000000000004' };
const certificate = rsaCertificate();
const other = rsaCertificate();

let ms: MicrosoftFake;
let dir: string;
beforeAll(async () => {
  ms = await startMicrosoftFake({
    apps: [
      {
        ...AKS_APP,
        federated: [{ issuer: AKS_ISSUER, subject: AKS_SUBJECT, audience: TOKEN_EXCHANGE_AUDIENCE }],
      },
      { ...CERT_APP, certificate: certificate.certificate },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), 'entra-test-'));
});
afterAll(async () => {
  await ms.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => ms.reset());

async function fetchWith(flags: Record<string, string>, env: Record<string, string | undefined>) {
  const settings = parseTokenSettings(cliSource({ 'token-source': 'entra', ...flags }, env));
  return createTokenSource(settings.source, { audience: settings.audience, timeoutMs: 2000 })();
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: KeylessError) => error,
  );

/** A projected service-account token as AKS writes it for workload identity. */
async function aksTokenFile(claims: Record<string, unknown> = {}, expiresIn = 3600): Promise<string> {
  const issuer = await createTestIssuer(AKS_ISSUER);
  const path = join(dir, `azure-identity-token-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    path,
    await issuer.sign({ sub: AKS_SUBJECT, aud: [TOKEN_EXCHANGE_AUDIENCE], ...claims }, { expiresIn }),
  );
  return path;
}

describe('entra: managed identity through instance metadata', () => {
  const imds = () => ({ AZURE_POD_IDENTITY_AUTHORITY_HOST: ms.url });

  it('GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=… with Metadata: true → a v2 token', async () => {
    const token = await fetchWith({ 'entra-resource': AWS_APP_V2.appIdUri }, imds());
    const [request] = ms.requests;
    expect(request?.path).toBe('/metadata/identity/oauth2/token');
    expect(request?.query.get('api-version')).toBe('2018-02-01');
    expect(request?.query.get('resource')).toBe(AWS_APP_V2.appIdUri);
    expect(request?.headers.metadata).toBe('true');
    // v2: iss …/v2.0, aud = the resource app's client id, azp = the identity's client id.
    expect(token.claims).toMatchObject({
      iss: ENTRA_V2_ISSUER,
      aud: AWS_APP_V2.clientId,
      azp: SYSTEM_IDENTITY.clientId,
      sub: SYSTEM_IDENTITY.objectId,
      ver: '2.0',
    });
  });

  it('a resource whose manifest asks for v1: iss https://sts.windows.net/<tenant>/ with its slash, aud as requested', async () => {
    const token = await fetchWith({ 'entra-resource': AWS_APP_V1.appIdUri }, imds());
    expect(token.claims).toMatchObject({
      iss: ENTRA_V1_ISSUER,
      aud: AWS_APP_V1.appIdUri,
      appid: SYSTEM_IDENTITY.clientId,
      ver: '1.0',
    });
    expect(token.claims.azp).toBeUndefined();
  });

  it('a user-assigned identity by client id', async () => {
    const token = await fetchWith(
      { 'entra-resource': AWS_APP_V2.clientId, 'entra-client-id': USER_IDENTITY.clientId },
      imds(),
    );
    expect(ms.requests[0]?.query.get('client_id')).toBe(USER_IDENTITY.clientId);
    expect(token.claims.azp).toBe(USER_IDENTITY.clientId);
  });

  it('an identity that is not assigned: its own first line and the fix', async () => {
    const error = await failure(
      fetchWith(
        { 'entra-resource': AWS_APP_V2.appIdUri, 'entra-client-id': '33333333-0000-4000-8000-000000000009' },
        imds(),
      ),
    );
    expect(error.code).toBe('ManagedIdentityNotAssigned');
    expect(error.message).toMatch(/has no managed identity for this machine: "Identity not found"/);
    expect(error.hint).toMatch(/No user-assigned identity with client id 33333333-0000-4000-8000-000000000009/);
  });

  it('nothing answers at instance metadata (not an Azure VM): the error says where else an identity comes from', async () => {
    const error = await failure(
      fetchWith({ 'entra-resource': AWS_APP_V2.appIdUri }, { AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:1' }),
    );
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/instance metadata.*connection refused/);
    expect(error.hint).toMatch(
      /^No Azure instance metadata here: this is not an Azure VM\/VMSS\. .*AZURE_FEDERATED_TOKEN_FILE/,
    );
  });

  it('a resource that does not exist: AADSTS500011 with the setting to fix', async () => {
    const error = await failure(fetchWith({ 'entra-resource': 'api://no-such-app' }, imds()));
    expect(error.code).toBe('AADSTS500011');
    expect(error.hint).toMatch(/--entra-resource must be the App ID URI/);
  });
});

describe('entra: App Service / Functions / Container Apps identity endpoint', () => {
  it('GET $IDENTITY_ENDPOINT?api-version=2019-08-01&resource=… with X-IDENTITY-HEADER', async () => {
    const token = await fetchWith(
      { 'entra-resource': AWS_APP_V2.appIdUri },
      { IDENTITY_ENDPOINT: `${ms.url}/msi/token`, IDENTITY_HEADER: ms.identityHeader },
    );
    expect(ms.requests[0]?.path).toBe('/msi/token');
    expect(ms.requests[0]?.query.get('api-version')).toBe('2019-08-01');
    expect(token.claims.iss).toBe(ENTRA_V2_ISSUER);
  });
});

describe('entra: AKS workload identity (federated token file as client assertion)', () => {
  const aks = (file: string, client = AKS_APP.clientId) => ({
    AZURE_FEDERATED_TOKEN_FILE: file,
    AZURE_CLIENT_ID: client,
    AZURE_TENANT_ID: TENANT,
    AZURE_AUTHORITY_HOST: ms.url,
  });

  it('POST <authority>/<tenant>/oauth2/v2.0/token: client_credentials, jwt-bearer assertion, scope <resource>/.default', async () => {
    const file = await aksTokenFile();
    const token = await fetchWith({ 'entra-resource': AWS_APP_V2.appIdUri }, aks(file));
    const [request] = ms.requests;
    expect(request?.path).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(Object.fromEntries(request?.form ?? [])).toMatchObject({
      grant_type: 'client_credentials',
      client_id: AKS_APP.clientId,
      scope: `${AWS_APP_V2.appIdUri}/.default`,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    });
    expect(token.claims).toMatchObject({ iss: ENTRA_V2_ISSUER, azp: AKS_APP.clientId, aud: AWS_APP_V2.clientId });
  });

  it('no federated credential for the token: AADSTS70021 with the issuer/subject/audience it presented', async () => {
    const file = await aksTokenFile({ sub: 'system:serviceaccount:other:sa' });
    const error = await failure(fetchWith({ 'entra-resource': AWS_APP_V2.appIdUri }, aks(file)));
    expect(error.code).toBe('AADSTS70021');
    expect(error.message).toMatch(/No matching federated identity record found for presented assertion/);
    expect(error.hint).toContain(`sub system:serviceaccount:other:sa`);
    expect(error.hint).toContain(`iss ${AKS_ISSUER}`);
  });

  it('an unknown client id: AADSTS700016', async () => {
    const file = await aksTokenFile();
    const error = await failure(
      fetchWith({ 'entra-resource': AWS_APP_V2.appIdUri }, aks(file, '44444444-0000-4000-8000-000000000000')),
    );
    expect(error.code).toBe('AADSTS700016');
    expect(error.hint).toMatch(/--entra-client-id/);
  });

  it('an expired token file: AADSTS700024', async () => {
    const file = await aksTokenFile({}, -60);
    const error = await failure(fetchWith({ 'entra-resource': AWS_APP_V2.appIdUri }, aks(file)));
    expect(error.code).toBe('AADSTS700024');
    expect(error.hint).toMatch(/stale/);
  });
});

describe('entra: app registration certificate', () => {
  const certEnv = () => ({ AZURE_AUTHORITY_HOST: ms.url });
  const flags = (path: string) => ({
    'entra-resource': AWS_APP_V1.appIdUri,
    'entra-client-id': CERT_APP.clientId,
    'entra-tenant-id': TENANT,
    'entra-certificate-file': path,
  });

  it('signs an assertion with x5t#S256 for the token endpoint; Entra verifies it with the uploaded certificate', async () => {
    const path = join(dir, 'app.pem');
    writeFileSync(path, certificate.pem);
    chmodSync(path, 0o600);
    const token = await fetchWith(flags(path), certEnv());
    expect(token.claims).toMatchObject({ iss: ENTRA_V1_ISSUER, appid: CERT_APP.clientId, aud: AWS_APP_V1.appIdUri });
  });

  it('a certificate the registration does not have: AADSTS700027 with the fix', async () => {
    const path = join(dir, 'other.pem');
    writeFileSync(path, other.pem);
    const error = await failure(fetchWith(flags(path), certEnv()));
    expect(error.code).toBe('AADSTS700027');
    expect(error.hint).toMatch(/upload its public part/);
  });

  it('a file without the private key is refused before any request', async () => {
    const path = join(dir, 'cert-only.pem');
    writeFileSync(path, certificate.certificate);
    const error = await failure(fetchWith(flags(path), certEnv()));
    expect(error.code).toBe('CertificateFileInvalid');
    expect(ms.requests).toEqual([]);
  });
});

describe('entra settings and auto-detection', () => {
  it('needs the resource, naming the flag', () => {
    expect(() => parseTokenSettings(cliSource({ 'token-source': 'entra' }, {}))).toThrow(
      /^Token source "entra" needs --entra-resource \(or ENTRA_RESOURCE\)/,
    );
  });

  it('auto never picks a machine identity on its own; it does when the run names the resource (CLI only)', () => {
    const machine = { IDENTITY_ENDPOINT: 'http://127.0.0.1:1/msi/token', IDENTITY_HEADER: 'h'.repeat(20) };
    expect(() => parseTokenSettings(cliSource({}, machine))).toThrow('No CI OIDC token found.');
    expect(parseTokenSettings(cliSource({}, { ...machine, ENTRA_RESOURCE: 'api://aws-prod' })).source.kind).toBe(
      'entra',
    );
    // A CI token still wins over a named Entra resource.
    const github = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/t',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'x'.repeat(20),
    };
    expect(parseTokenSettings(cliSource({ 'entra-resource': 'api://a' }, { ...machine, ...github })).source.kind).toBe(
      'github',
    );
  });

  it('in the action, the resource and client id come from inputs only, never the runner machine’s AZURE_* variables', () => {
    const env = { ENTRA_RESOURCE: 'api://aws-prod', AZURE_CLIENT_ID: USER_IDENTITY.clientId };
    expect(() => parseTokenSettings(actionSource({ 'token-source': 'entra' }, env))).toThrow(
      /^Token source "entra" needs input "entra-resource":/,
    );
    const source = parseTokenSettings(
      actionSource({ 'token-source': 'entra', 'entra-resource': 'api://a' }, env),
    ).source;
    expect(source).toEqual({
      kind: 'entra',
      resource: 'api://a',
      credential: { kind: 'imds', url: 'http://169.254.169.254/metadata/identity/oauth2/token' },
    });
  });
});
