import { isAbsolute, join } from 'node:path';

/**
 * An XDG base directory (`XDG_CACHE_HOME`, `XDG_STATE_HOME`, `XDG_CONFIG_HOME`) or its default under the home
 * directory. The XDG Base Directory spec says a relative value is invalid and must be ignored: taken as given, it
 * would put credentials or sign-in sessions under whatever directory the command runs in (often a checkout).
 */
export function xdgBase(value: string | undefined, home: string, fallback: string): string {
  return value && isAbsolute(value) ? value : join(home, fallback);
}
