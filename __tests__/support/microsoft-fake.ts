/**
 * Microsoft on loopback: Azure DevOps' OIDC token endpoint, Azure instance metadata (IMDS), the App Service identity
 * endpoint and Entra ID's v2.0 token endpoint, speaking the wire protocol as Microsoft documents it (paths, query,
 * headers, JSON error bodies with AADSTS codes). Tokens are signed by loopback OIDC issuers whose production URLs
 * (`https://vstoken.dev.azure.com/<org id>`, `https://login.microsoftonline.com/<tenant>/v2.0`,
 * `https://sts.windows.net/<tenant>/`) the emulator maps with `issuers`.
 *
 *   const ms = await startMicrosoftFake();
 *   env SYSTEM_OIDCREQUESTURI=ms.adoRequestUri SYSTEM_ACCESSTOKEN=ms.accessToken        // an Azure Pipelines job
 *   env AZURE_POD_IDENTITY_AUTHORITY_HOST=ms.url                                      // a VM's IMDS
 *   env AZURE_AUTHORITY_HOST=ms.url AZURE_FEDERATED_TOKEN_FILE=…                      // AKS workload identity
 *   ms.issuerMap()     // production iss → loopback, for the emulator
 *   ms.requests        // what arrived (method, path, query, headers without secrets)
 */

import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { type OidcIssuer, startOidcIssuer } from '../emulator/support/oidc-issuer';

export const ORG = 'contoso';
export const ORG_ID = '5ad6e3c5-1111-4a6e-9d2b-0f3c2a1b7e10';
export const PROJECT = 'payments';
export const PIPELINE = 'deploy-pipeline';
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
/** Azure DevOps' own app id: the `a/` part of the Entra-issued service-connection subjects. */
export const AZURE_DEVOPS_APP_ID = '499b84ac-1321-427f-aa17-267ca6975798';
export const VSTOKEN_ISSUER = `https://vstoken.dev.azure.com/${ORG_ID}`;
export const ENTRA_V2_ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
export const ENTRA_V1_ISSUER = `https://sts.windows.net/${TENANT}/`;
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export interface ServiceConnection {
  readonly id: string;
  readonly name: string;
  /** Issued by Entra (the form Microsoft moves connections to) instead of vstoken.dev.azure.com. */
  readonly entraIssued?: boolean;
}

/** The app registration that stands for AWS; the version is its manifest's accessTokenAcceptedVersion. */
export interface ResourceApp {
  readonly appIdUri: string;
  readonly clientId: string;
  readonly version: 1 | 2;
}

export interface Workload {
  readonly clientId: string;
  /** Service principal object id: `sub` and `oid` of its app-only tokens. */
  readonly objectId: string;
  readonly federated?: ReadonlyArray<{ issuer: string; subject: string; audience: string }>;
  /** PEM certificate (public part) uploaded to the registration. */
  readonly certificate?: string;
}

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly form?: URLSearchParams;
}

export interface MicrosoftFake {
  readonly url: string;
  readonly adoRequestUri: string;
  readonly accessToken: string;
  /** IDENTITY_HEADER of the App Service identity endpoint (served at `${url}/msi/token`). */
  readonly identityHeader: string;
  readonly requests: FakeRequest[];
  readonly resources: ResourceApp[];
  /** Managed identities assigned to "this machine": system-assigned (if any) and user-assigned by client id. */
  readonly identities: { system?: Workload; user: Workload[] };
  readonly apps: Workload[];
  readonly connections: ServiceConnection[];
  expireAccessToken(): void;
  issuerMap(): Record<string, string>;
  reset(): void;
  close(): Promise<void>;
}

export const AWS_APP_V2: ResourceApp = {
  appIdUri: 'api://aws-prod',
  clientId: 'a1b2c3d4-0000-4000-8000-00000000aa02',
  version: 2,
};
export const AWS_APP_V1: ResourceApp = {
  appIdUri: 'api://aws-legacy',
  clientId: 'a1b2c3d4-0000-4000-8000-00000000aa01',
  version: 1,
};
export const SYSTEM_IDENTITY: Workload = {
  clientId: '11111111-0000-4000-8000-000000000001',
  objectId: '99999999-0000-4000-8000-000000000001',
};
export const USER_IDENTITY: Workload = {
  clientId: '11111111-0000-4000-8000-000000000002',
  objectId: '99999999-0000-4000-8000-000000000002',
};
export const AKS_ISSUER = 'https://eastus.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/cluster-1/';
export const AKS_SUBJECT = 'system:serviceaccount:payments:deployer';

