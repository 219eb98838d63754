import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { KeylessError, TimeoutError, TokenError, TransientError } from '../errors';
import { httpRequestText, preview } from '../net/http';
import type { ProxySettings } from '../net/proxy';
import { registerSecret } from '../secrets';
import type { EntraCredential, EntraSourceSpec } from '../settings/types';
import { tokenValue } from './endpoint';
import { fileTokenSource } from './file';
import { decodeToken, type Token, type TokenSource } from './token';

interface Options {
  readonly timeoutMs: number;
  readonly proxy?: ProxySettings;
}

/** AKS mounts the workload-identity token as a kubelet projected volume: a chain of links, like service accounts. */
const AKS_TOKEN_PATH = /^\/var\/run\/secrets\/azure\/tokens\/[^/]+$/;
const MAX_CERTIFICATE_FILE_BYTES = 64 * 1024;

/** `api://x` → `api://x/.default`: the v2.0 endpoint asks for a resource's app permissions as a scope. */
export function defaultScope(resource: string): string {
  return resource.endsWith('/.default') ? resource : `${resource.replace(/\/+$/, '')}/.default`;
}

/** What Entra or the identity endpoint said: the AADSTS code and its first sentence, or `error`, short. */
function entraSaid(body: string): { code?: string; text: string } {
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const description = typeof json.error_description === 'string' ? json.error_description : undefined;
    const error = typeof json.error === 'string' ? json.error : undefined;
    const code = /AADSTS(\d+)/.exec(description ?? '')?.[1];
    const first = description?.split(/\r?\n|Trace ID:/)[0]?.trim();
    return { ...(code ? { code } : {}), text: preview(first || error || body) };
  } catch {
    return { text: preview(body) };
  }
}

/** The fix for each AADSTS error a workload without a secret meets. */
function aadstsHint(code: string | undefined, spec: EntraSourceSpec, assertion?: Token): string | undefined {
  switch (code) {
    case '700016':
      return 'No app registration with this client id in the tenant: check --entra-client-id (AZURE_CLIENT_ID) and --entra-tenant-id (AZURE_TENANT_ID).';
    case '70021': {
      const claims = assertion?.claims;
      const seen = claims
        ? ` The assertion has iss ${String(claims.iss)}, sub ${String(claims.sub)}, aud ${JSON.stringify(claims.aud)}.`
        : '';
      return `The app registration has no federated credential matching the assertion: add one (Certificates & secrets > Federated credentials) whose issuer, subject and audience equal the token's.${seen}`;
    }
    case '700024':
      return 'The assertion has expired or is not valid yet: the federated token file is stale (kubelet refreshes it; check the projected volume) or the clock is off.';
    case '500011':
      return `No resource "${spec.resource}" in this tenant: --entra-resource must be the App ID URI (api://…) or client id of the app registration that stands for AWS.`;
    case '700027':
    case '7000274':
    case '700023':
      return "The certificate is not one of the app registration's: upload its public part (Certificates & secrets > Certificates).";
    case '90002':
    case '900023':
      return 'The tenant does not exist: check --entra-tenant-id (AZURE_TENANT_ID), a GUID or a verified domain.';
    case '7000215':
      return 'Entra was sent a client secret where a certificate or assertion is expected; keyless-aws sends none, so check a proxy is not rewriting the request.';
    default:
      return undefined;
  }
}

function accessToken(body: string, what: string): Token {
  const value = tokenValue(body, what, 'access_token');
  if (typeof value !== 'string' || value.length === 0) {
    throw new TokenError(
      'TokenResponseInvalid',
      `${what} answered without a token (expected JSON {"access_token": …}).`,
    );
  }
  return decodeToken(value, what);
}

function refusal(
  status: number,
  body: string,
  spec: EntraSourceSpec,
  what: string,
  assertion?: Token,
): TokenError | TransientError {
  if (status === 429 || status >= 500) {
    return new TransientError('TokenEndpointUnavailable', `${what} answered HTTP ${status}.`);
  }
  const { code, text } = entraSaid(body);
  const credential = spec.credential;
  if ((credential.kind === 'imds' || credential.kind === 'app-service') && /identity not found/i.test(text)) {
    return new TokenError(
      'ManagedIdentityNotAssigned',
      `${what} has no managed identity for this machine: "${text}".`,
      {
        hint: credential.clientId
          ? `No user-assigned identity with client id ${credential.clientId} is assigned to this resource: assign it (Identity > User assigned) or fix --entra-client-id.`
          : 'Turn on the system-assigned identity of this VM/app (Identity > System assigned: On), or pass --entra-client-id for a user-assigned one.',
      },
    );
  }
  const hint = aadstsHint(code, spec, assertion);
  return new TokenError(
    code ? `AADSTS${code}` : 'TokenRequestRejected',
    `${what} refused the request with HTTP ${status}: "${text}".`,
    hint ? { hint } : {},
  );
}

/** Managed identity: instance metadata (VM/VMSS) or the App Service / Functions / Container Apps identity endpoint. */
function managedIdentityRequest(
  credential: Extract<EntraCredential, { kind: 'imds' | 'app-service' }>,
  resource: string,
) {
  const url = new URL(credential.url);
  url.searchParams.set('api-version', credential.kind === 'imds' ? '2018-02-01' : '2019-08-01');
  url.searchParams.set('resource', resource);
  if (credential.clientId) url.searchParams.set('client_id', credential.clientId);
  const headers: Record<string, string> =
    credential.kind === 'imds' ? { Metadata: 'true' } : { 'X-IDENTITY-HEADER': credential.header };
  return { url, headers };
}

