// One HTTP endpoint for both services, as `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL_COGNITO_IDENTITY` expect:
// requests with `X-Amz-Target: AWSCognitoIdentityService.*` go to Cognito (JSON 1.1), everything else is STS
// Query protocol (POST form or GET query). Also serves the emulated Cognito issuer's discovery document and JWKS.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BodyTooLargeError, readBoundedBody } from '../shared/bounded-body';
import type { CognitoIdentityService } from './cognito';
import { COGNITO_ISSUER_PATH, type CognitoIssuer } from './cognito-issuer';
import { CognitoError, StsError } from './errors';
import { handleIamAction, IAM_ACTIONS, IAM_NAMESPACE, IAM_VERSION } from './iam/api';
import { newRequestId } from './identifiers';
import { FEDERATION_PATH, type FederationEndpoint } from './signin/federation';
import type { IncomingSignedRequest } from './sigv4';
import { handleStsAction, type StsDeps } from './sts';
import { authenticate } from './sts-auth';
import { el, xmlDocument } from './xml';

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const COGNITO_TARGET_PREFIX = 'AWSCognitoIdentityService.';
const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerDeps {
  sts: StsDeps;
  cognito: CognitoIdentityService;
  issuer: CognitoIssuer;
  /** The console sign-in federation endpoint (`/federation`). */
  federation: FederationEndpoint;
  /** One line per request; never receives tokens or secrets. */
  log: (line: string) => void;
}

/** Header values must be Latin-1; error messages may carry arbitrary user input. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function firstParams(search: string, into: Map<string, string>): void {
  for (const [key, value] of new URLSearchParams(search)) if (!into.has(key)) into.set(key, value);
}

export function createEmulatorServer(deps: ServerDeps): Server {
  const server = createServer((req, res) => {
    const started = Date.now();
    const requestId = newRequestId();
    handle(req, res, requestId, deps)
      .then((summary) => deps.log(`${req.method} ${summary} ${Date.now() - started}ms`))
      .catch((error: unknown) => {
        deps.log(`${req.method} ${req.url?.split('?')[0]} failed: ${(error as Error).message}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, requestId: string, deps: ServerDeps): Promise<string> {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q + 1);

  if (req.method === 'GET' && path === `${COGNITO_ISSUER_PATH}/.well-known/openid-configuration`) {
    sendJson(res, 200, deps.issuer.discoveryDocument(), requestId, 'application/json');
    return `${path} 200`;
  }
  if (req.method === 'GET' && path === `${COGNITO_ISSUER_PATH}/.well-known/jwks_uri`) {
    sendJson(res, 200, deps.issuer.jwks(), requestId, 'application/json');
    return `${path} 200`;
  }

  let body: Buffer;
  try {
    body = await readBoundedBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('Request body too large');
      return `${path} 413 body too large`;
    }
    res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' }).end('Request body could not be read');
    return `${path} 400 body unreadable`;
  }

  if (path === FEDERATION_PATH || path.startsWith(`${FEDERATION_PATH}/`)) {
    // A POSTed form counts as the query (the federation endpoint takes either); the query is never logged.
    const form = req.method === 'POST' ? body.toString('utf8') : query;
    const answer = deps.federation.handle(req.method ?? 'GET', path, form);
    res.writeHead(answer.status, { ...answer.headers, 'x-amzn-requestid': requestId }).end(answer.body);
    return `${path} ${answer.status}`;
  }

  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith(COGNITO_TARGET_PREFIX)) {
    return handleCognito(target.slice(COGNITO_TARGET_PREFIX.length), body, res, requestId, deps);
  }
  const signed: IncomingSignedRequest = { method: req.method ?? 'GET', path, query, rawHeaders: req.rawHeaders, body };
  return handleSts(req, signed, res, requestId, deps);
}

async function handleCognito(
  operation: string,
  body: Buffer,
  res: ServerResponse,
  requestId: string,
  deps: ServerDeps,
): Promise<string> {
  const label = `/ cognito-identity:${operation}`;
  try {
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      throw new CognitoError('SerializationException', 'Request body is not valid JSON');
    }
    const output = await deps.cognito.handle(operation, input);
    sendJson(res, 200, output, requestId, 'application/x-amz-json-1.1');
    return `${label} 200`;
  } catch (error) {
    const failure = error instanceof CognitoError ? error : internalCognitoError(error, deps);
    res.writeHead(failure.status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': `${failure.code}:`,
      'x-amzn-errormessage': headerSafe(failure.message),
    });
    res.end(JSON.stringify({ __type: failure.code, message: failure.message }));
    return `${label} ${failure.status} ${failure.code}: ${failure.message}`;
  }
}

function internalCognitoError(error: unknown, deps: ServerDeps): CognitoError {
  deps.log(`cognito internal error: ${(error as Error).stack ?? String(error)}`);
  return new CognitoError('InternalErrorException', 'An internal error occurred in the emulator');
}

async function handleSts(
  req: IncomingMessage,
  signed: IncomingSignedRequest,
  res: ServerResponse,
  requestId: string,
  deps: ServerDeps,
): Promise<string> {
  const params = new Map<string, string>();
  firstParams(signed.query, params);
  const contentType = String(req.headers['content-type'] ?? '');
  if (req.method === 'POST' && contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    firstParams(signed.body.toString('utf8'), params);
  }
  const action = params.get('Action') ?? '';
  const version = params.get('Version');
  // One endpoint serves both Query APIs; IAM requests say so with IAM's API version.
  const iam = version === IAM_VERSION;
  const namespace = iam ? IAM_NAMESPACE : STS_NAMESPACE;
  const label = `${signed.path} ${iam ? 'iam' : 'sts'}:${action || '(no Action)'}`;
  try {
    if (action === '') throw new StsError('MissingAction', 'Missing Action');
    if ((version !== undefined && version !== '2011-06-15' && !iam) || (iam && !IAM_ACTIONS.has(action))) {
      throw new StsError('InvalidAction', `Could not find operation ${action} for version ${version}`);
    }
    const { model, sessions, clock } = deps.sts;
    const result = iam
      ? handleIamAction(action, params, authenticate(signed, model, sessions, clock, 'iam'), model)
      : await handleStsAction(action, params, signed, deps.sts);
    // Calls without output (IAM's writes) answer with the response metadata alone, as IAM does.
    const xml = xmlDocument(`${action}Response`, namespace, [
      ...(result === undefined ? [] : [el(`${action}Result`, result)]),
      el('ResponseMetadata', [el('RequestId', requestId)]),
    ]);
    res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(xml);
    return `${label} 200`;
  } catch (error) {
    const failure =
      error instanceof StsError
        ? error
        : new StsError('InternalFailure', 'An internal error occurred in the emulator', 500);
    if (!(error instanceof StsError)) deps.log(`sts internal error: ${(error as Error).stack ?? String(error)}`);
    const xml = xmlDocument('ErrorResponse', namespace, [
      el('Error', [el('Type', failure.type), el('Code', failure.code), el('Message', failure.message)]),
      el('RequestId', requestId),
    ]);
    res.writeHead(failure.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(xml);
    return `${label} ${failure.status} ${failure.code}: ${failure.message}`;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string, contentType: string): void {
  res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': requestId });
  res.end(JSON.stringify(body));
}
