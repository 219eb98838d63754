/**
 * Black box: `node dist/index.js <command>` outside GitHub Actions, as a Jenkins `sh` step runs it, against loopback
 * token endpoints (GitHub-style and Jenkins-style) and the loopback STS. Every run's output goes through the leak
 * check: secrets may appear on stdout only where a command was asked to print them, never on stderr.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type CliRun, cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { assertNoSecretLeak } from '../support/leak-check';
import { type StsFake, startStsFake, stsError } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const execFileAsync = promisify(execFile);
const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const JENKINS = {
  JENKINS_URL: 'https://jenkins.example.com/',
  JOB_NAME: 'team/deploy',
  JOB_BASE_NAME: 'deploy',
  BUILD_NUMBER: '42',
};

let sts: StsFake;
let github: TokenEndpoint;
let jenkins: TokenEndpoint;
const extraSecrets: string[] = [];
let issuedMark = 0;
/** The n-th credentials STS issued in this test (the fake keeps every one for the leak check). */
const issued = (n: number) => sts.issued[issuedMark + n]!;

beforeAll(async () => {
  sts = await startStsFake();
  github = await startTokenEndpoint();
  jenkins = await startTokenEndpoint({
    query: null,
    path: '/id-token',
    claims: { sub: 'https://jenkins.example.com/job/deploy/' },
  });
});
afterAll(async () => {
  cleanupCliDirs();
  await Promise.all([sts.close(), github.close(), jenkins.close()]);
});
beforeEach(() => {
  sts.reset();
  issuedMark = sts.issued.length;
  github.reset();
  jenkins.reset();
});

function secrets(): string[] {
  return [...sts.secrets(), ...github.secrets(), ...jenkins.secrets(), ...extraSecrets];
}

/** stderr never carries a secret; stdout only when the command was asked to print credentials. */
function checkLeaks(run: CliRun, stdoutMayHoldCredentials = false): void {
  assertNoSecretLeak(run.stderr, secrets());
  if (!stdoutMayHoldCredentials) assertNoSecretLeak(run.stdout, secrets());
  expect(`${run.stdout}${run.stderr}`).not.toMatch(/^::/m);
}

function baseEnv(dir: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    ...cliEnv(dir),
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_REGION: 'eu-west-1',
    AWS_ROLE_ARN: ROLE,
    ...extra,
  };
}

