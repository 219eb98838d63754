/**
 * Runs a helper program (a keychain's command-line tool) with its input on stdin, bounded in time and in output.
 * Secrets travel on stdin and stdout only: argv is readable by every local user (`ps`), a pipe is not.
 */
import { spawn } from 'node:child_process';

export interface ToolRun {
  readonly input?: string;
  readonly timeoutMs: number;
  /** stdout and stderr together; more than this means the tool is not doing what we asked. */
  readonly maxOutputBytes: number;
  readonly env?: NodeJS.ProcessEnv;
}

export type ToolResult =
  | { readonly outcome: 'exited'; readonly code: number; readonly stdout: string; readonly stderr: string }
  | { readonly outcome: 'timeout' | 'too-much-output' | 'not-found' | 'signal'; readonly detail: string };

export function runTool(file: string, args: readonly string[], run: ToolRun): Promise<ToolResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(file, [...args], { stdio: ['pipe', 'pipe', 'pipe'], env: run.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: ToolResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (result.outcome !== 'exited') child.kill('SIGKILL');
      resolvePromise(result);
    };
    const timer = setTimeout(
      () => finish({ outcome: 'timeout', detail: `no answer within ${Math.round(run.timeoutMs / 1000)} s` }),
      run.timeoutMs,
    );
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > run.maxOutputBytes) finish({ outcome: 'too-much-output', detail: `over ${run.maxOutputBytes} bytes` });
      else into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.on('error', (error: NodeJS.ErrnoException) =>
      finish({ outcome: error.code === 'ENOENT' ? 'not-found' : 'signal', detail: error.code ?? error.message }),
    );
    child.on('close', (code, signal) =>
      finish(
        code === null
          ? { outcome: 'signal', detail: `ended by ${signal}` }
          : {
              outcome: 'exited',
              code,
              stdout: Buffer.concat(out).toString('utf8'),
              stderr: Buffer.concat(err).toString('utf8'),
            },
      ),
    );
    // A tool that exits before reading all of its input (EPIPE) is reported by its exit code, not by this stream.
    child.stdin.on('error', () => undefined);
    child.stdin.end(run.input ?? '');
  });
}
