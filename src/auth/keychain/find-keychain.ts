/**
 * Whether this machine has a keychain we can drive, decided without starting a process (this runs before every
 * sign-in is read): the tool is where the OS puts it and, on Linux, there is a session bus for the Secret Service.
 * Whether a Secret Service actually answers on that bus is learnt from the first call, which says so on stderr.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Keychain } from './keychain';
import { macosKeychain } from './macos-keychain';
import { secretServiceKeychain } from './secret-service';
import { windowsCredentials } from './windows-credentials';

type Env = Readonly<Record<string, string | undefined>>;

export type KeychainLookup =
  | { readonly keychain: Keychain }
  | { readonly keychain?: undefined; readonly missing: string; readonly fix: string };

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(env: Env, name: string): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** libdbus and GLib use DBUS_SESSION_BUS_ADDRESS, else the systemd user bus at $XDG_RUNTIME_DIR/bus. */
function hasSessionBus(env: Env): boolean {
  if (env.DBUS_SESSION_BUS_ADDRESS) return true;
  if (!env.XDG_RUNTIME_DIR) return false;
  try {
    return statSync(join(env.XDG_RUNTIME_DIR, 'bus')).isSocket();
  } catch {
    return false;
  }
}

export function findKeychain(env: Env, platform: NodeJS.Platform = process.platform): KeychainLookup {
  if (platform === 'darwin') {
    return executable('/usr/bin/security')
      ? { keychain: macosKeychain({ path: '/usr/bin/security', env: { ...env } }) }
      : { missing: '/usr/bin/security is missing', fix: 'this macOS install has no security tool' };
  }
  if (platform === 'win32') {
    // The system's Windows PowerShell, not whatever powershell.exe comes first on PATH.
    const root = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
    return {
      keychain: windowsCredentials({
        path: `${root}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`,
        env: { ...env },
      }),
    };
  }
  const tool = onPath(env, 'secret-tool');
  if (!tool)
    return { missing: 'secret-tool is not on PATH', fix: 'install libsecret-tools (Debian, Ubuntu) or libsecret' };
  if (!hasSessionBus(env)) {
    return {
      missing: 'there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)',
      fix: 'sign in to a desktop session, or run under dbus-run-session with a Secret Service such as gnome-keyring',
    };
  }
  return { keychain: secretServiceKeychain({ path: tool, env: { ...env } }) };
}
