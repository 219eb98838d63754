// Black-box: the built bundle as a child process — two stdout lines, a real STS call, clean exit on SIGTERM.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import { awsCliPath } from '../support/aws-cli';
import { stsClient } from './support/emulator';
import { githubClaims, type OidcIssuer, startOidcIssuer } from './support/oidc-issuer';

const ROOT = join(__dirname, '../..');
const BUNDLE = join(ROOT, 'dist/emulator/index.js');

function spawnEmulator(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  lines: Promise<string[]>;
  stderr: () => string;
} {
  const child = spawn(process.execPath, [BUNDLE, ...args], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = new Promise<string[]>((resolve, reject) => {
    const got: string[] = [];
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      got.push(line);
      if (got.length === 2) {
        rl.close();
        resolve(got);
      }
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${stderr}`)));
  });
  // Callers that expect an early exit never await the lines; keep that rejection from going unhandled.
  lines.catch(() => undefined);
  return { child, lines, stderr: () => stderr };
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

let issuer: OidcIssuer;

beforeAll(async () => {
  // Built only when missing: rebuilding here would pull dist/emulator away from tests that read it in parallel.
  if (!existsSync(join(ROOT, 'dist', 'emulator', 'index.js'))) {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'emulator'], { cwd: ROOT, stdio: 'pipe' });
  }
  issuer = await startOidcIssuer();
}, 180_000);

afterAll(async () => {
  await issuer.close();
});

it('prints its endpoint and ids, serves STS, and exits 0 on SIGTERM', async () => {
  const { child, lines, stderr } = spawnEmulator([
    '--template',
    'examples/github-oidc.yml',
    '--parameter',
    `IssuerUrl=${issuer.url}`,
    '--port',
    '0',
  ]);
  try {
    const [url, idsLine] = await lines;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ids = JSON.parse(idsLine as string) as Record<string, string>;
    const host = issuer.url.replace('http://', '');
    expect(ids).toEqual({
      GitHubOidcProvider: `arn:aws:iam::123456789012:oidc-provider/${host}`,
      GitHubDeployRole: 'arn:aws:iam::123456789012:role/github-oidc-GitHubDeployRole',
    });
    const sts = stsClient(url as string);
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ids.GitHubDeployRole,
        RoleSessionName: 'black-box',
        WebIdentityToken: await issuer.sign(githubClaims(issuer.url)),
      }),
    );
    sts.destroy();
    expect(out.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::123456789012:assumed-role/github-oidc-GitHubDeployRole/black-box',
    );
    // The log line is written after the response; give the pipe a moment.
    for (let i = 0; i < 50 && !stderr().includes('sts:AssumeRoleWithWebIdentity 200'); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(stderr()).toContain('sts:AssumeRoleWithWebIdentity 200');
    expect(stderr()).not.toContain('eyJ');
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exitCode(child)).toBe(0);
});

it('exits 2 with a message for a bad template parameter', async () => {
  const { child, stderr } = spawnEmulator(['--template', 'examples/github-oidc.yml', '--parameter', 'Nope=1']);
  expect(await exitCode(child)).toBe(2);
  expect(stderr()).toContain('parameter(s) Nope are not declared by any template');
});

it('exits 2 on a broken --config without quoting any of it (a secret key may be right there)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-cli-'));
  try {
    const secret = 'wJalrXUtnFEMIK7MDENGbPxRfiCYzzSECRET';
    const config = join(dir, 'broken.json');
    // The secret is unquoted: JSON.parse's message would quote the text around it.
    writeFileSync(
      config,
      `{\n  "accessKeys": [\n    { "accessKeyId": "AKIAEXAMPLE000000001", "secretAccessKey": ${secret}, "arn": "x" }\n  ]\n}\n`,
    );
    const { child, stderr } = spawnEmulator(['--config', config]);
    expect(await exitCode(child)).toBe(2);
    expect(stderr()).toBe(`emulator: config ${config} is not valid JSON (syntax error at line 3, column 65)\n`);
    for (const fragment of [secret.slice(0, 6), secret.slice(-6), 'wJal']) expect(stderr()).not.toContain(fragment);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('loads a production template unchanged with --issuer, and takes per-template --parameter <file>:Key=Value', async () => {
  const production = '__tests__/emulator/fixtures/production/github-deploy.yml';
  const { child, lines } = spawnEmulator([
    '--template',
    production,
    '--issuer',
    `https://token.actions.githubusercontent.com=${issuer.url}`,
    '--parameter',
    `${production}:RepositoryName=infra`,
  ]);
  try {
    const [url, idsLine] = await lines;
    const ids = JSON.parse(idsLine as string) as Record<string, string>;
    expect(ids.GithubOidc).toBe('arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com');
    const sts = stsClient(url as string);
    const token = await issuer.sign(
      githubClaims('https://token.actions.githubusercontent.com', { sub: 'repo:acme/infra:ref:refs/heads/main' }),
    );
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ids.DeployRole,
        RoleSessionName: 'mapped',
        WebIdentityToken: token,
      }),
    );
    sts.destroy();
    expect(out.SubjectFromWebIdentityToken).toBe('repo:acme/infra:ref:refs/heads/main');
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exitCode(child)).toBe(0);
});