describe('help, version and usage errors (exit 2, nothing fetched)', () => {
  test('--version and --help print to stdout and exit 0; every command has its own help', async () => {
    const dir = cliDir();
    const version = await runCli(['--version'], { env: cliEnv(dir) });
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^keyless-aws \d+\.\d+\.\d+\n$/);
    const help = await runCli(['--help'], { env: cliEnv(dir) });
    expect(help.code).toBe(0);
    for (const command of ['exec', 'env', 'credential-process', 'profile', 'token']) {
      expect(help.stdout).toContain(`  ${command} `);
      const own = await runCli([command, '--help'], { env: cliEnv(dir) });
      expect(own.code).toBe(0);
      expect(own.stdout).toContain(`Usage: node dist/index.js ${command}`);
      expect(own.stdout).toContain('--role-to-assume');
      expect(own.stdout).toContain('Exit codes:');
      expect(own.stderr).toBe('');
    }
    expect(help.stdout).toMatch(/3 +no usable CI token/);
  });

  test.each([
    [[], /No command given/],
    [['deploy'], /Unknown command "deploy"\.[\s\S]*Commands: exec, env, credential-process, profile, token/],
    [['envv'], /Did you mean env\?/],
    [
      ['exec', '--rol-to-assume', ROLE, '--', 'true'],
      /Unknown flag --rol-to-assume for exec\. Did you mean --role-to-assume\?[\s\S]*Valid flags: .*--aws-region/,
    ],
    [['env', '--role-to-assume'], /--role-to-assume needs a value/],
    [['env', '--format'], /--format needs a value/],
    [['env', '--format', 'yaml'], /--format must be one of export, dotenv, json, powershell/],
    [['exec', '--role-to-assume', ROLE], /exec command needs a program/],
    [['exec', 'ls'], /put the program after "--"/],
    [['credential-process', '--', 'ls'], /does not run a program/],
    [['env', '--output-credentials'], /GitHub Action only/],
    [['exec', '--aws-profile', 'ci', '--', 'true'], /only used by the profile command/],
    [['env', '--role-session-name', 'a', '--role-session-name', 'b'], /given twice/],
  ])('%j is a usage error', async (args, message) => {
    const run = await runCli(args as string[], { env: baseEnv(cliDir(), github.env()) });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message as RegExp);
    expect(github.requests).toHaveLength(0);
    expect(sts.requests).toHaveLength(0);
  });

  test('secret-bearing flags are refused with the reason, and their values are never echoed', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    extraSecrets.push(secret);
    for (const flag of [
      '--aws-secret-access-key',
      '--aws-access-key-id',
      '--aws-session-token',
      '--web-identity-token',
    ]) {
      const run = await runCli(['env', flag, secret], { env: baseEnv(cliDir(), github.env()) });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/not accepted: .*visible to every process.*\(ps\).*\(sh -x\)/);
      checkLeaks(run);
    }
    const inline = await runCli(['env', `--aws-secret-access-key=${secret}`], { env: baseEnv(cliDir()) });
    expect(inline.code).toBe(2);
    checkLeaks(inline);
    expect(sts.requests).toHaveLength(0);
  });

  test('input errors name the flag and exit 2 before any request', async () => {
    const dir = cliDir();
    const run = await runCli(['env', '--role-duration-seconds', '60'], { env: baseEnv(dir, github.env()) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--role-duration-seconds must be a whole number between 900 and 43200');
    const noRegion = await runCli(['env'], { env: baseEnv(dir, { ...github.env(), AWS_REGION: undefined }) });
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toContain('--aws-region is required');
    expect(github.requests).toHaveLength(0);
  });
});

