import { homedir } from 'node:os';
import { CacheUnavailable, cacheDirectoryOf, openCacheDirectory } from '../../cache/cache-directory';
import { cacheNameOf } from '../../cache/cache-key';
import { cachedSession, DEFAULT_MARGIN_SECONDS } from '../../cache/credential-cache';
import type { Session } from '../../exchange/session';
import type { Logger } from '../../log';
import { shownValue } from '../../secrets';
import { parseSettings } from '../../settings/parse';
import type { Settings } from '../../settings/types';
import { credentialProcessDocument } from '../../sink/credential-process';
import { type CommandContext, cliSettingsSource } from '../context';
import { UsageError } from '../usage-error';

/** Longest margin: the longest session STS grants. */
const MAX_MARGIN_SECONDS = 43_200;

/**
 * `credential-process`: the JSON an SDK reads from a credential_process. Credentials come from the per-user cache
 * while more than the margin of their lifetime remains (the AWS CLI runs the process for every command); otherwise
 * a fresh CI token is exchanged. The exchange (token sources, the STS client) loads only on a miss, so a cache hit
 * starts little more than Node itself.
 */
export async function credentialProcessCommand(context: CommandContext): Promise<number> {
  const settings = parseSettings(cliSettingsSource(context));
  const margin = marginSeconds(context);
  const fetch = async () => (await import('../../exchange/obtain')).obtainSession(settings, context.log);
  const session = cacheOff(context) ? await fetch() : await throughCache(context, settings, margin, fetch);
  context.stdout(credentialProcessDocument(session));
  return 0;
}

function cacheOff(context: CommandContext): boolean {
  return context.invocation.options.get('no-cache')?.toLowerCase() === 'true';
}

function marginSeconds(context: CommandContext): number {
  const given = context.invocation.options.get('cache-margin-s');
  if (given === undefined) return DEFAULT_MARGIN_SECONDS;
  const seconds = Number(given);
  if (!/^\d+$/.test(given) || seconds > MAX_MARGIN_SECONDS) {
    throw new UsageError(
      `--cache-margin-s must be a whole number of seconds from 0 to ${MAX_MARGIN_SECONDS}; got ${shownValue(given)}.`,
    );
  }
  return seconds;
}

async function throughCache(
  context: CommandContext,
  settings: Settings,
  margin: number,
  fetch: () => Promise<Session>,
): Promise<Session> {
  const name = cacheNameOf(settings);
  if (!name) return fetch();
  const warn = warnOnce(context.log);
  let dir: string;
  try {
    dir = openCacheDirectory(cacheDirectoryOf(context.env, context.env.HOME || homedir()), context.env);
  } catch (error) {
    if (!(error instanceof CacheUnavailable)) throw error;
    warn(`credential cache not used: ${error.message}`);
    return fetch();
  }
  const debug = (message: string) => context.log.debug(message);
  return cachedSession({ dir, name, marginMs: margin * 1000, waitMs: settings.timeoutMs, warn, debug }, fetch);
}

/** The cache may fail in several places in one call; the user hears about it once. */
function warnOnce(log: Logger): (message: string) => void {
  let warned = false;
  return (message) => {
    if (!warned) log.warn(`${message}; fetched without it (--no-cache turns the cache off).`);
    warned = true;
  };
}
