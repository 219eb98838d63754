/**
 * Black box: `npm run demo -- jenkins` runs the README's Jenkins walkthrough, every block as written (only the ports
 * change), and the walkthrough ends with the build's identity from `aws sts get-caller-identity` at the emulator.
 * curl, node and aws are wrapped by shims that log their argv, and the secrets they handle, so the test can show
 * that neither the admin secret nor the request token is ever on a command line (visible to `ps`) or printed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsCliPath } from '../support/aws-cli';
import { ROOT } from '../support/run-dist';
import { closeAll, tempDir } from './support/chain';

const DEMO = join(ROOT, 'dist', 'demo', 'index.js');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let run: Run;
let home: string;
let tmp: string;
let argvLog: string;
let secretsLog: string;

/** A program on PATH that logs its argv (and the secrets it is handed) and then runs the real one. */
function shim(dir: string, name: string, real: string, logSecrets: string): void {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/bash\nprintf '%s\\n' "${name} $*" >> "$ARGV_LOG"\n${logSecrets}\nexec "${real}" "$@"\n`);
  chmodSync(file, 0o755);
}

beforeAll(async () => {
  if (!existsSync(DEMO)) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), 'demo'], { cwd: ROOT, stdio: 'ignore' });
  }
  home = tempDir('keyless-walkthrough-home-');
  tmp = join(home, 'tmp');
  const bin = join(home, 'bin');
  mkdirSync(tmp);
  mkdirSync(bin);
  argvLog = join(home, 'argv.log');
  secretsLog = join(home, 'secrets.log');
  writeFileSync(argvLog, '');
  writeFileSync(secretsLog, '');
  const curl = execFileSync('bash', ['-c', 'command -v curl'], { encoding: 'utf8' }).trim();
  // curl is given the admin secret through `--header @file`: log what that file holds.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion
  shim(bin, 'curl', curl, 'for a in "$@"; do [[ $a == @* ]] && cat "${a#@}" >> "$SECRETS_LOG"; done; true');
  shim(
    bin,
    'node',
    process.execPath,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion
    '[ -n "${JENKINS_ID_TOKEN_REQUEST_TOKEN:-}" ] && echo "$JENKINS_ID_TOKEN_REQUEST_TOKEN" >> "$SECRETS_LOG"; true',
  );
  shim(bin, 'aws', awsCliPath(), 'true');
  run = await new Promise<Run>((done) => {
    const child = spawn(process.execPath, [DEMO, 'jenkins'], {
      cwd: home,
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        HOME: home,
        TMPDIR: tmp,
        ARGV_LOG: argvLog,
        SECRETS_LOG: secretsLog,
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      done({ code, stdout, stderr });
    });
  });
}, 120_000);

afterAll(closeAll);

/** The walkthrough's blocks as a reader finds them in the README (read here, independently of the demo). */
const blocks = [...README.matchAll(/<!-- readme-test: (jenkins-walkthrough-[\w-]+) -->\n```sh\n([\s\S]*?)```/g)].map(
  (m) => ({ id: m[1] as string, lines: (m[2] as string).trimEnd().split('\n') }),
);

test('the README section holds the six steps, from the directories to the clean-up', () => {
  expect(blocks.map((b) => b.id)).toEqual([
    'jenkins-walkthrough-setup',
    'jenkins-walkthrough-issuer',
    'jenkins-walkthrough-emulator',
    'jenkins-walkthrough-register',
    'jenkins-walkthrough-build',
    'jenkins-walkthrough-cleanup',
  ]);
  const all = blocks.flatMap((b) => b.lines).join('\n');
  expect(all).toContain('examples/jenkins/jenkins-oidc.yml');
  expect(all).toContain('--header @"$work/admin-header"');
  expect(all).toContain('/request-tokens');
  expect(all).toMatch(
    /exec --token-source jenkins[\s\S]*--sts-endpoint[\s\S]*aws sts get-caller-identity --endpoint-url/,
  );
});

test('every line of every block is shown and run, in order, and the run ends with exit code 0', () => {
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/The walkthrough ran end to end in \d+ ms\./);
  let at = 0;
  for (const line of blocks.flatMap((b) => b.lines)) {
    const found = run.stdout.indexOf(`$ ${line}\n`, at);
    expect([line, found >= 0]).toEqual([line, true]);
    at = found;
  }
  expect(run.stdout).toContain(`── step 6/6 (jenkins-walkthrough-cleanup)`);
});

test('the admin secret file is 0600, the build registers, and AWS names the build’s session', () => {
  expect(run.stdout).toContain('\n-rw-------\n');
  expect(run.stdout).toContain('\nHTTP 201\n');
  expect(run.stdout).toMatch(
    /"Arn": "arn:aws:sts::123456789012:assumed-role\/jenkins-oidc-JenkinsDeployRole\/Jenkins-deploy-57"/,
  );
  expect(run.stderr).toContain('sub job:payments/deploy:build:57');
  // The shell itself complains about nothing (e.g. waiting on a file the background server has not created yet).
  expect(run.stderr).not.toMatch(/No such file|integer expression|command not found|not ready/);
});

test('neither the admin secret nor the request token is on any command line or printed', () => {
  const lines = readFileSync(secretsLog, 'utf8').split('\n');
  const values = [...new Set(lines.map((s) => s.replace(/^Authorization: Bearer /, '')).filter((s) => s !== ''))];
  expect(values.length).toBeGreaterThanOrEqual(2); // the admin secret (curl) and the request token (node)
  const argv = readFileSync(argvLog, 'utf8');
  expect(argv).toContain('curl --silent');
  for (const value of values) {
    expect(argv).not.toContain(value);
    expect(run.stdout + run.stderr).not.toContain(value);
  }
});

test('the clean-up leaves no file behind and no server running', async () => {
  expect(readdirSync(tmp)).toEqual([]);
  const urls = run.stdout.match(/^http:\/\/127\.0\.0\.1:\d+$/gm) ?? [];
  expect(urls).toHaveLength(2); // the token service (step 2) and the emulator (step 3)
  for (const url of urls) await expect(fetch(url, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
});
