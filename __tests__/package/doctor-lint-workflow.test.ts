/**
 * examples/workflows/doctor-lint.yml: its doctor step is run for real (bash, the built dist/index.js) against this
 * repository's examples/, and what it writes is a SARIF 2.1.0 file the upload step can send: results located in
 * the templates by relative path and line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import YAML from 'yaml';
import { ROOT } from '../support/run-dist';

const workflow = YAML.parse(readFileSync(join(ROOT, 'examples', 'workflows', 'doctor-lint.yml'), 'utf8'));
type Step = { id?: string; uses?: string; run?: string; if?: string; with?: Record<string, string> };
const steps: Step[] = workflow.jobs['lint-trust-policies'].steps;
let temp: string;

beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'doctor-workflow-'));
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

test('runs on pull requests touching examples/ and uploads the SARIF the doctor step writes', () => {
  expect(workflow.on.pull_request.paths).toContain('examples/**');
  expect(workflow.permissions['security-events']).toBe('write');
  const upload = steps.find((s) => String(s.uses).startsWith('github/codeql-action/upload-sarif@'));
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template literal
  expect(upload?.with?.sarif_file).toBe('${{ runner.temp }}/doctor.sarif');
  expect(upload?.if).toContain('!cancelled()');
});

test('the doctor step passes on examples/ and writes SARIF 2.1.0 located in the templates', () => {
  const step = steps.find((s) => s.id === 'doctor');
  // As the runner runs a `shell: bash` step.
  const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step?.run ?? ''], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, RUNNER_TEMP: temp, HOME: temp },
    timeout: 60_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const sarif = JSON.parse(readFileSync(join(temp, 'doctor.sarif'), 'utf8'));
  expect(sarif.version).toBe('2.1.0');
  const results: Array<{
    ruleId: string;
    level: string;
    locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
  }> = sarif.runs[0].results;
  expect(results.length).toBeGreaterThan(0);
  for (const result of results) {
    const physical = result.locations[0]?.physicalLocation;
    expect(physical?.artifactLocation.uri).toMatch(/^examples\/.+\.ya?ml$/);
    expect(physical?.region.startLine).toBeGreaterThan(0);
    expect(result.level).not.toBe('error');
  }
});