it('exits 2 for a per-template parameter naming no --template, and for an --issuer no provider names', async () => {
  const wrongFile = spawnEmulator(['--template', 'examples/github-oidc.yml', '--parameter', 'other.yml:IssuerUrl=x']);
  expect(await exitCode(wrongFile.child)).toBe(2);
  expect(wrongFile.stderr()).toContain('--parameter other.yml:…: no --template other.yml');
  const wrongIssuer = spawnEmulator([
    '--template',
    'examples/github-oidc.yml',
    '--issuer',
    `https://gitlab.com=${issuer.url}`,
  ]);
  expect(await exitCode(wrongIssuer.child)).toBe(2);
  expect(wrongIssuer.stderr()).toContain('--issuer https://gitlab.com: no OIDC provider has this URL');
});

it('--template-account deploys a template to another account, whose IAM the AWS CLI edits with that root key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-cli-'));
  const target = '210987654321';
  const key = { id: 'AKIAEMULATORTARGET01', secret: 'target-root-secret-0000000000000000000000' };
  const config = join(dir, 'keys.json');
  writeFileSync(
    config,
    JSON.stringify({
      accessKeys: [{ accessKeyId: key.id, secretAccessKey: key.secret, arn: `arn:aws:iam::${target}:root` }],
    }),
    { mode: 0o600 },
  );
  const { child, lines } = spawnEmulator([
    '--template',
    'examples/github-oidc.yml',
    '--parameter',
    `IssuerUrl=${issuer.url}`,
    '--template-account',
    `examples/github-oidc.yml=${target}`,
    '--config',
    config,
  ]);
  try {
    const [url, idsLine] = await lines;
    const ids = JSON.parse(idsLine as string) as Record<string, string>;
    expect(ids.GitHubOidcProvider).toBe(`arn:aws:iam::${target}:oidc-provider/${issuer.url.replace('http://', '')}`);
    expect(ids.GitHubDeployRole).toBe(`arn:aws:iam::${target}:role/github-oidc-GitHubDeployRole`);
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_ACCESS_KEY_ID: key.id,
      AWS_SECRET_ACCESS_KEY: key.secret,
    };
    const cli = (...args: string[]) =>
      execFileSync(awsCliPath(), [...args, '--endpoint-url', url as string, '--output', 'json'], {
        env,
        encoding: 'utf8',
      });
    cli(
      'iam',
      'add-client-id-to-open-id-connect-provider',
      '--open-id-connect-provider-arn',
      ids.GitHubOidcProvider as string,
      '--client-id',
      'second',
    );
    const provider = JSON.parse(
      cli('iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', ids.GitHubOidcProvider as string),
    );
    expect(provider.ClientIDList).toEqual(['sts.amazonaws.com', 'second']);
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  expect(await exitCode(child)).toBe(0);
});

it('exits 2 for a --template-account naming no --template, or an account id that is not 12 digits', async () => {
  const noTemplate = spawnEmulator([
    '--template',
    'examples/github-oidc.yml',
    '--template-account',
    'other.yml=210987654321',
  ]);
  expect(await exitCode(noTemplate.child)).toBe(2);
  expect(noTemplate.stderr()).toContain('--template-account other.yml=…: no --template other.yml');
  const badAccount = spawnEmulator([
    '--template',
    'examples/github-oidc.yml',
    '--template-account',
    'examples/github-oidc.yml=12',
  ]);
  expect(await exitCode(badAccount.child)).toBe(2);
  expect(badAccount.stderr()).toContain('--template-account expects <template>=<12-digit account id>');
});
