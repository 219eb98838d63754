/**
 * The built emulator (dist/emulator/index.js) as its own process, as a developer starts it:
 *
 *   const emulator = await startDistEmulator(['--template', file, '--config', keysFile]);
 *   emulator.url, emulator.ids.PeoplePool   // its two stdout lines: the endpoint, then the ids of what it loaded
 *   await emulator.close();                 // SIGTERM, then waits for the exit
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT } from '../../support/run-dist';

export interface DistEmulator {
  readonly url: string;
  readonly ids: Readonly<Record<string, string>>;
  readonly child: ChildProcessWithoutNullStreams;
  close(): Promise<void>;
}

export async function startDistEmulator(args: readonly string[]): Promise<DistEmulator> {
  const child = spawn(process.execPath, [`${ROOT}/dist/emulator/index.js`, '--port', '0', ...args], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const [url, idsLine] = await new Promise<string[]>((resolve, reject) => {
    const lines: string[] = [];
    const timer = setTimeout(() => reject(new Error(`the emulator did not start in 20 s: ${stderr}`)), 20_000);
    const reader = createInterface({ input: child.stdout });
    reader.on('line', (line) => {
      lines.push(line);
      if (lines.length === 2) {
        clearTimeout(timer);
        reader.close();
        resolve(lines);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited with ${code}: ${stderr}`));
    });
  });
  return {
    url: url!,
    ids: JSON.parse(idsLine!) as Record<string, string>,
    child,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
