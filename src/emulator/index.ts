// Programmatic API: start the emulator in-process (tests, demo script). `main.ts` is a thin CLI over this.
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from './clock';
import { type LoadedTemplate, loadTemplateFile, type SharedParameters, type TemplateSource } from './cloudformation';
import { CognitoIdentityService } from './cognito';
import { CognitoIssuer } from './cognito-issuer';
import { applyConfig, type EmulatorConfig } from './config';
import { EmulatorConfigError } from './errors';
import { IamModel, isAllowedFetchUrl, type StaticAccessKey } from './iam-model';
import { issuerKeySources } from './issuer-map';
import { JwksCache } from './oidc-verify';
import { createEmulatorServer } from './server';
import { SessionStore } from './sessions';
import { FederationEndpoint } from './signin/federation';

export type { TrustDecision, TrustPrincipal, TrustRequest } from '../policy';
export { ConditionContext, evaluateTrustPolicy } from '../policy';
export type { Clock } from './clock';
export type { LoadedTemplate, SharedParameters, TemplateSource } from './cloudformation';
export type { EmulatorConfig, IdentityPoolConfig } from './config';
export { parseEmulatorConfig } from './config';
export { CognitoError, EmulatorConfigError, StsError } from './errors';
export type {
  IdentityPool,
  IdentityPoolInput,
  OidcProvider,
  OidcProviderInput,
  PrincipalTagMap,
  Role,
  RoleInput,
  StaticAccessKey,
} from './iam-model';
export { COGNITO_PROVIDER, IamModel } from './iam-model';
export { validateTrustPolicy } from './trust-policy-validation';

export interface StartEmulatorOptions {
  /** CloudFormation templates (paths, or paths with parameter overrides). */
  templates?: Array<string | TemplateSource>;
  /** Overrides applied to every template that declares the parameter (each must be declared by at least one). */
  parameters?: SharedParameters;
  /**
   * Production issuer URL → loopback URL serving that issuer's discovery document and JWKS, so templates naming
   * the real issuer load unchanged; tokens keep the production `iss`. Merged over `config.issuers`.
   */
  issuers?: Record<string, string>;
  config?: EmulatorConfig;
  /** Extra long-lived keys for signing AssumeRole / GetCallerIdentity (same as `config.accessKeys`). */
  accessKeys?: StaticAccessKey[];
  /** Default: config.accountId, else 123456789012. */
  accountId?: string;
  /** Default: config.region, else us-east-1. Used for pool/identity ids and the Cognito key id. */
  region?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default Date.now; inject to expire tokens and sessions in tests. */
  clock?: Clock;
  /** Request log sink, one line per request. Default: stderr. Pass `() => {}` to silence. */
  log?: (line: string) => void;
  /** Timeout for each discovery/JWKS fetch. Default 5000 ms. */
  jwksTimeoutMs?: number;
  /** Pools whose AllowClassicFlow was never set allow GetOpenIdToken (observed quirk). Default: config's, else false. */
  unsetAllowsClassicFlow?: boolean;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>` — the endpoint for STS and Cognito Identity. */
  url: string;
  /** Logical id (templates) or object name (config) → physical id. */
  ids: Record<string, string>;
  /** `iss` of tokens from GetOpenIdToken; discovery at `<issuer>/.well-known/openid-configuration`. */
  cognitoIssuerUrl: string;
  model: IamModel;
  close(): Promise<void>;
}

function stderrLog(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Builds the IAM model from config and templates; throws EmulatorConfigError on any problem. */
export function buildModel(options: StartEmulatorOptions): {
  model: IamModel;
  ids: Record<string, string>;
  skipped: string[];
  /** Template path → its evaluated Outputs. */
  outputs: Record<string, Record<string, unknown>>;
} {
  const config = options.config ?? {};
  const model = new IamModel(
    options.accountId ?? config.accountId ?? '123456789012',
    options.region ?? config.region ?? 'us-east-1',
  );
  const ids = applyConfig(model, config);
  for (const key of options.accessKeys ?? []) model.addAccessKey(key);
  const shared = options.parameters ?? {};
  const used = new Set<string>();
  const skipped: string[] = [];
  const outputs: Record<string, Record<string, unknown>> = {};
  for (const entry of options.templates ?? []) {
    const source = typeof entry === 'string' ? { path: entry } : entry;
    const loaded: LoadedTemplate = loadTemplateFile(model, source, shared);
    for (const [logicalId, physicalId] of Object.entries(loaded.ids)) {
      if (ids[logicalId] !== undefined && ids[logicalId] !== physicalId) {
        throw new EmulatorConfigError(
          `${source.path}: logical id ${logicalId} is already used by another template or the config`,
        );
      }
      ids[logicalId] = physicalId;
    }
    for (const name of loaded.usedSharedParameters) used.add(name);
    skipped.push(...loaded.skipped.map((s) => `${source.path}: ${s}`));
    outputs[source.path] = loaded.outputs;
  }
  const unused = Object.keys(shared).filter((name) => !used.has(name));
  if (unused.length > 0)
    throw new EmulatorConfigError(`parameter(s) ${unused.join(', ')} are not declared by any template`);
  return { model, ids, skipped, outputs };
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const log = options.log ?? stderrLog;
  const clock = options.clock ?? systemClock;
  const { model, ids, skipped } = buildModel(options);
  for (const s of skipped) log(`template: not emulated: ${s}`);
  const keySources = issuerKeySources(model, { ...options.config?.issuers, ...options.issuers });
  for (const provider of model.listProviders()) {
    if (!keySources.has(provider.url) && !isAllowedFetchUrl(provider.url)) {
      log(
        `OIDC provider ${provider.url}: no local key source, its tokens will be refused (map it with --issuer ${provider.url}=http://127.0.0.1:PORT)`,
      );
    }
  }

  const issuer = await CognitoIssuer.create(model.region);
  const jwks = new JwksCache({ clock, timeoutMs: options.jwksTimeoutMs, keySources });
  const sessions = new SessionStore(clock);
  const cognito = new CognitoIdentityService({
    model,
    jwks,
    issuer,
    clock,
    unsetAllowsClassicFlow: options.unsetAllowsClassicFlow ?? options.config?.unsetAllowsClassicFlow ?? false,
  });
  const federation = new FederationEndpoint(sessions, clock);
  const server = createEmulatorServer({
    sts: { model, sessions, jwks, cognito: issuer, clock },
    cognito,
    issuer,
    federation,
    log,
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostPart}:${address.port}`;
  issuer.setEndpoint(url);

  return {
    url,
    ids,
    cognitoIssuerUrl: issuer.issuerUrl,
    model,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
