/**
 * Where cached credentials live: a private directory of the user running keyless-aws, outside every workspace.
 * `$XDG_CACHE_HOME/keyless-aws`, else `~/.cache/keyless-aws` (`%LOCALAPPDATA%\keyless-aws\cache` on Windows). A
 * directory that someone else owns or could write to is refused: whoever can write there could plant credentials
 * for a role we would then hand to the SDK.
 */
import { chmodSync, lstatSync, mkdirSync, type Stats } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { isPrivate } from '../shared/private-file';
import { xdgBase } from '../shared/xdg';

export type Env = Readonly<Record<string, string | undefined>>;

/** The variables that name a checkout or workspace: the cache must never sit inside one (it would be archived). */
const WORKSPACE_VARIABLES = ['GITHUB_WORKSPACE', 'WORKSPACE', 'CI_PROJECT_DIR', 'CIRCLE_WORKING_DIRECTORY'];

/** The cache directory for this user, or why there is none. Pure: nothing is created. */
export function cacheDirectoryOf(env: Env, home: string, platform = process.platform): string {
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'keyless-aws', 'cache');
  return join(xdgBase(env.XDG_CACHE_HOME, home, '.cache'), 'keyless-aws');
}

/** Thrown when the directory cannot be used; the caller goes on without a cache. */
export class CacheUnavailable extends Error {}

const isInside = (dir: string, parent: string) => {
  const path = relative(resolve(parent), resolve(dir));
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
};

/**
 * Makes sure `dir` exists and is private (0700, ours, a real directory), creating it if needed. Throws
 * CacheUnavailable with the reason otherwise; never loosens or takes over a directory it did not create.
 */
export function openCacheDirectory(dir: string, env: Env): string {
  for (const name of WORKSPACE_VARIABLES) {
    const workspace = env[name];
    if (workspace && isAbsolute(workspace) && isInside(dir, workspace)) {
      throw new CacheUnavailable(`${dir} is inside the workspace (${name}); credentials are never cached there`);
    }
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new CacheUnavailable(`cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const info = lstatSync(dir);
  if (!info.isDirectory()) throw new CacheUnavailable(`${dir} is not a directory (a symbolic link?)`);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new CacheUnavailable(`${dir} belongs to user ${info.uid}, not to this user (${uid})`);
  }
  if (!isPrivate(info)) tighten(dir, info);
  return dir;
}

/** Ours but readable by others (an older umask, a copy): made private, or refused when others may write to it. */
function tighten(dir: string, info: Stats): void {
  if ((info.mode & 0o022) !== 0) {
    throw new CacheUnavailable(`${dir} is writable by group or others (mode ${(info.mode & 0o777).toString(8)})`);
  }
  try {
    chmodSync(dir, 0o700);
  } catch (error) {
    throw new CacheUnavailable(`cannot make ${dir} private (${(error as NodeJS.ErrnoException).code})`);
  }
}
