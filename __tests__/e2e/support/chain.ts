/**
 * The whole keyless chain on loopback, for end-to-end tests that run `dist/index.js` (and the AWS CLI) as child
 * processes: token services (the Jenkins token service, also standing in for GitHub's endpoint: same protocol), the
 * AWS emulator loaded from the example CloudFormation templates, and the checks a real consumer makes.
 *
 *   const github = await startTokenService('github', audiences, GITHUB_ISSUER); // iss = GitHub's production URL
 *   const build = await github.register(githubRunClaims('acme/app')); // { request_token, token_url (local), expires_at }
 *   github.minted()                                                 // ID tokens handed out so far (HTTP 200 on /token)
 *   const emulator = await startTemplates([template('github-oidc.yml', github)]); // the file as users deploy it
 *   emulator.ids.GitHubDeployRole                                   // the role ARN
 *   await callerArn(emulator.url, credentials)                      // SigV4-signed GetCallerIdentity, verified by the emulator
 *   assertNothingSecret(text, secrets)                              // leak check + no JWT / ASIA key shape at all
 *   await closeAll()                                                // in afterAll: every server and temp dir of this file
 *
 * The templates load unchanged, naming the production issuer (`https://token.actions.githubusercontent.com`, the
 * Jenkins service URL); the emulator maps that URL to the loopback service that signs with the production `iss`.
 * The emulator verifies token signatures against the service's JWKS and request signatures against the secret keys
 * it issued, so a test that passes here passed AWS's own checks as the emulator models them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type RunningEmulator, type StartEmulatorOptions, startEmulator } from '../../../src/emulator';
import { startIssuer } from '../../../src/issuer/issuer';
import type { LogFields, Logger } from '../../../src/issuer/log';
import { assertNoSecretLeak } from '../../support/leak-check';
import { ROOT } from '../../support/run-dist';

export const REGION = 'us-east-1';
/** A compact JWT (header and payload both JSON objects): an ID token, a request token or a Cognito token. */
export const JWT_SHAPE = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}/;
/** GitHub's token issuer, as examples/github-oidc.yml and examples/cognito-tags.yml name it. */
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
/** The token service URL examples/jenkins/jenkins-oidc.yml names by default. */
export const JENKINS_ISSUER = 'https://jenkins-oidc.example.com';
/** A temporary access key id as STS issues it. */
export const TEMPORARY_KEY_SHAPE = /ASIA[A-Z0-9]{16}/;

const closers: Array<() => Promise<void> | void> = [];

/** A fresh temp dir, removed by closeAll(). */
export function tempDir(prefix = 'keyless-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function closeAll(): Promise<void> {
  const pending = closers.splice(0).reverse();
  for (const close of pending) await close();
}

export interface Registration {
  readonly request_token: string;
  readonly token_url: string;
  readonly expires_at: string;
}

export interface TokenService {
  readonly name: string;
  /** The `iss` of its tokens: a production URL (mapped to `localUrl` in the emulator) or its listen URL. */
  readonly issuerUrl: string;
  /** Where it listens on loopback, with the issuer's path: discovery is at `${localUrl}/.well-known/...`. */
  readonly localUrl: string;
  /** The issuer URL without scheme: the prefix of the trust-policy condition keys (`<host>:sub`). */
  readonly host: string;
  readonly keysDir: string;
  register(claims: Record<string, unknown>): Promise<Registration>;
  /** How many ID tokens the service has minted (successful `GET /token`). */
  minted(): number;
  /** Every secret this service handed out (admin secret, request tokens), for leak checks. */
  secrets(): string[];
}

/**
 * The keyless-aws token service in-process, listening on 127.0.0.1. Its tokens carry `issuerUrl` as `iss` (default:
 * its listen URL); `token_url` in registrations always points at the loopback listener. Builds register with the
 * admin secret; `minted()` counts ID tokens from the service's own request log (which never holds tokens).
 */