describe('env', () => {
  test('Jenkins endpoint through auto detection: json on stdout, default session name from the job', async () => {
    const dir = cliDir();
    const run = await runCli(['env', '--format', 'json'], {
      env: baseEnv(dir, { ...jenkins.env('jenkins'), ...JENKINS }),
    });
    expect(run.code).toBe(0);
    const creds = issued(0);
    expect(JSON.parse(run.stdout)).toEqual({
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_SESSION_TOKEN: creds.sessionToken,
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_CREDENTIAL_EXPIRATION: creds.expiration,
    });
    // The Jenkins-style URL has no query string of its own: the audience must still arrive as one parameter.
    expect(jenkins.requests[0]!.rawQuery).toBe('audience=sts.amazonaws.com');
    expect(sts.requests[0]!.params.RoleSessionName).toBe('Jenkins-deploy-42');
    expect(sts.requests[0]!.params.RoleArn).toBe(ROLE);
    expect(sts.requests[0]!.jti).toBe(jenkins.requests[0]!.jti);
    expect(run.stderr).toContain('Got an ID token from the Jenkins ID-token endpoint');
    checkLeaks(run, true);
  });

  test('export lines survive eval in sh with a secret full of shell metacharacters', async () => {
    const nasty = `a'b"c $HOME \`id\` \\x; |&*?`;
    extraSecrets.push(nasty);
    sts.next({ kind: 'allow', secretAccessKey: nasty });
    const dir = cliDir();
    const run = await runCli(['env'], { env: baseEnv(dir, github.env()) });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^export AWS_ACCESS_KEY_ID='ASIA/m);
    const printed = execFileSync('sh', ['-c', 'eval "$1"; printf %s "$AWS_SECRET_ACCESS_KEY"', 'sh', run.stdout], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(printed).toBe(nasty);
    // Not Jenkins and no xtrace: no warning.
    expect(run.stderr).not.toContain('set +x');
    checkLeaks(run, true);
  });

  test('export under Jenkins warns about sh -x on stderr', async () => {
    const run = await runCli(['env', '--format', 'export'], {
      env: baseEnv(cliDir(), { ...jenkins.env('jenkins'), ...JENKINS }),
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: .*sh -x.*\{ set \+x; \} 2>\/dev\/null/);
    const dotenv = await runCli(['env', '--format', 'dotenv'], {
      env: baseEnv(cliDir(), { ...jenkins.env('jenkins'), ...JENKINS }),
    });
    expect(dotenv.code).toBe(0);
    expect(dotenv.stderr).not.toContain('set +x');
  });

  test('dotenv is KEY=VALUE without quotes (docker --env-file, readProperties); powershell escapes quotes', async () => {
    const dotenv = await runCli(['env', '--format', 'dotenv'], { env: baseEnv(cliDir(), github.env()) });
    expect(dotenv.code).toBe(0);
    const creds = issued(0);
    expect(dotenv.stdout.split('\n')).toEqual([
      `AWS_ACCESS_KEY_ID=${creds.accessKeyId}`,
      `AWS_SECRET_ACCESS_KEY=${creds.secretAccessKey}`,
      `AWS_SESSION_TOKEN=${creds.sessionToken}`,
      'AWS_REGION=eu-west-1',
      'AWS_DEFAULT_REGION=eu-west-1',
      `AWS_CREDENTIAL_EXPIRATION=${creds.expiration}`,
      '',
    ]);
    sts.next({ kind: 'allow', secretAccessKey: "it's+secret/x" });
    extraSecrets.push("it's+secret/x");
    const ps = await runCli(['env', '--format', 'powershell'], { env: baseEnv(cliDir(), github.env()) });
    expect(ps.code).toBe(0);
    expect(ps.stdout).toContain("$Env:AWS_SECRET_ACCESS_KEY = 'it''s+secret/x'\n");
    expect(ps.stdout).toContain("$Env:AWS_REGION = 'eu-west-1'\n");
    checkLeaks(ps, true);
  });

  test('--output-file: written atomically with mode 0600, nothing on stdout; symlinks refused', async () => {
    const dir = cliDir();
    const target = join(dir, 'workspace', 'aws.env');
    writeFileSync(target, 'OLD=1\n', { mode: 0o644 });
    const before = statSync(target).ino;
    const run = await runCli(['env', '--format', 'dotenv', '--output-file', 'aws.env'], {
      env: baseEnv(dir, github.env()),
      cwd: join(dir, 'workspace'),
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    // Replaced by rename, not rewritten in place: a reader never sees a half-written file.
    expect(statSync(target).ino).not.toBe(before);
    expect(readFileSync(target, 'utf8')).toContain(`AWS_ACCESS_KEY_ID=${issued(0).accessKeyId}\n`);
    expect(readdirSync(join(dir, 'workspace'))).toEqual(['aws.env']);
    checkLeaks(run);

    sts.reset();
    const link = join(dir, 'link.env');
    symlinkSync(join(dir, 'elsewhere'), link);
    const refused = await runCli(['env', '--output-file', link], { env: baseEnv(dir, github.env()) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is a symbolic link');
    expect(existsSync(join(dir, 'elsewhere'))).toBe(false);
    expect(sts.requests).toHaveLength(0);
  });
});

describe('credential-process', () => {
  test('stdout holds only the Version 1 JSON, stderr stays empty; --no-cache mints a fresh token, else the cache answers', async () => {
    const dir = cliDir();
    const first = await runCli(['credential-process', '--token-source', 'github'], { env: baseEnv(dir, github.env()) });
    const second = await runCli(['credential-process', '--token-source', 'github', '--no-cache'], {
      env: baseEnv(dir, github.env()),
    });
    const cached = await runCli(['credential-process', '--token-source', 'github'], {
      env: baseEnv(dir, github.env()),
    });
    for (const [run, creds] of [
      [first, issued(0)],
      [second, issued(1)],
    ] as const) {
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout.endsWith('\n')).toBe(true);
      expect(JSON.parse(run.stdout)).toEqual({
        Version: 1,
        AccessKeyId: creds.accessKeyId,
        SecretAccessKey: creds.secretAccessKey,
        SessionToken: creds.sessionToken,
        Expiration: creds.expiration,
        AccountId: '111122223333',
      });
      checkLeaks(run, true);
    }
    expect(github.requests.filter((r) => r.jwt !== undefined)).toHaveLength(2);
    expect(sts.requests.map((r) => r.jti)).toEqual(github.requests.map((r) => r.jti));
    expect(new Set(sts.requests.map((r) => r.jti)).size).toBe(2);
    // The third call is the first one's credentials, from the cache: no token, no STS call.
    expect(cached.code).toBe(0);
    expect(cached.stderr).toBe('');
    expect(cached.stdout).toBe(first.stdout);
  });

  test('a failure goes to stderr with its exit code; stdout stays empty', async () => {
    sts.next(stsError.accessDenied());
    const run = await runCli(['credential-process'], { env: baseEnv(cliDir(), github.env()) });
    expect(run.code).toBe(4);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('AccessDenied');
    checkLeaks(run);
  });
});

describe('token sources and exit codes', () => {
  test('file: relative to the working directory, re-read on every call', async () => {
    const dir = cliDir();
    const token = await github.issuer.sign({ sub: 'system:serviceaccount:ci:deployer', aud: 'sts.amazonaws.com' });
    extraSecrets.push(token);
    writeFileSync(join(dir, 'workspace', 'token'), `${token}\n`);
    const run = await runCli(['credential-process', '--web-identity-token-file', 'token'], {
      env: baseEnv(dir),
      cwd: join(dir, 'workspace'),
    });
    expect(run.code).toBe(0);
    expect(sts.requests[0]!.params.WebIdentityToken).toBe(token);
    const next = await github.issuer.sign({ sub: 'rotated' });
    extraSecrets.push(next);
    writeFileSync(join(dir, 'workspace', 'token'), next);
    const again = await runCli(['credential-process', '--token-source', 'file'], {
      env: baseEnv(dir, { AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, 'workspace', 'token') }),
    });
    expect(again.code).toBe(0);
    expect(sts.requests[1]!.params.WebIdentityToken).toBe(next);
    checkLeaks(run, true);
  });

  test.each([
    ['env:MY_OIDC', 'MY_OIDC'],
    ['gitlab', 'GITLAB_OIDC_TOKEN'],
    ['circleci', 'CIRCLE_OIDC_TOKEN_V2'],
    ['bitbucket', 'BITBUCKET_STEP_OIDC_TOKEN'],
  ])('--token-source %s reads %s', async (source, variable) => {
    const token = await github.issuer.sign({ sub: `from-${variable}` });
    extraSecrets.push(token);
    const run = await runCli(['env', '--format', 'json', '--token-source', source], {
      env: baseEnv(cliDir(), { [variable]: token }),
    });
    expect(run.code).toBe(0);
    expect(sts.requests[0]!.params.WebIdentityToken).toBe(token);
    expect(run.stderr).toContain(`environment variable ${variable}`);
    checkLeaks(run, true);
  });

  test('buildkite: runs buildkite-agent oidc request-token --audience <aud> from PATH', async () => {
    const dir = cliDir();
    const token = await github.issuer.sign({ sub: 'organization:acme:pipeline:deploy' });
    extraSecrets.push(token);
    const bin = join(dir, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    const agent = join(bin, 'buildkite-agent');
    writeFileSync(agent, `#!/bin/sh\nprintf '%s\\n' "$*" > "${join(dir, 'agent-args')}"\nprintf '%s\\n' '${token}'\n`);
    chmodSync(agent, 0o755);
    const run = await runCli(['credential-process', '--token-source', 'buildkite', '--audience', 'sts.amazonaws.com'], {
      env: baseEnv(dir, {
        PATH: `${bin}:${cliEnv(dir).PATH}:/usr/bin:/bin`,
        BUILDKITE_AGENT_ACCESS_TOKEN: 'agent-access-token-123456',
        BUILDKITE_JOB_ID: 'job-1',
      }),
    });
    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, 'agent-args'), 'utf8')).toBe('oidc request-token --audience sts.amazonaws.com\n');
    expect(sts.requests[0]!.params.WebIdentityToken).toBe(token);
    checkLeaks(run, true);
  });

  test('auto with nothing to find exits 3 and lists what it looked for', async () => {
    const run = await runCli(['env'], { env: baseEnv(cliDir()) });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    for (const looked of [
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'JENKINS_ID_TOKEN_REQUEST_URL',
      'GITLAB_OIDC_TOKEN',
      'CIRCLE_OIDC_TOKEN',
      'BITBUCKET_STEP_OIDC_TOKEN',
      'BUILDKITE_AGENT_ACCESS_TOKEN',
    ]) {
      expect(run.stderr).toContain(looked);
    }
    expect(sts.requests).toHaveLength(0);
  });

  test('exit 3: the endpoint refuses the request token; a malformed token', async () => {
    const refused = await runCli(['env', '--token-source', 'jenkins'], {
      env: baseEnv(cliDir(), {
        JENKINS_ID_TOKEN_REQUEST_URL: jenkins.url,
        JENKINS_ID_TOKEN_REQUEST_TOKEN: 'wrong-request-token',
      }),
    });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('HTTP 401');
    extraSecrets.push('wrong-request-token');
    checkLeaks(refused);
    const malformed = await runCli(['env', '--token-source', 'env:TOK'], {
      env: baseEnv(cliDir(), { TOK: 'not-a-jwt-at-all' }),
    });
    expect(malformed.code).toBe(3);
    expect(malformed.stderr).toContain('is not a JWT');
    expect(sts.requests).toHaveLength(0);
  });

  test('exit 4: denied, with the claims and what the trust policy sees', async () => {
    sts.next(stsError.accessDenied());
    const run = await runCli(['exec', '--', 'node', '-e', 'process.exit(0)'], { env: baseEnv(cliDir(), github.env()) });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('token.actions.githubusercontent.com:sub = repo:octo-org/octo-repo:environment:prod');
    checkLeaks(run);
  });

  test('exit 5: transient failures after the allowed attempts, and a timeout', async () => {
    sts.throttle(3);
    const run = await runCli(['env', '--retry-max-attempts', '2'], { env: baseEnv(cliDir(), github.env()) });
    expect(run.code).toBe(5);
    expect(sts.requests).toHaveLength(2);
    // Each attempt asked for a fresh token.
    expect(new Set(sts.requests.map((r) => r.jti)).size).toBe(2);
    sts.reset();
    sts.hang();
    const started = Date.now();
    const slow = await runCli(['env', '--action-timeout-s', '1'], { env: baseEnv(cliDir(), github.env()) });
    expect(slow.code).toBe(5);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(slow.stderr).toMatch(/did not finish in time|timed out/);
    sts.reset();
    checkLeaks(run);
  });

  test('role chaining signs AssumeRole with the keys in the environment', async () => {
    const keys = {
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLECHAIN0001',
      AWS_SECRET_ACCESS_KEY: 'chain/secret/key/value/0000000000000000',
    };
    extraSecrets.push(keys.AWS_SECRET_ACCESS_KEY);
    const run = await runCli(['env', '--format', 'json', '--role-chaining'], { env: baseEnv(cliDir(), keys) });
    expect(run.code).toBe(0);
    expect(sts.requests[0]!.action).toBe('AssumeRole');
    expect(sts.requests[0]!.accessKeyId).toBe(keys.AWS_ACCESS_KEY_ID);
    expect(JSON.parse(run.stdout).AWS_ACCESS_KEY_ID).toBe(issued(0).accessKeyId);
    checkLeaks(run, true);
  });
});

describe('token', () => {
  test('prints header, claims and the trust-policy values, never the raw token or its signature', async () => {
    const run = await runCli(['token', '--token-source', 'jenkins'], {
      env: { ...cliEnv(cliDir()), ...jenkins.env('jenkins') },
    });
    expect(run.code).toBe(0);
    const jwt = jenkins.requests[0]!.jwt!;
    const [header, payload, signature] = jwt.split('.');
    expect(run.stdout).toContain('alg: RS256');
    expect(run.stdout).toContain('sub: https://jenkins.example.com/job/deploy/');
    expect(run.stdout).toContain('token.actions.githubusercontent.com:aud = sts.amazonaws.com');
    expect(run.stdout).toContain('token.actions.githubusercontent.com:sub = https://jenkins.example.com/job/deploy/');
    expect(run.stdout).toMatch(/exp: \d{4}-\d\d-\d\dT.*\(in \d+ s\)/);
    for (const part of [jwt, header!, payload!, signature!]) expect(run.stdout).not.toContain(part);
    checkLeaks(run);
    expect(sts.requests).toHaveLength(0);
  });

  test('--format json; needs no role or region; a usage error for other formats', async () => {
    const run = await runCli(['token', '--format', 'json', '--audience', 'my-aud'], {
      env: { ...cliEnv(cliDir()), ...github.env() },
    });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.claims.aud).toBe('my-aud');
    expect(doc.header.alg).toBe('RS256');
    expect(doc.trustPolicy['token.actions.githubusercontent.com:aud']).toBe('my-aud');
    expect(github.requests[0]!.audience).toBe('my-aud');
    checkLeaks(run);
    const bad = await runCli(['token', '--format', 'dotenv'], { env: cliEnv(cliDir()) });
    expect(bad.code).toBe(2);
  });
});

describe('profile', () => {
  function profileEnv(dir: string, extra: Record<string, string> = {}) {
    return baseEnv(dir, {
      ...github.env(),
      AWS_CONFIG_FILE: join(dir, 'aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws', 'credentials'),
      ...extra,
    });
  }

  test('static: keys in the credentials file, region in the config, both 0600, other sections kept', async () => {
    const dir = cliDir();
    execFileSync('mkdir', ['-p', join(dir, 'aws')]);
    writeFileSync(join(dir, 'aws', 'config'), '[profile other]\nregion = us-east-2\n', { mode: 0o644 });
    chmodSync(join(dir, 'aws', 'config'), 0o644);
    const run = await runCli(['profile', '--aws-profile', 'ci'], { env: profileEnv(dir) });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const creds = issued(0);
    const credentials = readFileSync(join(dir, 'aws', 'credentials'), 'utf8');
    expect(credentials).toContain(`[ci]\naws_access_key_id = ${creds.accessKeyId}\n`);
    expect(readFileSync(join(dir, 'aws', 'config'), 'utf8')).toBe(
      '[profile other]\nregion = us-east-2\n\n[profile ci]\nregion = eu-west-1\n',
    );
    // A new file is 0600; an existing one keeps its mode (the config file here was 0644 and holds no secret).
    expect(statSync(join(dir, 'aws', 'credentials')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'aws', 'config')).mode & 0o777).toBe(0o644);
    checkLeaks(run);

    sts.reset();
    issuedMark = sts.issued.length;
    const again = await runCli(['profile', '--aws-profile', 'ci'], { env: profileEnv(dir) });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(sts.requests).toHaveLength(0);
    const overwrite = await runCli(['profile', '--aws-profile', 'ci', '--overwrite-aws-profile'], {
      env: profileEnv(dir),
    });
    expect(overwrite.code).toBe(0);
    expect(readFileSync(join(dir, 'aws', 'credentials'), 'utf8')).toContain(issued(0).accessKeyId);
  });

  test('needs a profile name; refuses a symlinked file before fetching anything', async () => {
    const dir = cliDir();
    const missing = await runCli(['profile'], { env: profileEnv(dir) });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--aws-profile');
    execFileSync('mkdir', ['-p', join(dir, 'aws')]);
    symlinkSync(join(dir, 'target'), join(dir, 'aws', 'credentials'));
    const run = await runCli(['profile', '--aws-profile', 'ci'], { env: profileEnv(dir) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('symbolic link');
    expect(lstatSync(join(dir, 'aws', 'credentials')).isSymbolicLink()).toBe(true);
    expect(github.requests).toHaveLength(0);
  });

  test('--refreshable: a credential_process line with absolute paths and no secret, nothing in the credentials file', async () => {
    const dir = cliDir();
    const run = await runCli(
      [
        'profile',
        '--aws-profile',
        'ci',
        '--refreshable',
        '--token-source',
        'jenkins',
        '--role-duration-seconds',
        '900',
      ],
      { env: profileEnv(dir, { ...jenkins.env('jenkins'), ...JENKINS }) },
    );
    expect(run.code).toBe(0);
    // Fail fast: the role was assumed once before the profile was written.
    expect(sts.requests).toHaveLength(1);
    expect(existsSync(join(dir, 'aws', 'credentials'))).toBe(false);
    const config = readFileSync(join(dir, 'aws', 'config'), 'utf8');
    expect(statSync(join(dir, 'aws', 'config')).mode & 0o777).toBe(0o600);
    const line = /^credential_process = (.*)$/m.exec(config)![1]!;
    expect(
      line.startsWith(`${process.execPath} ${join(__dirname, '..', '..', 'dist', 'index.js')} credential-process `),
    ).toBe(true);
    expect(line).toContain(`--role-to-assume ${ROLE}`);
    expect(line).toContain('--token-source jenkins');
    expect(line).toContain('--role-session-name Jenkins-deploy-42');
    expect(line).toContain('--role-duration-seconds 900');
    expect(line).toContain('--aws-region eu-west-1');
    expect(line).toContain(`--sts-endpoint ${sts.url}`);
    assertNoSecretLeak(config, secrets());
    checkLeaks(run);

    // What an SDK does later (JS: child_process.exec through sh): the line alone, with the job's environment.
    const { stdout: out } = await execFileAsync('sh', ['-c', line], {
      encoding: 'utf8',
      env: { PATH: cliEnv(dir).PATH, HOME: cliEnv(dir).HOME, ...jenkins.env('jenkins') },
    });
    expect(JSON.parse(out).AccessKeyId).toBe(issued(1).accessKeyId);
    expect(sts.requests[1]!.params.RoleSessionName).toBe('Jenkins-deploy-42');
    expect(sts.requests[1]!.params.DurationSeconds).toBe('900');
  });

  test('--refreshable keeps an existing static profile of that name unless --overwrite-aws-profile', async () => {
    const dir = cliDir();
    execFileSync('mkdir', ['-p', join(dir, 'aws')]);
    const existing = '[ci]\naws_access_key_id = AKIAEXISTINGKEY00001\naws_secret_access_key = kept\n';
    writeFileSync(join(dir, 'aws', 'credentials'), existing);
    const run = await runCli(['profile', '--aws-profile', 'ci', '--refreshable', '--token-source', 'jenkins'], {
      env: profileEnv(dir, { ...jenkins.env('jenkins'), ...JENKINS }),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('already exists');
    expect(readFileSync(join(dir, 'aws', 'credentials'), 'utf8')).toBe(existing);
    expect(sts.requests).toHaveLength(0);
  });

  test('--refreshable without a CI token (role chaining cannot refresh) is an input error before any request', async () => {
    const run = await runCli(['profile', '--aws-profile', 'ci', '--refreshable', '--role-chaining'], {
      env: profileEnv(cliDir(), {
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLECHAIN0001',
        AWS_SECRET_ACCESS_KEY: 'chain/secret/key/value/0000000000000000',
      }),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Refreshable credentials need a CI OIDC token');
    expect(sts.requests).toHaveLength(0);
  });
});
