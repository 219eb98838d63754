/**
 * The demo's world: two loopback token services signing as the production issuers (GitHub's and the Jenkins token
 * service's), and the AWS emulator loaded from the example templates as a user deploys them, those issuer URLs mapped
 * to the loopback services. Plus the few ways a step talks to it: register a build, run dist/index.js as a CI step
 * would, and prove credentials with a signed GetCallerIdentity.
 */
import { type SpawnSyncReturns, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type RunningEmulator, startEmulator } from '../emulator';
import { type RunningIssuer, startIssuer } from '../issuer/issuer';

export const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';
// The issuers the example templates name, as in production.
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const JENKINS_ISSUER = 'https://jenkins-oidc.example.com';

/** The example templates, relative to the repository root, and the role (or pool) each step uses from them. */
export const TEMPLATES = {
  github: 'examples/github-oidc.yml',
  cognito: 'examples/cognito-tags.yml',
  jenkins: 'examples/jenkins/jenkins-oidc.yml',
} as const;

export type Result = Pick<SpawnSyncReturns<string>, 'stdout' | 'stderr'> & { code: number | null };

export interface World {
  readonly root: string;
  readonly work: string;
  readonly github: RunningIssuer;
  readonly jenkins: RunningIssuer;
  readonly emulator: RunningEmulator;
  /** ARN (or id) of a logical id of the loaded templates. */
  physicalId(logicalId: string): string;
  register(
    issuer: RunningIssuer,
    claims: Record<string, unknown>,
  ): Promise<{ request_token: string; token_url: string }>;
  runKeyless(args: string[], env: Record<string, string>): Promise<Result>;
  callerArn(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startWorld(root: string): Promise<World> {
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
  const github = await startIssuer(issuerOptions('github', GITHUB_ISSUER));
  const jenkins = await startIssuer(issuerOptions('jenkins', JENKINS_ISSUER));
  // The account already has GitHub's provider, with both client ids (IAM keeps one provider per URL): both GitHub
  // templates are given its ARN, as a user of an existing account would. The Jenkins template creates its own.
  const githubProvider = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${GITHUB_ISSUER.slice('https://'.length)}`;
  const emulator = await startEmulator({
    accountId: ACCOUNT_ID,
    config: {
      oidcProviders: [{ url: GITHUB_ISSUER, clientIds: ['sts.amazonaws.com', 'cognito-identity.amazonaws.com'] }],
    },
    templates: [
      { path: join(root, TEMPLATES.github), parameters: { ExistingProviderArn: githubProvider } },
      { path: join(root, TEMPLATES.cognito), parameters: { ExistingProviderArn: githubProvider } },
      join(root, TEMPLATES.jenkins),
    ],
    issuers: { [GITHUB_ISSUER]: github.url, [JENKINS_ISSUER]: jenkins.url },
    log: () => {},
  });
  const cli = join(root, 'dist', 'index.js');
  return {
    root,
    work,
    github,
    jenkins,
    emulator,
    physicalId(logicalId) {
      const id = emulator.ids[logicalId];
      if (!id) throw new Error(`the example templates define no ${logicalId}`);
      return id;
    },
    // The registration's token_url names the production issuer, so it is pointed at the loopback listener.
    async register(issuer, claims) {
      const response = await fetch(`${issuer.url}/request-tokens`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${adminSecret}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(claims),
      });
      if (!response.ok) throw new Error(`registering a build failed: HTTP ${response.status} ${await response.text()}`);
      const build = (await response.json()) as { request_token: string; token_url: string };
      return { ...build, token_url: build.token_url.replace(issuer.issuerUrl, issuer.url) };
    },
    runKeyless: (args, env) => runProgram(process.execPath, [cli, ...args], env),
    async callerArn(credentials) {
      const sts = new STSClient({ region: REGION, endpoint: emulator.url, credentials, maxAttempts: 1 });
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      return identity.Arn ?? '(none)';
    },
    async close() {
      await Promise.all([emulator.close(), github.close(), jenkins.close()]);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Spawns a program with only the environment we give it (plus PATH), like a CI step. */
function runProgram(file: string, args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((done) => {
    const child = spawn(file, args, {
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