export async function startTokenService(
  name: string,
  audiences: readonly string[] = ['sts.amazonaws.com', 'cognito-identity.amazonaws.com'],
  issuerUrl?: string,
): Promise<TokenService> {
  const keysDir = join(tempDir(`keyless-${name}-keys-`), 'keys');
  const adminSecret = `admin-${name}-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  let minted = 0;
  const issued: string[] = [adminSecret];
  const record = (msg: string, fields?: LogFields) => {
    if (
      msg === 'request' &&
      fields?.method === 'GET' &&
      String(fields.path).endsWith('/token') &&
      fields.status === 200
    )
      minted++;
  };
  const logger: Logger = { info: record, warn() {}, error() {} };
  // The same service also stands in for GitHub here, so its operator allows GitHub's claim names (and `sub`).
  const allowedClaims = Object.keys(githubRunClaims('o/r'));
  const issuer = await startIssuer({
    keysDir,
    adminSecret,
    audiences,
    allowedClaims,
    rateLimitPerSecond: 0,
    logger,
    issuerUrl,
  });
  closers.push(() => issuer.close());
  const local = (url: string) =>
    url.startsWith(issuer.issuerUrl) ? issuer.url + url.slice(issuer.issuerUrl.length) : url;
  return {
    name,
    issuerUrl: issuer.issuerUrl,
    localUrl: issuer.url,
    host: issuer.issuerUrl.replace(/^https?:\/\//, ''),
    keysDir,
    async register(claims) {
      const response = await fetch(`${issuer.url}/request-tokens`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${adminSecret}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(claims),
      });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`registering a build failed: HTTP ${response.status} ${text}`);
      const registration = JSON.parse(text) as Registration;
      issued.push(registration.request_token);
      return { ...registration, token_url: local(registration.token_url) };
    },
    minted: () => minted,
    secrets: () => [...issued],
  };
}

export interface TemplateUse {
  readonly file: string;
  readonly issuer: TokenService;
  readonly parameters?: Readonly<Record<string, string>>;
}

/** An example template (path relative to examples/) whose issuer is served by a loopback token service. */
export function template(file: string, issuer: TokenService, parameters: Record<string, string> = {}): TemplateUse {
  return { file, issuer, parameters };
}

/** The emulator's issuer mapping: each service's production `iss` → where it listens. */
export function issuerMap(services: readonly TokenService[]): Record<string, string> {
  return Object.fromEntries(services.filter((s) => s.issuerUrl !== s.localUrl).map((s) => [s.issuerUrl, s.localUrl]));
}

/** The emulator with example templates loaded as users deploy them, their issuers mapped to the token services. */
export async function startTemplates(
  templates: readonly TemplateUse[],
  options: Omit<StartEmulatorOptions, 'templates'> = {},
): Promise<RunningEmulator> {
  const emulator = await startEmulator({
    log: () => {},
    ...options,
    templates: templates.map((t) => ({ path: join(ROOT, 'examples', t.file), parameters: { ...t.parameters } })),
    issuers: { ...issuerMap(templates.map((t) => t.issuer)), ...options.issuers },
  });
  closers.push(() => emulator.close());
  return emulator;
}

/** The physical id of a logical resource, failing loudly when the template lacks it. */
export function physicalId(emulator: RunningEmulator, logicalId: string): string {
  const id = emulator.ids[logicalId];
  if (!id) throw new Error(`no ${logicalId} among ${Object.keys(emulator.ids).join(', ')}`);
  return id;
}

/** `arn:aws:iam::<acct>:role/<name>` → `arn:aws:sts::<acct>:assumed-role/<name>/<session>`. */
export function assumedRoleArn(roleArn: string, sessionName: string): string {
  const match = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!match) throw new Error(`not a role ARN: ${roleArn}`);
  return `arn:aws:sts::${match[1]}:assumed-role/${match[2]}/${sessionName}`;
}

/** The claims GitHub puts in an Actions ID token (the service adds iss/aud/iat/exp/jti). */
export function githubRunClaims(
  repository: string,
  extra: Record<string, unknown> = {},
): Record<string, string | number | boolean> {
  return {
    sub: `repo:${repository}:ref:refs/heads/main`,
    repository,
    repository_owner: repository.split('/')[0] ?? repository,
    ref: 'refs/heads/main',
    sha: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
    run_id: '4242424242',
    actor: 'octocat',
    event_name: 'push',
    workflow: 'deploy',
    ...(extra as Record<string, string | number | boolean>),
  };
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The `AWS_*` variables of a run, as credentials. */
export function credentialsFromVariables(vars: Readonly<Record<string, string | undefined>>): Credentials {
  return {
    accessKeyId: vars.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: vars.AWS_SECRET_ACCESS_KEY ?? '',
    sessionToken: vars.AWS_SESSION_TOKEN ?? '',
  };
}

/** A GetCallerIdentity signed with these credentials; the emulator checks the signature and the session. */
export async function callerArn(endpoint: string, credentials: Credentials): Promise<string> {
  const sts = new STSClient({ region: REGION, endpoint, credentials, maxAttempts: 1 });
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    return identity.Arn ?? '(none)';
  } finally {
    sts.destroy();
  }
}

/**
 * Nothing secret in `text`: none of the given secrets (in any printed form) and, whatever the list holds, nothing
 * shaped like a JWT or a temporary access key id — except inside `::add-mask::` lines, which exist to hide them.
 */
export function assertNothingSecret(text: string, secrets: readonly (string | undefined)[]): void {
  assertNoSecretLeak(text, secrets);
  // The runner swallows `::add-mask::` lines; anywhere else a value of these shapes was printed.
  const shown = text
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  expect(shown).not.toMatch(JWT_SHAPE);
  expect(shown).not.toMatch(TEMPORARY_KEY_SHAPE);
}

/** `KEY=VALUE` lines as written by `env --format dotenv` (no quoting, no export). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    if (equals <= 0) throw new Error(`not a dotenv line: ${line.slice(0, 40)}`);
    out[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return out;
}
