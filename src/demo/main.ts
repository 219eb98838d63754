/**
 * `npm run demo`: the whole keyless chain, offline, in a few seconds. This process hosts the token services and the
 * AWS emulator; `dist/index.js` runs as a child exactly as a runner or a Jenkins agent would start it, and every set
 * of credentials it hands back is checked with a SigV4-signed GetCallerIdentity against the emulator.
 */
import { type SpawnSyncReturns, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type RunningEmulator, startEmulator } from '../emulator';
import { type RunningIssuer, startIssuer } from '../issuer/issuer';
import { runJenkinsWalkthrough } from './walkthrough';

// From argv, not __dirname: ncc would otherwise copy the files named below into dist/demo as assets.
const root = resolve(dirname(process.argv[1] ?? '.'), '..', '..');
const cli = join(root, 'dist', 'index.js');
const region = 'us-east-1';
const accountId = '123456789012';
// The issuers the example templates name, as in production. Each is served on loopback by a token service that signs
// with that `iss`, and the emulator maps the URL to it: the templates load exactly as a user deploys them.
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const JENKINS_ISSUER = 'https://jenkins-oidc.example.com';

type Result = Pick<SpawnSyncReturns<string>, 'stdout' | 'stderr'> & { code: number | null };

/** Spawns dist/index.js with only the environment we give it (plus PATH), like a CI step. */
function runKeyless(args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: env.HOME ?? tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** The runner's file-command format: `NAME<<DELIM`, value lines, `DELIM`. */
function parseRunnerFile(path: string): Record<string, string> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== match[2]; i++) value.push(lines[i] ?? '');
    out[match[1]!] = value.join('\n');
  }
  return out;
}

/** Registers a build; its `token_url` names the production issuer, so it is pointed at the loopback listener. */
async function registerBuild(issuer: RunningIssuer, adminSecret: string, claims: Record<string, unknown>) {
  const response = await fetch(`${issuer.url}/request-tokens`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminSecret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(claims),
  });
  if (!response.ok) throw new Error(`registering a build failed: HTTP ${response.status} ${await response.text()}`);
  const build = (await response.json()) as { request_token: string; token_url: string };
  return { ...build, token_url: build.token_url.replace(issuer.issuerUrl, issuer.url) };
}

/** Proves credentials work: a signed call the emulator verifies against the secret it issued. */
async function callerArn(
  emulator: RunningEmulator,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
) {
  const sts = new STSClient({ region, endpoint: emulator.url, credentials, maxAttempts: 1 });
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  return identity.Arn ?? '(none)';
}

interface Step {
  readonly title: string;
  run(): Promise<string[]>;
}