async function readCertificate(path: string): Promise<{ key: ReturnType<typeof createPrivateKey>; x5t: string }> {
  let pem: string;
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_CERTIFICATE_FILE_BYTES) throw Object.assign(new Error(), { code: 'size' });
    pem = await readFile(path, 'utf8');
  } catch (error) {
    throw new TokenError(
      'CertificateFileUnreadable',
      `Cannot read the certificate file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`,
      { hint: '--entra-certificate-file must be a PEM file holding the private key and the certificate.' },
    );
  }
  const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const privateKey = /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (!certificate || !privateKey) {
    throw new TokenError(
      'CertificateFileInvalid',
      `The certificate file ${path} must hold both a PEM private key (unencrypted) and its certificate; it has ${certificate ? 'no private key' : 'no certificate'}.`,
      { hint: 'Concatenate them: cat key.pem cert.pem > app.pem (chmod 600).' },
    );
  }
  registerSecret(privateKey);
  const der = new X509Certificate(certificate).raw;
  return { key: createPrivateKey(privateKey), x5t: createHash('sha256').update(der).digest('base64url') };
}

/** A client assertion signed with the app registration's certificate, as Entra documents it (x5t#S256, 10 min). */
async function certificateAssertion(credential: Extract<EntraCredential, { kind: 'certificate' }>): Promise<string> {
  const { key, x5t } = await readCertificate(credential.path);
  const { SignJWT } = await import('jose');
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({
    aud: credential.tokenUrl,
    iss: credential.clientId,
    sub: credential.clientId,
    jti: randomUUID(),
    nbf: now,
    iat: now,
    exp: now + 600,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', 'x5t#S256': x5t })
    .sign(key);
  registerSecret(assertion);
  return assertion;
}

/** Client credentials with an assertion at `<authority>/<tenant>/oauth2/v2.0/token`. */
async function exchangeAssertion(
  spec: EntraSourceSpec,
  credential: Extract<EntraCredential, { kind: 'assertion-file' | 'certificate' }>,
  options: Options,
  onRequestSent: (() => void) | undefined,
): Promise<Token> {
  const federated =
    credential.kind === 'assertion-file'
      ? await fileTokenSource(credential.path, AKS_TOKEN_PATH.test(credential.path))()
      : undefined;
  const assertion = credential.kind === 'certificate' ? await certificateAssertion(credential) : federated?.value;
  const what = `Entra ID (${credential.kind === 'assertion-file' ? 'federated assertion' : 'certificate'} for client ${credential.clientId})`;
  const url = new URL(credential.tokenUrl);
  const response = await httpRequestText(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
      'User-Agent': 'keyless-aws',
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credential.clientId,
      scope: defaultScope(spec.resource),
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion ?? '',
    }).toString(),
    timeoutMs: options.timeoutMs,
    what,
    ...(onRequestSent ? { onRequestSent } : {}),
    ...(options.proxy ? { proxy: options.proxy } : {}),
  });
  if (response.status !== 200) throw refusal(response.status, response.body, spec, what, federated);
  return accessToken(response.body, what);
}

/** Nothing answering at instance metadata usually means the machine is not an Azure VM: say where else to look. */
function withoutImdsHint(error: unknown): unknown {
  if (!(error instanceof KeylessError) || (error.kind !== 'transient' && error.kind !== 'timeout')) return error;
  const hint =
    'No Azure instance metadata here: this is not an Azure VM/VMSS. On App Service/Functions/Container Apps the platform sets IDENTITY_ENDPOINT and IDENTITY_HEADER; on AKS, workload identity sets AZURE_FEDERATED_TOKEN_FILE; elsewhere use --entra-certificate-file.';
  return error.kind === 'timeout'
    ? new TimeoutError(error.message, hint)
    : new TransientError(error.code, error.message, { hint, cause: error });
}

/**
 * An Entra ID access token for the application that stands for AWS, from a workload with no secret: its managed
 * identity, its AKS federated token, or its app registration's certificate. Which token version comes back (and so
 * which `iss`) is the resource app's choice (accessTokenAcceptedVersion), not ours.
 */
export function entraTokenSource(spec: EntraSourceSpec, options: Options): TokenSource {
  const credential = spec.credential;
  return async (hooks) => {
    if (credential.kind === 'assertion-file' || credential.kind === 'certificate') {
      return exchangeAssertion(spec, credential, options, hooks?.onRequestSent);
    }
    registerSecret(credential.kind === 'app-service' ? credential.header : undefined);
    const { url, headers } = managedIdentityRequest(credential, spec.resource);
    const what = `the managed identity endpoint (${credential.kind === 'imds' ? 'instance metadata' : 'App Service'})`;
    const response = await httpRequestText(url, {
      headers: { ...headers, Accept: 'application/json', 'User-Agent': 'keyless-aws' },
      timeoutMs: options.timeoutMs,
      what,
      // The identity endpoint lives on the host (link-local or localhost): never through a proxy.
      ...(hooks?.onRequestSent ? { onRequestSent: hooks.onRequestSent } : {}),
    }).catch((error: unknown) => {
      throw credential.kind === 'imds' ? withoutImdsHint(error) : error;
    });
    if (response.status !== 200) throw refusal(response.status, response.body, spec, what);
    return accessToken(response.body, what);
  };
}
