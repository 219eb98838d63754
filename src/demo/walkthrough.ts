/**
 * `npm run demo -- jenkins`: the README's Jenkins walkthrough, run as written. The shell blocks come from README.md
 * (each marked `<!-- readme-test: jenkins-walkthrough-… -->`), so what a reader copies and what runs here cannot
 * drift apart. Only the two ports are changed, to free ones, so that a busy 8080 or 4566 does not stop the demo.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The one line of the first block a run may change: the ports. */
export const PORTS_LINE = 'ISSUER_PORT=8080 EMULATOR_PORT=4566';
const MARKER = /<!-- readme-test: (jenkins-walkthrough-[\w-]+) -->\n```(?:sh|bash)\n([\s\S]*?)```/g;
const TIMEOUT_MS = 60_000;

export interface WalkthroughBlock {
  readonly id: string;
  readonly script: string;
}

/** The walkthrough's blocks, in the order the README shows them. */
export function walkthroughBlocks(readme: string): WalkthroughBlock[] {
  const blocks = [...readme.matchAll(MARKER)].map((m) => ({ id: m[1] ?? '', script: m[2] ?? '' }));
  if (blocks.length === 0 || !blocks[0]?.script.includes(PORTS_LINE)) {
    throw new Error(`README.md has no Jenkins walkthrough whose first block sets ${PORTS_LINE}`);
  }
  return blocks;
}

/** A port nobody listens on right now (the walkthrough's servers bind it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * One bash script: each block is shown (as `$ ` lines) and then run, in one shell so the blocks share their
 * variables as they do in a reader's terminal. The trap stops the background servers even when a step fails.
 */
export function walkthroughScript(blocks: readonly WalkthroughBlock[], ports: readonly [number, number]): string {
  const shown = (block: WalkthroughBlock, n: number) =>
    [
      `printf '\\n── step %d/%d (%s)\\n' ${n + 1} ${blocks.length} '${block.id}'`,
      `cat <<'KEYLESS_WALKTHROUGH_BLOCK'`,
      ...block.script
        .trimEnd()
        .split('\n')
        .map((line) => `$ ${line}`),
      'KEYLESS_WALKTHROUGH_BLOCK',
      block.script.replace(PORTS_LINE, `ISSUER_PORT=${ports[0]} EMULATOR_PORT=${ports[1]}`),
    ].join('\n');
  return [
    "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",
    'command -v aws >/dev/null || { echo "The last step runs the AWS CLI: install it (e.g. apt-get install awscli)." >&2; exit 1; }',
    ...blocks.map(shown),
    '',
  ].join('\n');
}

/** Runs the walkthrough from the repository root with the reader's environment; resolves to bash's exit code. */
export async function runJenkinsWalkthrough(root: string): Promise<number> {
  const blocks = walkthroughBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
  const ports: [number, number] = [await freePort(), await freePort()];
  console.log(
    `keyless-aws Jenkins walkthrough — the README's "Walkthrough: Jenkins to AWS on one machine" with the ports ` +
      `changed to ${ports.join(' and ')}; every command below runs as shown.`,
  );
  const started = Date.now();
  const child = spawn('bash', ['-euo', 'pipefail', '-c', walkthroughScript(blocks, ports)], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: TIMEOUT_MS,
    killSignal: 'SIGTERM',
  });
  const code = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (status) => resolve(status ?? 1));
  });
  console.log(
    code === 0
      ? `\nThe walkthrough ran end to end in ${Date.now() - started} ms.`
      : `\nThe walkthrough stopped with exit code ${code}; the step above it failed.`,
  );
  return code;
}