async function main(): Promise<number> {
  // The SDK's Node-version notice is noise here; the clients below are created after this line.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const work = mkdtempSync(join(tmpdir(), 'keyless-demo-'));
  const adminSecret = randomBytes(24).toString('hex');
  const quiet = { info() {}, warn() {}, error() {} } as never;
  const issuerOptions = (name: string, issuerUrl: string) => ({
    keysDir: join(work, name),
    issuerUrl,
    adminSecret,
    audiences: ['sts.amazonaws.com', 'cognito-identity.amazonaws.com'],
    // The GitHub stand-ins register GitHub's claims, which a Jenkins token service only accepts when allowed.
    allowedClaims: ['sub', 'repository', 'repository_owner', 'ref', 'sha', 'run_id', 'actor', 'event_name', 'workflow'],
    rateLimitPerSecond: 0,
    logger: quiet,
  });
  // Two loopback issuers: GitHub's token endpoint and the Jenkins token service.
  const github = await startIssuer(issuerOptions('github', GITHUB_ISSUER));
  const jenkins = await startIssuer(issuerOptions('jenkins', JENKINS_ISSUER));
  // The account already has GitHub's provider, with both client ids (IAM keeps one provider per URL): both GitHub
  // templates are given its ARN, as a user of an existing account would. The Jenkins template creates its own.
  const githubProvider = `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_ISSUER.slice('https://'.length)}`;
  const emulator = await startEmulator({
    accountId,
    config: {
      oidcProviders: [{ url: GITHUB_ISSUER, clientIds: ['sts.amazonaws.com', 'cognito-identity.amazonaws.com'] }],
    },
    templates: [
      { path: join(root, 'examples', 'github-oidc.yml'), parameters: { ExistingProviderArn: githubProvider } },
      { path: join(root, 'examples', 'cognito-tags.yml'), parameters: { ExistingProviderArn: githubProvider } },
      join(root, 'examples', 'jenkins', 'jenkins-oidc.yml'),
    ],
    issuers: { [GITHUB_ISSUER]: github.url, [JENKINS_ISSUER]: jenkins.url },
    log: () => {},
  });
  const ids = emulator.ids;
  const roleArn = (logicalId: string) => {
    const arn = ids[logicalId];
    if (!arn) throw new Error(`the example templates define no ${logicalId}`);
    return arn;
  };

  const runId = '4242424242';
  const sha = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4';
  const githubClaims = (repository: string) => ({
    sub: `repo:${repository}:ref:refs/heads/main`,
    repository,
    repository_owner: repository.split('/')[0],
    ref: 'refs/heads/main',
    sha,
    run_id: runId,
    actor: 'octocat',
    event_name: 'push',
    workflow: 'deploy',
  });
  const actionEnv = (tokenUrl: string, requestToken: string, role: string) => {
    const envFile = join(work, `env-${randomBytes(4).toString('hex')}`);
    const outFile = `${envFile}.out`;
    writeFileSync(envFile, '');
    writeFileSync(outFile, '');
    writeFileSync(`${envFile}.state`, '');
    return {
      files: { envFile, outFile },
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_ENV: envFile,
        GITHUB_OUTPUT: outFile,
        GITHUB_STATE: `${envFile}.state`,
        GITHUB_RUN_ID: runId,
        GITHUB_SHA: sha,
        HOME: work,
        'INPUT_AWS-REGION': region,
        'INPUT_ROLE-TO-ASSUME': role,
        // GitHub's request URL already carries a query string; the audience is joined onto it.
        ACTIONS_ID_TOKEN_REQUEST_URL: `${tokenUrl}?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
        AWS_ENDPOINT_URL_STS: emulator.url,
      },
    };
  };

  const steps: Step[] = [
    {
      title: 'GitHub Actions OIDC (the action)',
      async run() {
        const build = await registerBuild(github, adminSecret, githubClaims('acme/app'));
        const { env, files } = actionEnv(build.token_url, build.request_token, roleArn('GitHubDeployRole'));
        const result = await runKeyless([], env);
        if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stdout}${result.stderr}`);
        const exported = parseRunnerFile(files.envFile);
        const arn = await callerArn(emulator, {
          accessKeyId: exported.AWS_ACCESS_KEY_ID ?? '',
          secretAccessKey: exported.AWS_SECRET_ACCESS_KEY ?? '',
          sessionToken: exported.AWS_SESSION_TOKEN ?? '',
        });
        return [
          `exported AWS_* to GITHUB_ENV, expiring ${exported.AWS_CREDENTIAL_EXPIRATION}`,
          `GetCallerIdentity: ${arn}`,
        ];
      },
    },
    {
      title: 'Jenkins token service (CLI credential-process)',
      async run() {
        const build = await registerBuild(jenkins, adminSecret, {
          job: 'payments/deploy',
          build_number: 57,
          branch: 'main',
        });
        const result = await runKeyless(
          [
            'credential-process',
            '--aws-region',
            region,
            '--role-to-assume',
            roleArn('JenkinsDeployRole'),
            '--token-source',
            'jenkins',
          ],
          {
            JENKINS_URL: 'https://jenkins.example.com/',
            JOB_NAME: 'payments/deploy',
            JOB_BASE_NAME: 'deploy',
            BUILD_NUMBER: '57',
            JENKINS_ID_TOKEN_REQUEST_URL: build.token_url,
            JENKINS_ID_TOKEN_REQUEST_TOKEN: build.request_token,
            AWS_ENDPOINT_URL_STS: emulator.url,
            HOME: work,
          },
        );
        if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stderr}`);
        const json = JSON.parse(result.stdout) as {
          AccessKeyId: string;
          SecretAccessKey: string;
          SessionToken: string;
          Expiration: string;
        };
        const arn = await callerArn(emulator, {
          accessKeyId: json.AccessKeyId,
          secretAccessKey: json.SecretAccessKey,
          sessionToken: json.SessionToken,
        });
        return [`credential_process JSON, Version 1, expiring ${json.Expiration}`, `GetCallerIdentity: ${arn}`];
      },
    },
    {
      title: 'Cognito classic flow: claims become session tags',
      async run() {
        const build = await registerBuild(github, adminSecret, {
          ...githubClaims('acme/app'),
          audiences: ['cognito-identity.amazonaws.com'],
        });
        const pool = ids.CiIdentityPool;
        if (!pool) throw new Error('examples/cognito-tags.yml defines no CiIdentityPool');
        const { env } = actionEnv(build.token_url, build.request_token, roleArn('CiAbacRole'));
        const result = await runKeyless(
          [
            'env',
            '--format',
            'json',
            '--cognito-identity-pool-id',
            pool,
            '--token-source',
            'github',
            '--aws-region',
            region,
            '--role-to-assume',
            roleArn('CiAbacRole'),
          ],
          { ...env, AWS_ENDPOINT_URL_COGNITO_IDENTITY: emulator.url },
        );
        if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stderr}`);
        const vars = JSON.parse(result.stdout) as Record<string, string>;
        const arn = await callerArn(emulator, {
          accessKeyId: vars.AWS_ACCESS_KEY_ID ?? '',
          secretAccessKey: vars.AWS_SECRET_ACCESS_KEY ?? '',
          sessionToken: vars.AWS_SESSION_TOKEN ?? '',
        });
        const tagLine = result.stderr.split('\n').find((l) => l.includes('principal tags')) ?? '(no tag line logged)';
        return [tagLine.replace(/^keyless-aws: /, ''), `GetCallerIdentity: ${arn} (session name <run_id>@<sha>)`];
      },
    },
    {
      title: 'Denied: a token from another repository (wrong sub), explained',
      async run() {
        const build = await registerBuild(github, adminSecret, githubClaims('evil/app'));
        const { env, files } = actionEnv(build.token_url, build.request_token, roleArn('GitHubDeployRole'));
        const started = Date.now();
        const result = await runKeyless([], env);
        const elapsed = Date.now() - started;
        const exported = readFileSync(files.envFile, 'utf8');
        if (result.code === 0) throw new Error('the run succeeded but should have been denied');
        if (exported !== '') throw new Error('a denied run exported variables');
        const error = result.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
        const text = error.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
        if (!text.includes(':sub = repo:evil/app')) throw new Error(`the denial does not show the sub:\n${text}`);
        const keep = text.split('\n').filter((l) => /AssumeRoleWithWebIdentity failed|:sub =|:aud =|Role:/.test(l));
        return [`failed on the first attempt in ${elapsed} ms, nothing exported`, ...keep.map((l) => l.trim())];
      },
    },
  ];

  let failures = 0;
  console.log(
    `keyless-aws demo — issuers ${github.issuerUrl} (on ${github.url}), ${jenkins.issuerUrl} (on ${jenkins.url}); ` +
      `AWS emulator ${emulator.url}\n`,
  );
  try {
    for (const step of steps) {
      const started = Date.now();
      try {
        const lines = await step.run();
        console.log(`✔ ${step.title} (${Date.now() - started} ms)`);
        for (const line of lines) console.log(`    ${line}`);
      } catch (error) {
        failures++;
        console.log(`✘ ${step.title}\n    ${(error as Error).message.split('\n').join('\n    ')}`);
      }
    }
  } finally {
    await Promise.all([emulator.close(), github.close(), jenkins.close()]);
    rmSync(work, { recursive: true, force: true });
  }
  console.log(
    failures === 0 ? '\nEvery step behaved as expected.' : `\n${failures} step(s) did not behave as expected.`,
  );
  return failures === 0 ? 0 : 1;
}

/** `npm run demo` runs the chain; `npm run demo -- jenkins` the README's Jenkins walkthrough. */
function run(mode: string | undefined): Promise<number> {
  if (mode === undefined) return main();
  if (mode === 'jenkins') return runJenkinsWalkthrough(root);
  console.error(`demo: unknown mode "${mode}"; run \`npm run demo\` or \`npm run demo -- jenkins\`.`);
  return Promise.resolve(2);
}

run(process.argv[2]).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`demo failed to start: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
