import { isAbsolute, resolve } from 'node:path';
import { type ProviderConfig, providerNamed, readProvidersFile } from '../../auth/config';
import { credentialKey, keepCredentials, keptSession } from '../../auth/credential-cache';
import { defaultBrowserCommand } from '../../auth/open-browser';
import { authPaths } from '../../auth/paths';
import type { ProviderEndpoint } from '../../auth/provider';
import type { SessionStore } from '../../auth/session-store';
import { storeChoice } from '../../auth/store-choice';
import { InputError } from '../../errors';
import type { Session } from '../../exchange/session';
import { sanitizeSessionName } from '../../settings/ci-context';
import { parseSettings } from '../../settings/parse';
import type { Settings } from '../../settings/types';
import type { SettingsSource } from '../../settings/values';
import { credentialProcessDocument } from '../../sink/credential-process';
import { credentialVariables } from '../../sink/env-vars';
import { formatVariables, type ShellFormat } from '../../sink/shell-formats';
import { decodeToken } from '../../token/token';
import { type CommandContext, cliSettingsSource } from '../context';

/** offline_access asks for a refresh token, so one sign-in lasts the day (Google: set scopes without it). */
export const DEFAULT_SCOPES = 'openid email profile offline_access';
const DEFAULT_LOGIN_TIMEOUT_S = 300;
/** parseSettings wants a token source; the real one (the signed-in token) replaces this after sign-in. */
const PENDING_TOKEN_VARIABLE = 'KEYLESS_AWS_PENDING_SIGN_IN';

/** The provider's file values under the flags: a flag given on this call (or in a credential_process line) wins. */
export function withProviderDefaults(base: SettingsSource, provider: ProviderConfig): SettingsSource {
  return {
    ...base,
    explicit: (name) =>
      base.explicit(name) ?? (name === 'token-source' ? `env:${PENDING_TOKEN_VARIABLE}` : provider.values.get(name)),
    env: { ...base.env, [PENDING_TOKEN_VARIABLE]: 'pending' },
  };
}

/** A bad value from the file is reported at its file and line, not as a flag the user never typed. */
export function parseWithFileLabels<T>(
  parse: (source: SettingsSource) => T,
  source: SettingsSource,
  provider: ProviderConfig,
  flags: ReadonlyMap<string, string>,
): T {
  try {
    return parse(source);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const fromFile = [...provider.where.keys()].find((key) => !flags.has(key) && error.message.includes(`--${key}`));
    if (!fromFile) throw error;
    const message = error.message.replace(`--${fromFile}`, `key "${fromFile}" (${provider.where.get(fromFile)})`);
    throw new InputError(message, error.hint);
  }
}

function endpointOf(context: CommandContext, name: string, provider: ProviderConfig): ProviderEndpoint {
  const option = (key: string) => context.invocation.options.get(key) ?? provider.values.get(key);
  const secret = provider.values.get('client-secret');
  return {
    name,
    issuer: option('issuer')!,
    clientId: option('client-id')!,
    ...(secret ? { clientSecret: secret } : {}),
    scopes: option('scopes') ?? DEFAULT_SCOPES,
  };
}

/** CloudTrail shows who: the person's e-mail (or subject). */
export function personalSessionNameOf(claims: Record<string, unknown>): string | undefined {
  const who = [claims.email, claims.preferred_username, claims.sub].find((v) => typeof v === 'string') as
    | string
    | undefined;
  return who ? sanitizeSessionName(who) : undefined;
}

function personalSessionName(settings: Settings, claims: Record<string, unknown>, chosen: boolean): Settings {
  if (chosen) return settings;
  const name = personalSessionNameOf(claims);
  return name ? { ...settings, roleSessionName: name } : settings;
}

/** The provider a person signs in with: its file entry under this call's flags, and where sessions are kept. */
export interface PersonProvider {
  readonly name: string;
  readonly provider: ProviderConfig;
  readonly endpoint: ProviderEndpoint;
  readonly store: SessionStore;
  readonly timeoutMs: number;
}

/** `<provider>` and its flags (`--config`, `--issuer`, `--client-id`, `--scopes`, `--login-timeout-s`). */
export function personProvider(context: CommandContext): PersonProvider {
  const { invocation } = context;
  const name = invocation.positional!;
  const configFlag = invocation.options.get('config');
  const paths = authPaths(
    context.env,
    configFlag && !isAbsolute(configFlag) ? resolve(context.cwd, configFlag) : configFlag,
  );
  const provider = providerNamed(readProvidersFile(paths.configFile, paths.configFrom), name);
  const timeoutS = Number(invocation.options.get('login-timeout-s') ?? DEFAULT_LOGIN_TIMEOUT_S);
  if (!Number.isInteger(timeoutS) || timeoutS < 1) {
    throw new InputError(`--login-timeout-s must be a whole number of seconds ≥ 1.`);
  }
  return {
    name,
    provider,
    endpoint: endpointOf(context, name, provider),
    store: {
      dir: paths.sessionDir,
      ...storeChoice(invocation.options.get('session-store'), context.env, provider),
      findKeychain: async () => (await import('../../auth/keychain/find-keychain')).findKeychain(context.env),
      log: context.log,
    },
    timeoutMs: timeoutS * 1000,
  };
}

/** The person's ID token: the kept one, refreshed, or a new sign-in (browser, or the device flow with --device). */
export async function personIdToken(context: CommandContext, person: PersonProvider): Promise<string> {
  const { signIn } = await import('../../auth/sign-in');
  return signIn({
    provider: person.endpoint,
    store: person.store,
    device: context.invocation.options.get('device') === 'true',
    browser:
      context.invocation.options.get('browser') ?? person.provider.values.get('browser') ?? defaultBrowserCommand(),
    timeoutMs: person.timeoutMs,
    log: context.log,
  });
}

/** `auth <provider>`: a person's sign-in, then the same exchange and sinks as a pipeline's token. */
export async function authCommand(context: CommandContext): Promise<number> {
  const { invocation } = context;
  const person = personProvider(context);
  const { name, provider } = person;
  const parsed = parseWithFileLabels(
    parseSettings,
    withProviderDefaults(cliSettingsSource(context), provider),
    provider,
    invocation.settings,
  );

  const key = credentialKey(parsed, person.endpoint);
  const kept = keptSession(person.store.dir, name, key);
  if (kept) {
    context.stdout(present(kept, parsed.region, invocation.options.get('format')));
    return 0;
  }

  const idToken = await personIdToken(context, person);
  const token = { kind: 'signed-in', provider: name, value: idToken } as const;
  const settings = personalSessionName(
    { ...parsed, source: { kind: 'web-identity', token } },
    decodeToken(idToken, `sign-in with ${name}`).claims,
    invocation.settings.has('role-session-name') || provider.values.has('role-session-name'),
  );
  // Loaded only now: a call served from the kept session never compiles the exchange.
  const { obtainSession } = await import('../../exchange/obtain');
  const session = await obtainSession(settings, context.log);
  await keepCredentials(person.store.dir, name, key, idToken, session);
  context.stdout(present(session, settings.region, invocation.options.get('format')));
  return 0;
}

function present(session: Session, region: string, format = 'credential-process'): string {
  return format === 'credential-process'
    ? credentialProcessDocument(session)
    : formatVariables(credentialVariables(session, region), format as ShellFormat);
}
