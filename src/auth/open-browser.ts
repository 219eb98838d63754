/** The platform's "open this URL" command when the providers file names none. */
export function defaultBrowserCommand(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'open {}';
  // Not `cmd /c start "" {}`: cmd reads the whole command line, so the `&` between the URL's query parameters would
  // end the command there (the browser gets half a URL) and run the rest as commands. rundll32 hands the URL, as one
  // argument, to the default browser without any shell (as Go's pkg/browser and many tools do).
  if (platform === 'win32') return 'rundll32 url.dll,FileProtocolHandler {}';
  return 'xdg-open {}';
}

/**
 * Splits the browser command on spaces (double quotes group words) and puts the URL where `{}` is. No shell runs it,
 * so nothing in the URL is interpreted. Every local user can read a process's argv (`ps`, /proc/PID/cmdline), so
 * the URL given here must be worth nothing to them: the sign-in's one-time launch address, or a file:// page only
 * this user can read (console), never an authorization URL or a SigninToken.
 */
export function browserArgv(command: string, url: string): string[] {
  // A word is a run of unquoted characters and "quoted parts" (`--profile-directory="Profile 1"` is one word).
  const words = command.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  return words.map((w) => w.replace(/"/g, '').split('{}').join(url));
}

/** Starts the browser and returns whether it could be started; it is left running on its own. */
export async function openBrowser(command: string, url: string): Promise<boolean> {
  const [program, ...args] = browserArgv(command, url);
  if (!program) return false;
  // Loaded here, not at the top: `auth` imports this module for defaultBrowserCommand on every call, and a call
  // answered from the kept credentials opens no browser.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
