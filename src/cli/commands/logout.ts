import { isAbsolute, resolve } from 'node:path';
import { PROVIDER_NAME, type ProvidersFile, readProvidersFile } from '../../auth/config';
import { authPaths } from '../../auth/paths';
import { readSignIn, removeSessions, type SessionStore } from '../../auth/session-store';
import { InputError } from '../../errors';
import type { Logger } from '../../log';
import { oneLine } from '../../printable';
import type { CommandContext } from '../context';
import { DEFAULT_SCOPES } from './auth';

/** Revokes a kept refresh token where the provider has a revocation endpoint; a failure is said, never fatal. */
async function revoke(file: ProvidersFile | undefined, name: string, store: SessionStore, log: Logger): Promise<void> {
  const kept = await readSignIn(store, name);
  const provider = file?.providers.get(name);
  if (!kept?.refreshToken || !provider) return;
  const { discover, loadOpenIdClient } = await import('../../auth/provider');
  try {
    const client = await loadOpenIdClient();
    const endpoint = {
      name,
      issuer: kept.issuer,
      clientId: kept.clientId,
      scopes: DEFAULT_SCOPES,
      ...(provider.values.get('client-secret') ? { clientSecret: provider.values.get('client-secret')! } : {}),
    };
    const config = await discover(client, endpoint);
    if (!config.serverMetadata().revocation_endpoint) {
      log.info(`${name} has no revocation endpoint; the refresh token lapses on its own.`);
      return;
    }
    await client.tokenRevocation(config, kept.refreshToken, { token_type_hint: 'refresh_token' });
    log.info(`Revoked the refresh token at ${name}.`);
  } catch (error) {
    log.warn(`Could not revoke the refresh token at ${name} (${(error as Error).message}); removing it here anyway.`);
  }
}

/** `logout [<provider>]`: forget kept sign-ins (revoking refresh tokens first where possible). */
export async function logoutCommand(context: CommandContext): Promise<number> {
  const name = context.invocation.positional;
  if (name !== undefined && !PROVIDER_NAME.test(name)) {
    throw new InputError(
      `logout: "${oneLine(name)}" is not a provider name.`,
      'Give the name of a [provider NAME] section (letters, digits, _ . -), or no name to sign out of every provider.',
    );
  }
  const configFlag = context.invocation.options.get('config');
  const paths = authPaths(
    context.env,
    configFlag && !isAbsolute(configFlag) ? resolve(context.cwd, configFlag) : configFlag,
  );
  let file: ProvidersFile | undefined;
  try {
    file = readProvidersFile(paths.configFile, paths.configFrom);
  } catch {
    file = undefined; // logging out must work even when the providers file is gone or broken
  }
  const names = name === undefined ? [...(file?.providers.keys() ?? [])] : [name];
  // Whatever session-store said when they were kept: the tokens are read from, and removed from, wherever they are.
  const store: SessionStore = {
    dir: paths.sessionDir,
    choice: 'auto',
    from: 'default',
    findKeychain: async () => (await import('../../auth/keychain/find-keychain')).findKeychain(context.env),
    log: context.log,
  };
  for (const each of names) await revoke(file, each, store, context.log);
  const removed = await removeSessions(store, name === undefined ? undefined : [name], names);
  context.log.info(removed.length > 0 ? `Signed out of ${removed.join(', ')}.` : 'No kept sign-in to remove.');
  return 0;
}
