import { homedir } from 'node:os';
import type { TokenSourceSpec } from '../settings/types';
import { cacheDirectoryOf, type Env } from './cache-directory';
import { buildIdOf, tokenIdentity } from './cache-key';
import { removeBuildEntries } from './credential-cache';

/**
 * Removes every entry cached for the build this token source speaks for (all its roles and settings), leaving other
 * builds' entries alone. For whatever ends a build: the action's post step, a profile's removal. Returns how many.
 */
export function removeBuildCache(spec: TokenSourceSpec, vars: Readonly<Record<string, string>>, env: Env): number {
  const identity = tokenIdentity(spec, vars);
  if (identity === undefined) return 0;
  return removeBuildEntries(cacheDirectoryOf(env, env.HOME || homedir()), buildIdOf(identity));
}

/**
 * The post step's share: the entries a refreshable profile's credential_process cached in later steps of this job,
 * found by the job's request token (the same in every step of a job).
 */
export function removeJobCacheEntries(env: Env): number {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !requestToken) return 0; // no ID token in this job: nothing can have been cached
  return removeBuildCache({ kind: 'github', url, requestToken }, {}, env);
}
