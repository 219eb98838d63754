import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeData, fileCommandEntry, GithubRunner } from '../../src/sink/github';
import { parseFileCommands } from '../support/run-dist';

describe('GithubRunner', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gh-sink-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes heredoc entries the runner parses back exactly, multi-line values included', () => {
    const text = fileCommandEntry('A', 'line1\nline2') + fileCommandEntry('B', '') + fileCommandEntry('C', 'x=y<<z');
    expect(parseFileCommands(text)).toEqual({ A: 'line1\nline2', B: '', C: 'x=y<<z' });
  });

  it('escapes workflow-command data so a value cannot end the command', () => {
    expect(escapeData('50%\r\nnext')).toBe('50%25%0D%0Anext');
  });

  it('writes nothing until flush, and nothing at all when a target file is missing', () => {
    const envFile = join(dir, 'env');
    writeFileSync(envFile, 'EARLIER=1\n');
    const lines: string[] = [];
    const runner = new GithubRunner({ GITHUB_ENV: envFile }, (t) => lines.push(t));
    runner.exportVariable('AWS_REGION', 'us-east-1');
    runner.setOutput('aws-account-id', '111122223333');
    expect(readFileSync(envFile, 'utf8')).toBe('EARLIER=1\n');
    expect(() => runner.flush()).toThrow(/GITHUB_OUTPUT is not set/);
    expect(readFileSync(envFile, 'utf8')).toBe('EARLIER=1\n');
  });

  it('appends to the runner files on flush', () => {
    const envFile = join(dir, 'env');
    const outFile = join(dir, 'out');
    writeFileSync(envFile, 'EARLIER=1\n');
    writeFileSync(outFile, '');
    const runner = new GithubRunner({ GITHUB_ENV: envFile, GITHUB_OUTPUT: outFile }, () => {});
    runner.exportVariable('AWS_REGION', 'us-east-1');
    runner.setOutput('aws-account-id', '111122223333');
    runner.flush();
    expect(parseFileCommands(readFileSync(envFile, 'utf8'))).toEqual({ EARLIER: '1', AWS_REGION: 'us-east-1' });
    expect(parseFileCommands(readFileSync(outFile, 'utf8'))).toEqual({ 'aws-account-id': '111122223333' });
  });

  it('flush is all or nothing: when GITHUB_STATE cannot be written, GITHUB_ENV and GITHUB_OUTPUT are cut back', () => {
    const envFile = join(dir, 'env');
    const outFile = join(dir, 'out');
    writeFileSync(envFile, 'EARLIER=1\n');
    writeFileSync(outFile, 'earlier=1\n');
    const stateDir = join(dir, 'state');
    mkdirSync(stateDir);
    const runner = new GithubRunner({ GITHUB_ENV: envFile, GITHUB_OUTPUT: outFile, GITHUB_STATE: stateDir }, () => {});
    runner.exportVariable('AWS_REGION', 'us-east-1');
    runner.setOutput('aws-account-id', '111122223333');
    runner.saveState('exported-variables', '["AWS_REGION"]');
    expect(() => runner.flush()).toThrow(
      `Could not write GITHUB_STATE (${stateDir}): EISDIR; no runner file was changed.`,
    );
    expect(readFileSync(envFile, 'utf8')).toBe('EARLIER=1\n');
    expect(readFileSync(outFile, 'utf8')).toBe('earlier=1\n');
  });

  it('masks at once, escaped, and the logger redacts registered secrets', async () => {
    const { registerSecret } = await import('../../src/secrets');
    const lines: string[] = [];
    const runner = new GithubRunner({}, (t) => lines.push(t));
    runner.addMask('abc%def\nghi');
    registerSecret('super-secret-value');
    runner.logger(false).info('value is super-secret-value');
    runner.logger(false).error('two\nlines');
    expect(lines[0]).toBe('::add-mask::abc%25def%0Aghi\n');
    expect(lines[1]).toBe('value is ***\n');
    expect(lines[2]).toBe('::error::two%0Alines\n');
  });

  it('requireFiles names the missing file', () => {
    const runner = new GithubRunner({ GITHUB_ENV: join(dir, 'absent') }, () => {});
    expect(() => runner.requireFiles('GITHUB_ENV')).toThrow(
      'GITHUB_ENV is not set or its file does not exist; this does not look like a GitHub Actions runner.',
    );
  });
});
