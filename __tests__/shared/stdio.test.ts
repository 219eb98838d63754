import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const SIZE = 4 << 20; // far more than a pipe holds (64 KiB on Linux)

let dir: string;
beforeAll(() => {
  // The child runs the module itself, compiled here: what is tested is how it behaves on a real pipe.
  dir = mkdtempSync(join(tmpdir(), 'stdio-test-'));
  const source = readFileSync(join(__dirname, '../../src/shared/stdio.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS } });
  writeFileSync(join(dir, 'stdio.js'), outputText);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs `body` in a child whose stdout is a pipe made non-blocking (as a stream on the same descriptor would leave it),
 * and reads that pipe only after a pause, so that it fills up.
 */
function runOnFullPipe(body: string): Promise<{ code: number | null; read: number; stderr: string }> {
  const script = `
    new (require('node:net').Socket)({ fd: 1, readable: false, writable: true }); // sets O_NONBLOCK on fd 1
    const { writeAll, writeStdout } = require(${JSON.stringify(join(dir, 'stdio.js'))});
    ${body}
    process.exit(0);`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let read = 0;
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.pause();
    setTimeout(() => {
      child.stdout.on('data', (chunk: Buffer) => (read += chunk.length));
      child.stdout.resume();
    }, 300);
    child.on('close', (code) => resolve({ code, read, stderr }));
  });
}

describe('writeAll', () => {
  it('writes every byte to a full non-blocking pipe, waiting out EAGAIN', async () => {
    const result = await runOnFullPipe(`writeStdout('x'.repeat(${SIZE}));`);
    expect(result).toEqual({ code: 0, read: SIZE, stderr: '' });
  });

  it('is needed: a plain writeSync on the same pipe fails with EAGAIN', async () => {
    const result = await runOnFullPipe(`
      const b = Buffer.alloc(${SIZE}, 120);
      let offset = 0;
      try { while (offset < b.length) offset += require('node:fs').writeSync(1, b, offset); }
      catch (error) { process.stderr.write(error.code); process.exit(3); }`);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 3, stderr: 'EAGAIN' });
  });

  it('writes multi-byte characters whole', async () => {
    const euros = Math.floor(SIZE / 3); // three bytes each in UTF-8
    const result = await runOnFullPipe(`writeAll(1, '€'.repeat(${euros}));`);
    expect(result).toEqual({ code: 0, read: euros * 3, stderr: '' });
  });
});
