/**
 * dist/ ships a source map beside every bundle of the programs, read only under --debug / KEYLESS_AWS_DEBUG /
 * RUNNER_DEBUG so a stack trace points into src/; the normal path never reads one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DIST_MAIN, ROOT } from '../support/run-dist';

const PROGRAM_DIRS = ['dist', 'dist/cleanup', 'dist/issuer', 'dist/emulator'];

function runToken(extraArgs: string[], env: Record<string, string> = {}) {
  return spawnSync(
    process.execPath,
    [DIST_MAIN, 'token', '--token-source', 'file', '--web-identity-token-file', '/nonexistent/token', ...extraArgs],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
  );
}

it.each(PROGRAM_DIRS)('%s: every bundle has a map whose project sources exist', (dir) => {
  const bundles = readdirSync(join(ROOT, dir)).filter((name) => name.endsWith('.js'));
  expect(bundles.length).toBeGreaterThan(0);
  for (const bundle of bundles) {
    const file = join(ROOT, dir, bundle);
    expect(readFileSync(file, 'utf8').trimEnd().endsWith(`//# sourceMappingURL=${bundle}.map`)).toBe(true);
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
    const ours = map.sources.filter((source) => /(^|\/)src\//.test(source) && !source.includes('node_modules'));
    for (const source of ours) expect(existsSync(resolve(dirname(file), source))).toBe(true);
  }
});

it('a failure under --debug shows a stack trace in src/', () => {
  const run = runToken(['--debug']);
  expect(run.status).toBe(3);
  expect(run.stderr).toMatch(/at .*src\/token\/file\.ts:\d+/);
});

it('KEYLESS_AWS_DEBUG=1 does the same without the flag', () => {
  expect(runToken([], { KEYLESS_AWS_DEBUG: '1' }).stderr).toMatch(/src\/token\/file\.ts:\d+/);
});

it('without debug: one clear error, no stack trace and no map read', () => {
  const run = runToken([]);
  expect(run.status).toBe(3);
  expect(run.stderr).toContain('Cannot read the token file /nonexistent/token');
  expect(run.stderr).not.toMatch(/\n\s+at /);
});
