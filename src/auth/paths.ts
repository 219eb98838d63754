import { lstatSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { xdgBase } from '../shared/xdg';

type Env = Readonly<Record<string, string | undefined>>;

/** The per-user configuration directory the platform expects (XDG on Linux, Application Support, %APPDATA%). */
function configBase(env: Env, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') return env.APPDATA || join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  return xdgBase(env.XDG_CONFIG_HOME, home, '.config');
}

/** Where state that must survive between calls lives (sessions); never a shared or world-readable place. */
function stateBase(env: Env, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') return env.LOCALAPPDATA || join(home, 'AppData', 'Local');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  return xdgBase(env.XDG_STATE_HOME, home, join('.local', 'state'));
}

export interface AuthPaths {
  /** The providers file, and how the user chose it (for messages). */
  readonly configFile: string;
  readonly configFrom: string;
  /** 0700 directory holding one 0600 session file per provider (when no keychain is used). */
  readonly sessionDir: string;
}

export function authPaths(
  env: Env,
  configFlag?: string,
  platform: NodeJS.Platform = process.platform,
  home: string = env.HOME || homedir(),
): AuthPaths {
  const sessionDir = join(stateBase(env, platform, home), 'keyless-aws', 'sessions');
  if (configFlag) return { configFile: configFlag, configFrom: '--config', sessionDir };
  if (env.KEYLESS_AWS_CONFIG)
    return { configFile: env.KEYLESS_AWS_CONFIG, configFrom: 'KEYLESS_AWS_CONFIG', sessionDir };
  return {
    configFile: join(configBase(env, platform, home), 'keyless-aws', 'config'),
    configFrom: 'default',
    sessionDir,
  };
}

/**
 * Whether `dir` is what the XDG spec promises of $XDG_RUNTIME_DIR: a directory (not a link) of this user that no one
 * else may enter. A value pointing elsewhere (sudo, a container, a script setting it to a path under /tmp) would
 * put our directory in one another user can rename and replace between our checks and our writes.
 */
export function isOwnPrivateDir(dir: string): boolean {
  try {
    const stat = lstatSync(dir);
    const uid = process.getuid?.();
    return stat.isDirectory() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/**
 * Where short-lived private files go (the console's forwarding page): the per-user runtime directory where the
 * platform has one (`$XDG_RUNTIME_DIR`, a 0700 tmpfs the login session owns and empties at logout) and it is
 * really private, else the user's cache directory. Never /tmp: a shared directory invites another user's planted
 * file or link.
 */
export function runtimeDir(
  env: Env,
  platform: NodeJS.Platform = process.platform,
  home: string = env.HOME || homedir(),
  isPrivate: (dir: string) => boolean = isOwnPrivateDir,
): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'keyless-aws', 'runtime');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'keyless-aws');
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime) && isPrivate(runtime)) return join(runtime, 'keyless-aws');
  return join(xdgBase(env.XDG_CACHE_HOME, home, '.cache'), 'keyless-aws', 'runtime');
}
