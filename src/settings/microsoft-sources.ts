import { isAbsolute, resolve } from 'node:path';
import { InputError, TokenError } from '../errors';
import type { AzureDevOpsSourceSpec, EntraCredential, EntraSourceSpec } from './types';
import type { SettingsReader } from './values';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A tenant is a GUID or a verified domain (contoso.onmicrosoft.com). */
const TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;
const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com/';
const DEFAULT_IMDS = 'http://169.254.169.254';

/**
 * What the user chose for a Microsoft setting. In the action, only the step's inputs count: the runner machine's
 * AZURE_* variables must not pick an identity the workflow did not name.
 */
function chosen(read: SettingsReader, name: string): string | undefined {
  if (read.source.mode === 'action') return read.source.explicit(name)?.trim() || undefined;
  return read.string(name);
}

/** An Azure Pipelines job: the agent sets TF_BUILD and exposes System.OidcRequestUri as SYSTEM_OIDCREQUESTURI. */
export function inAzurePipelines(env: SettingsReader['source']['env']): boolean {
  return env.TF_BUILD?.toLowerCase() === 'true' && Boolean(env.SYSTEM_OIDCREQUESTURI?.trim());
}

function httpUrl(value: string, label: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(`${label} must be a URL, got "${value}".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InputError(`${label} must be an http(s) URL.`);
  return value;
}

export function azureDevOpsSource(read: SettingsReader): AzureDevOpsSourceSpec {
  const env = read.source.env;
  const requestUri = env.SYSTEM_OIDCREQUESTURI?.trim();
  if (!requestUri) {
    throw new TokenError(
      'NoToken',
      'token source "azure-devops" found no token: SYSTEM_OIDCREQUESTURI is not set (this is not an Azure Pipelines job).',
      {
        hint: 'Run in an Azure Pipelines job (the agent sets System.OidcRequestUri), or choose another --token-source.',
      },
    );
  }
  const accessToken = env.SYSTEM_ACCESSTOKEN?.trim();
  if (!accessToken) {
    throw new TokenError(
      'AzureDevOpsAccessTokenMissing',
      "SYSTEM_ACCESSTOKEN is not in this step's environment: Azure Pipelines passes secret variables only when the step maps them.",
      { hint: 'Add to the step that runs keyless-aws:\n  env:\n    SYSTEM_ACCESSTOKEN: $(System.AccessToken)' },
    );
  }
  const serviceConnectionId = chosen(read, 'azure-service-connection-id');
  if (serviceConnectionId !== undefined && !GUID.test(serviceConnectionId)) {
    throw new InputError(
      `${read.label('azure-service-connection-id')} must be a service connection id (a GUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301), got "${serviceConnectionId}".`,
      'Copy it from the connection page URL (resourceId=…) or use $(AZURESUBSCRIPTION_SERVICE_CONNECTION_ID) in an AzureCLI@2 task; the connection name is not accepted.',
    );
  }
  return {
    kind: 'azure-devops',
    url: httpUrl(requestUri, 'SYSTEM_OIDCREQUESTURI'),
    accessToken,
    ...(serviceConnectionId ? { serviceConnectionId } : {}),
  };
}

/** Whether the user asked for an Entra token: only then may `auto` choose one (never a machine's identity alone). */
export function entraRequested(read: SettingsReader): boolean {
  return read.source.mode === 'cli' && read.string('entra-resource') !== undefined;
}

function appCredential(
  read: SettingsReader,
  kind: 'assertion-file' | 'certificate',
  path: string,
  fileBase: string,
): EntraCredential {
  const clientId = chosen(read, 'entra-client-id');
  const tenantId = chosen(read, 'entra-tenant-id');
  const what = kind === 'certificate' ? 'a certificate' : 'a federated assertion (AZURE_FEDERATED_TOKEN_FILE)';
  if (!clientId || !tenantId) {
    throw new InputError(
      `Entra ID with ${what} needs ${read.label('entra-client-id')} and ${read.label('entra-tenant-id')} (AZURE_CLIENT_ID, AZURE_TENANT_ID); ${clientId ? 'the tenant' : 'the client id'} is missing.`,
    );
  }
  if (!TENANT.test(tenantId)) {
    throw new InputError(`${read.label('entra-tenant-id')} must be a tenant GUID or domain, got "${tenantId}".`);
  }
  const authority = httpUrl(read.source.env.AZURE_AUTHORITY_HOST?.trim() || DEFAULT_AUTHORITY, 'AZURE_AUTHORITY_HOST');
  const tokenUrl = new URL(`${encodeURIComponent(tenantId)}/oauth2/v2.0/token`, authority.replace(/\/*$/, '/')).href;
  return { kind, tokenUrl, clientId, path: isAbsolute(path) ? path : resolve(fileBase, path) };
}

/**
 * Entra ID, by the first credential present: an app registration's certificate (entra-certificate-file), a
 * federated token file (AKS workload identity), the App Service identity endpoint, else instance metadata.
 */
export function entraSource(read: SettingsReader, fileBase: string): EntraSourceSpec {
  const env = read.source.env;
  const resource = chosen(read, 'entra-resource');
  if (!resource) {
    throw new InputError(
      `token source "entra" needs ${read.label('entra-resource')}${read.source.mode === 'cli' ? ' (or ENTRA_RESOURCE)' : ''}: the App ID URI (api://…) or client id of the app registration that stands for AWS.`,
    );
  }
  if (/\s/.test(resource) || resource.length > 255) {
    throw new InputError(`${read.label('entra-resource')} must be an App ID URI or client id, got "${resource}".`);
  }
  const certificate = chosen(read, 'entra-certificate-file');
  const assertionFile = env.AZURE_FEDERATED_TOKEN_FILE?.trim();
  const clientId = chosen(read, 'entra-client-id');
  let credential: EntraCredential;
  if (certificate) credential = appCredential(read, 'certificate', certificate, fileBase);
  else if (assertionFile) credential = appCredential(read, 'assertion-file', assertionFile, fileBase);
  else if (env.IDENTITY_ENDPOINT?.trim() && env.IDENTITY_HEADER?.trim()) {
    credential = {
      kind: 'app-service',
      url: httpUrl(env.IDENTITY_ENDPOINT.trim(), 'IDENTITY_ENDPOINT'),
      header: env.IDENTITY_HEADER.trim(),
      ...(clientId ? { clientId } : {}),
    };
  } else {
    // The Azure SDKs' override of the instance-metadata host (tests and pod-identity setups point it elsewhere).
    const host = httpUrl(
      env.AZURE_POD_IDENTITY_AUTHORITY_HOST?.trim() || DEFAULT_IMDS,
      'AZURE_POD_IDENTITY_AUTHORITY_HOST',
    );
    credential = {
      kind: 'imds',
      url: `${host.replace(/\/+$/, '')}/metadata/identity/oauth2/token`,
      ...(clientId ? { clientId } : {}),
    };
  }
  return { kind: 'entra', resource, credential };
}
