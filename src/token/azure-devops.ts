import { TokenError, TransientError } from '../errors';
import { httpRequestText } from '../net/http';
import type { ProxySettings } from '../net/proxy';
import { registerSecret } from '../secrets';
import type { AzureDevOpsSourceSpec } from '../settings/types';
import { said, tokenValue } from './endpoint';
import { decodeToken, type TokenSource } from './token';

/** The OIDC token REST API version the AzureCLI@2 task, the Azure SDKs and Microsoft's examples use. */
export const AZURE_DEVOPS_API_VERSION = '7.1';

/** The YAML a step needs so that System.AccessToken (a secret variable) reaches its environment. */
export const MAP_ACCESS_TOKEN_YAML = 'env:\n    SYSTEM_ACCESSTOKEN: $(System.AccessToken)';

export function azureDevOpsRequestUrl(spec: AzureDevOpsSourceSpec): URL {
  const url = new URL(spec.url);
  url.searchParams.set('api-version', AZURE_DEVOPS_API_VERSION);
  if (spec.serviceConnectionId) url.searchParams.set('serviceConnectionId', spec.serviceConnectionId);
  return url;
}

/** Azure DevOps' request ids, which its support asks for; never secret. */
function requestIds(headers: Record<string, string | string[] | undefined>): string | undefined {
  const ids = ['x-vss-e2eid', 'x-msedge-ref', 'activityid']
    .filter((name) => typeof headers[name] === 'string')
    .map((name) => `${name}: ${headers[name]}`);
  return ids.length > 0 ? ids.join(', ') : undefined;
}

function refusal(status: number, body: string, spec: AzureDevOpsSourceSpec, what: string): TokenError {
  const connection = spec.serviceConnectionId
    ? `service connection ${spec.serviceConnectionId}`
    : 'no service connection (the pipeline token)';
  // 203 is the sign-in page Azure DevOps serves for a rejected bearer when the redirect is not suppressed.
  if (status === 401 || status === 203) {
    return new TokenError(
      'AzureDevOpsAccessTokenRejected',
      `${what} refused SYSTEM_ACCESSTOKEN (HTTP ${status}): it has expired or is not this job's System.AccessToken.`,
      {
        hint: `Map this job's token into the step, not a stored PAT or another job's value:\n  ${MAP_ACCESS_TOKEN_YAML}\nIt expires when the job does (the job's timeoutInMinutes), so request AWS credentials in the job that uses them.`,
      },
    );
  }
  if (status === 400 || status === 403 || status === 404) {
    return new TokenError(
      'AzureDevOpsServiceConnectionRejected',
      `${what} refused a token for ${connection} (HTTP ${status})${said(body)}.`,
      {
        hint: spec.serviceConnectionId
          ? 'Check --azure-service-connection-id / AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: it must be the id (a GUID, from the connection page URL or the AzureCLI@2 task) of a service connection this pipeline is authorized to use (Project settings > Service connections > Security).'
          : 'Set --azure-service-connection-id (or AZURESUBSCRIPTION_SERVICE_CONNECTION_ID, as the AzureCLI@2 task does) to the id of the service connection whose sub (sc://org/project/connection) the AWS role trusts.',
      },
    );
  }
  return new TokenError('TokenRequestRejected', `${what} refused the request with HTTP ${status}${said(body)}.`);
}

/**
 * An Azure Pipelines job's OIDC token: `POST $SYSTEM_OIDCREQUESTURI?api-version=7.1[&serviceConnectionId=…]` with
 * the job's System.AccessToken, answered by `{"oidcToken": "<jwt>"}`. Its audience is always
 * api://AzureADTokenExchange (the service has no audience parameter); AWS's provider must list that as client id.
 */
export function azureDevOpsTokenSource(
  spec: AzureDevOpsSourceSpec,
  options: { readonly timeoutMs: number; readonly proxy?: ProxySettings },
): TokenSource {
  registerSecret(spec.accessToken);
  const what = 'the Azure Pipelines OIDC token endpoint';
  return async (hooks) => {
    const response = await httpRequestText(azureDevOpsRequestUrl(spec), {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${spec.accessToken}`,
        'Content-Type': 'application/json',
        Accept: 'application/json',
        // Without it a rejected bearer gets a 203 sign-in page instead of a 401.
        'X-TFS-FedAuthRedirect': 'Suppress',
        'Content-Length': '0',
        'User-Agent': 'keyless-aws',
      },
      timeoutMs: options.timeoutMs,
      what,
      ...(hooks?.onRequestSent ? { onRequestSent: hooks.onRequestSent } : {}),
      ...(options.proxy ? { proxy: options.proxy } : {}),
    });
    if (response.status === 429 || response.status >= 500) {
      throw new TransientError('TokenEndpointUnavailable', `${what} answered HTTP ${response.status}.`);
    }
    if (response.status !== 200) {
      const error = refusal(response.status, response.body, spec, what);
      const ids = requestIds(response.headers);
      throw ids ? new TokenError(error.code, error.message, { hint: error.hint, details: ids }) : error;
    }
    const value = tokenValue(response.body, what, 'oidcToken');
    if (typeof value !== 'string' || value.length === 0) {
      throw new TokenError(
        'TokenResponseInvalid',
        `${what} answered without a token (expected JSON {"oidcToken": "<jwt>"}).`,
      );
    }
    return decodeToken(value, what);
  };
}
