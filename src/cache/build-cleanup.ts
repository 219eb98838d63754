import { homedir } from 'node:os';
import { cacheDirectoryOf, type Env } from './cache-directory';
import { buildIdOf, tokenIdentity } from './cache-key';
import { removeBuildEntries } from './credential-cache';

/**
 * The post step's share of the cache: the entries a refreshable profile's credential_process cached for this job.
 * They are found by the job's request token (the same for every step of the job), so entries of other jobs on the
 * same runner are left alone. Returns how many were removed.
 */
export function removeJobCacheEntries(env: Env): number {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !requestToken) return 0; // no ID token in this job: nothing can have been cached
  const identity = tokenIdentity({ kind: 'github', url, requestToken }, {});
  if (identity === undefined) return 0;
  return removeBuildEntries(cacheDirectoryOf(env, env.HOME || homedir()), buildIdOf(identity));
}
