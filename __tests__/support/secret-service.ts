/**
 * A real Secret Service for tests: a private D-Bus session bus (dbus-run-session) with gnome-keyring-daemon's
 * secrets component, its login keyring created and unlocked with a test password given on stdin. Everything lives
 * in a temporary HOME; the bus and the daemon end when `close` ends dbus-run-session's child.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecretService {
  /** HOME, XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS and a PATH with secret-tool. */
  readonly env: Record<string, string>;
  readonly home: string;
  close(): Promise<void>;
}

const SCRIPT = `
printf '%s\\n' "$DBUS_SESSION_BUS_ADDRESS"
printf '%s' keyless-test-password | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null 2>&1
printf 'ready\\n'
exec cat >/dev/null
`;

export async function startSecretService(): Promise<SecretService> {
  const home = mkdtempSync(join(tmpdir(), 'secret-service-'));
  const runtime = join(home, 'run');
  const env = { PATH: '/usr/bin:/bin', HOME: home, XDG_RUNTIME_DIR: runtime };
  writeFileSync(join(home, 'start.sh'), SCRIPT);
  mkdirSync(runtime, { mode: 0o700 });
  chmodSync(runtime, 0o700);
  const child: ChildProcess = spawn('dbus-run-session', ['--', 'sh', join(home, 'start.sh')], {
    env,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const lines = await new Promise<string[]>((resolvePromise, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`the Secret Service did not start: ${text}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('ready\n')) {
        clearTimeout(timer);
        resolvePromise(text.split('\n'));
      }
    });
    child.on('error', reject);
  });
  return {
    home,
    env: { ...env, DBUS_SESSION_BUS_ADDRESS: lines[0]! },
    async close() {
      const ended = new Promise((resolvePromise) => child.once('exit', resolvePromise));
      child.stdin!.end();
      await Promise.race([ended, new Promise((resolvePromise) => setTimeout(resolvePromise, 5_000).unref())]);
      child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    },
  };
}