/** A 2048-bit RSA key and self-signed certificate in one PEM, as `openssl req -x509` writes them. */
export function rsaCertificate(): { pem: string; certificate: string; x5tS256: string } {
  const dir = mkdtempSync(join(tmpdir(), 'entra-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ].concat(['-days', '2', '-subj', '/CN=keyless-aws-test']),
      { stdio: 'ignore' },
    );
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const certificate = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const x5tS256 = createHash('sha256').update(new X509Certificate(certificate).raw).digest('base64url');
    return { pem: key + certificate, certificate, x5tS256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function b64Guid(guid: string): string {
  const hex = guid.replace(/-/g, '');
  const bytes = Buffer.from(hex, 'hex');
  // .NET Guid.ToByteArray order (little-endian first three groups), as Entra encodes ids in subjects.
  const le = Buffer.concat([
    Buffer.from(bytes.subarray(0, 4)).reverse(),
    Buffer.from(bytes.subarray(4, 6)).reverse(),
    Buffer.from(bytes.subarray(6, 8)).reverse(),
    bytes.subarray(8),
  ]);
  return le.toString('base64url');
}

export function entraConnectionSubject(connectionId: string): string {
  return `/eid1/c/pub/t/${b64Guid(TENANT)}/a/${b64Guid(AZURE_DEVOPS_APP_ID)}/sc/${ORG_ID}/${connectionId}`;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

function aadError(res: ServerResponse, status: number, error: string, code: number, text: string): void {
  json(res, status, {
    error,
    error_description: `AADSTS${code}: ${text}\r\nTrace ID: 0b0c7f1e-aaaa-bbbb-cccc-000000000000\r\nCorrelation ID: 1c2d3e4f-0000-0000-0000-000000000000\r\nTimestamp: 2026-12-01 00:00:00Z`,
    error_codes: [code],
    timestamp: '2026-12-01 00:00:00Z',
    trace_id: '0b0c7f1e-aaaa-bbbb-cccc-000000000000',
    correlation_id: '1c2d3e4f-0000-0000-0000-000000000000',
  });
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startMicrosoftFake(
  options: {
    connections?: ServiceConnection[];
    resources?: ResourceApp[];
    identities?: { system?: Workload; user: Workload[] };
    apps?: Workload[];
  } = {},
): Promise<MicrosoftFake> {
  const vstoken = await startOidcIssuer({ path: `/${ORG_ID}` });
  const v2 = await startOidcIssuer({ path: `/${TENANT}/v2.0` });
  const v1 = await startOidcIssuer({ path: `/${TENANT}` });
  const signerFor: Record<string, OidcIssuer> = {
    [VSTOKEN_ISSUER]: vstoken,
    [ENTRA_V2_ISSUER]: v2,
    [ENTRA_V1_ISSUER]: v1,
  };
  const connections = options.connections ?? [
    { id: '0f9d7a51-2222-4c3d-8e4f-5a6b7c8d9e01', name: 'aws-prod' },
    { id: '0f9d7a51-2222-4c3d-8e4f-5a6b7c8d9e02', name: 'aws-entra', entraIssued: true },
  ];
  const resources = options.resources ?? [AWS_APP_V2, AWS_APP_V1];
  const identities = options.identities ?? { system: SYSTEM_IDENTITY, user: [USER_IDENTITY] };
  const apps = options.apps ?? [];
  let accessToken = `ado-job-token-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  let accessTokenValid = true;
  const identityHeader = 'app-service-identity-header-0123456789';
  const requests: FakeRequest[] = [];
  let url = '';

  const sign = (issuer: string, claims: Record<string, unknown>, lifetime: number) => {
    const now = Math.floor(Date.now() / 1000);
    return (signerFor[issuer] as OidcIssuer).sign({ iss: issuer, iat: now, nbf: now, exp: now + lifetime, ...claims });
  };

  const resourceFor = (requested: string) => {
    const name = requested.replace(/\/\.default$/, '');
    return resources.find((r) => r.appIdUri === name || r.clientId === name);
  };

  /** An app-only access token as Entra issues it for `resource`, in the version its manifest asks for. */
  const accessTokenFor = async (requested: string, workload: Workload) => {
    const resource = resourceFor(requested) as ResourceApp;
    const common = { sub: workload.objectId, oid: workload.objectId, tid: TENANT, idtyp: 'app', roles: ['AssumeAws'] };
    const claims =
      resource.version === 2
        ? { ...common, aud: resource.clientId, azp: workload.clientId, azpacr: '2', ver: '2.0' }
        : {
            ...common,
            aud: requested.replace(/\/\.default$/, ''),
            appid: workload.clientId,
            appidacr: '2',
            ver: '1.0',
          };
    return sign(resource.version === 2 ? ENTRA_V2_ISSUER : ENTRA_V1_ISSUER, claims, 3600);
  };

  const azureDevOps = async (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => {
    const e2e = {
      'x-vss-e2eid': '7a1b2c3d-e2e0-0000-0000-000000000000',
      activityid: '5e6f7a8b-0000-0000-0000-000000000000',
    };
    if (query.get('api-version') !== '7.1') {
      return json(
        res,
        400,
        { $id: '1', message: 'The requested REST API version is not supported.', errorCode: 0 },
        e2e,
      );
    }
    if (req.headers.authorization !== `Bearer ${accessToken}` || !accessTokenValid) {
      // Without X-TFS-FedAuthRedirect: Suppress, a rejected bearer gets the sign-in page with 203.
      if (req.headers['x-tfs-fedauthredirect'] !== 'Suppress') {
        res
          .writeHead(203, { 'content-type': 'text/html' })
          .end('<html><title>Azure DevOps Services | Sign In</title></html>');
        return;
      }
      return json(
        res,
        401,
        { $id: '1', message: 'TF400813: The user is not authorized to access this resource.' },
        e2e,
      );
    }
    const connectionId = query.get('serviceConnectionId');
    const base = { jti: `${Math.random()}`, aud: TOKEN_EXCHANGE_AUDIENCE };
    if (connectionId === null) {
      const claims = {
        ...base,
        sub: `p://${ORG}/${PROJECT}/${PIPELINE}`,
        org_id: ORG_ID,
        prj_id: '3c4d5e6f-0000-4000-8000-0000000000p1',
        def_id: '42',
        run_id: '1001',
      };
      return json(res, 200, { oidcToken: await sign(VSTOKEN_ISSUER, claims, 300) });
    }
    const connection = connections.find((c) => c.id === connectionId);
    if (!connection) {
      return json(
        res,
        400,
        {
          $id: '1',
          innerException: null,
          message: `The service connection with id '${connectionId}' does not exist or has not been authorized for use.`,
          typeName: 'Microsoft.TeamFoundation.DistributedTask.WebApi.ServiceEndpointNotFoundException',
          typeKey: 'ServiceEndpointNotFoundException',
          errorCode: 0,
          eventId: 3000,
        },
        e2e,
      );
    }
    const token = connection.entraIssued
      ? await sign(ENTRA_V2_ISSUER, { ...base, sub: entraConnectionSubject(connection.id) }, 300)
      : await sign(VSTOKEN_ISSUER, { ...base, sub: `sc://${ORG}/${PROJECT}/${connection.name}` }, 300);
    return json(res, 200, { oidcToken: token });
  };

  const managedIdentity = async (res: ServerResponse, query: URLSearchParams, version: string) => {
    if (query.get('api-version') !== version) {
      return json(res, 400, { error: 'invalid_request', error_description: 'Invalid api-version' });
    }
    const clientId = query.get('client_id');
    const identity = clientId ? identities.user.find((i) => i.clientId === clientId) : identities.system;
    if (!identity) return json(res, 400, { error: 'invalid_request', error_description: 'Identity not found' });
    const resource = query.get('resource') ?? '';
    if (!resourceFor(resource)) {
      return json(res, 400, {
        error: 'invalid_resource',
        error_description: `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${TENANT}.`,
      });
    }
    const now = Math.floor(Date.now() / 1000);
    return json(res, 200, {
      access_token: await accessTokenFor(resource, identity),
      client_id: identity.clientId,
      expires_in: '3599',
      expires_on: String(now + 3599),
      ext_expires_in: '3599',
      not_before: String(now),
      resource,
      token_type: 'Bearer',
    });
  };

  const entraToken = async (res: ServerResponse, tenant: string, form: URLSearchParams) => {
    const tokenUrl = `${url}/${tenant}/oauth2/v2.0/token`;
    if (tenant !== TENANT) {
      return aadError(res, 400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return aadError(res, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    const clientId = form.get('client_id') ?? '';
    const app = apps.find((a) => a.clientId === clientId);
    if (!app) {
      return aadError(
        res,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${TENANT}'.`,
      );
    }
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      return aadError(
        res,
        401,
        'invalid_client',
        7000218,
        "The request body must contain 'client_assertion' or 'client_secret'.",
      );
    }
    const assertion = form.get('client_assertion') ?? '';
    const claims = decodeJwt(assertion);
    const header = decodeProtectedHeader(assertion);
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp < now) {
      return aadError(res, 400, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
    }
    if (header['x5t#S256'] !== undefined || claims.iss === clientId) {
      // A certificate assertion: signed by the registered certificate, for this token endpoint.
      const registered = app.certificate ? new X509Certificate(app.certificate) : undefined;
      const thumbprint = registered ? createHash('sha256').update(registered.raw).digest('base64url') : undefined;
      const verified =
        registered && header['x5t#S256'] === thumbprint
          ? await compactVerify(assertion, registered.publicKey).then(
              () => true,
              () => false,
            )
          : false;
      if (!verified) {
        return aadError(res, 401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
      }
      if (claims.aud !== tokenUrl || claims.sub !== clientId) {
        return aadError(
          res,
          401,
          'invalid_client',
          700021,
          "Client assertion application identifier doesn't match 'client_id' parameter.",
        );
      }
    } else {
      // A federated assertion: some issuer's token matching one of the registration's federated credentials.
      const match = (app.federated ?? []).find(
        (f) => f.issuer === claims.iss && f.subject === claims.sub && [claims.aud].flat().includes(f.audience),
      );
      if (!match) {
        return aadError(
          res,
          400,
          'invalid_client',
          70021,
          `No matching federated identity record found for presented assertion. Assertion Issuer: '${claims.iss}'. Assertion Subject: '${claims.sub}'. Assertion Audience: '${claims.aud}'.`,
        );
      }
    }
    const scope = form.get('scope') ?? '';
    if (!scope.endsWith('/.default') || !resourceFor(scope)) {
      return aadError(
        res,
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${scope.replace(/\/\.default$/, '')} was not found in the tenant named ${TENANT}.`,
      );
    }
    return json(res, 200, {
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: await accessTokenFor(scope, app),
    });
  };

  const server = createServer((req, res) => {
    void (async () => {
      const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = await body(req);
      const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
        ? new URLSearchParams(text)
        : undefined;
      const { authorization: _a, 'x-identity-header': _x, ...headers } = req.headers;
      requests.push({
        method: req.method ?? '',
        path: parsed.pathname,
        query: parsed.searchParams,
        headers,
        ...(form ? { form } : {}),
      });
      const path = parsed.pathname;
      if (
        req.method === 'POST' &&
        /^\/[^/]+\/[^/]+\/_apis\/distributedtask\/hubs\/build\/plans\/[^/]+\/jobs\/[^/]+\/oidctoken$/.test(path)
      ) {
        return azureDevOps(req, res, parsed.searchParams);
      }
      if (req.method === 'GET' && path === '/metadata/identity/oauth2/token') {
        if (req.headers.metadata !== 'true') {
          return json(res, 400, {
            error: 'invalid_request',
            error_description: 'Required metadata header not specified',
          });
        }
        return managedIdentity(res, parsed.searchParams, '2018-02-01');
      }
      if (req.method === 'GET' && path === '/msi/token') {
        if (req.headers['x-identity-header'] !== identityHeader) return json(res, 401, { error: 'unauthorized' });
        return managedIdentity(res, parsed.searchParams, '2019-08-01');
      }
      const tenantToken = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
      if (req.method === 'POST' && tenantToken && form) return entraToken(res, tenantToken[1] as string, form);
      res.writeHead(404).end();
    })().catch((error: Error) => {
      res.writeHead(500).end(error.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    adoRequestUri: `${url}/${ORG}/3c4d5e6f-0000-4000-8000-0000000000p1/_apis/distributedtask/hubs/build/plans/7d8e9f00-0000-4000-8000-000000000001/jobs/8e9f0011-0000-4000-8000-000000000002/oidctoken`,
    get accessToken() {
      return accessToken;
    },
    identityHeader,
    requests,
    resources,
    identities,
    apps,
    connections,
    expireAccessToken() {
      accessTokenValid = false;
    },
    issuerMap: () => ({ [VSTOKEN_ISSUER]: vstoken.url, [ENTRA_V2_ISSUER]: v2.url, [ENTRA_V1_ISSUER]: v1.url }),
    reset() {
      requests.length = 0;
      accessTokenValid = true;
      accessToken = `ado-job-token-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const issuer of [vstoken, v2, v1]) await issuer.close();
    },
  };
}
