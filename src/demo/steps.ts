/**
 * The demo's four steps. Each says what it is (CI, issuer, role, template), what a user would write to do the same,
 * and runs dist/index.js exactly so, then proves the credentials with GetCallerIdentity against the emulator.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionStep, type StepContext, shellCommand } from './show';
import { GITHUB_ISSUER, JENKINS_ISSUER, REGION, TEMPLATES, type World } from './world';

export interface Step {
  readonly title: string;
  readonly context: StepContext;
  /** What the user would write: a workflow step or a command line, and the check. */
  readonly equivalent: readonly string[];
  /** Runs the step; returns what happened, or throws with what went wrong. */
  run(): Promise<string[]>;
}

const RUN_ID = '4242424242';
const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4';

function githubClaims(repository: string) {
  return {
    sub: `repo:${repository}:ref:refs/heads/main`,
    repository,
    repository_owner: repository.split('/')[0],
    ref: 'refs/heads/main',
    sha: SHA,
    run_id: RUN_ID,
    actor: 'octocat',
    event_name: 'push',
    workflow: 'deploy',
  };
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

/** The environment the runner gives the action's process, with fresh GITHUB_ENV/OUTPUT/STATE files. */
function actionEnv(world: World, build: { token_url: string; request_token: string }, role: string) {
  const envFile = join(world.work, `env-${randomBytes(4).toString('hex')}`);
  // The runner files receive the step's credentials: private, as the runner's own are.
  for (const file of [envFile, `${envFile}.out`, `${envFile}.state`]) writeFileSync(file, '', { mode: 0o600 });
  return {
    envFile,
    env: {
      GITHUB_ACTIONS: 'true',
      GITHUB_ENV: envFile,
      GITHUB_OUTPUT: `${envFile}.out`,
      GITHUB_STATE: `${envFile}.state`,
      GITHUB_RUN_ID: RUN_ID,
      GITHUB_SHA: SHA,
      HOME: world.work,
      'INPUT_AWS-REGION': REGION,
      'INPUT_ROLE-TO-ASSUME': role,
      // GitHub's request URL already carries a query string; the audience is joined onto it.
      ACTIONS_ID_TOKEN_REQUEST_URL: `${build.token_url}?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: build.request_token,
      AWS_ENDPOINT_URL_STS: world.emulator.url,
    },
  };
}

function githubContext(world: World, role: string, logicalId: string, path: string): StepContext {
  return {
    ci: 'GitHub Actions, the action (dist/index.js started by the runner, inputs as INPUT_* variables)',
    issuer: { production: GITHUB_ISSUER, local: world.github.url },
    roleArn: role,
    template: { path, logicalId },
  };
}

/** The check a user runs, pointed at the emulator; the demo makes the same signed call with the SDK. */
function checkCommand(world: World): string {
  return `aws sts get-caller-identity --endpoint-url ${world.emulator.url}`;
}

function actionStepOf(world: World): Step {
  const role = world.physicalId('GitHubDeployRole');
  return {
    title: 'GitHub Actions OIDC (the action)',
    context: githubContext(world, role, 'GitHubDeployRole', TEMPLATES.github),
    equivalent: [
      ...actionStep({ 'role-to-assume': role, 'aws-region': REGION }),
      `- run: ${checkCommand(world)}`,
      `(with AWS_ENDPOINT_URL_STS=${world.emulator.url} in the step's environment, as here)`,
    ],
    async run() {
      const build = await world.register(world.github, githubClaims('acme/app'));
      const { env, envFile } = actionEnv(world, build, role);
      const result = await world.runKeyless([], env);
      if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stdout}${result.stderr}`);
      const exported = parseRunnerFile(envFile);
      const arn = await world.callerArn({
        accessKeyId: exported.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: exported.AWS_SECRET_ACCESS_KEY ?? '',
        sessionToken: exported.AWS_SESSION_TOKEN ?? '',
      });
      return [
        `exported AWS_* to GITHUB_ENV, expiring ${exported.AWS_CREDENTIAL_EXPIRATION}`,
        `GetCallerIdentity: ${arn}`,
      ];
    },
  };
}

function jenkinsStep(world: World): Step {
  const role = world.physicalId('JenkinsDeployRole');
  const args = ['credential-process', '--aws-region', REGION, '--role-to-assume', role, '--token-source', 'jenkins'];
  const jobEnv = { JOB_NAME: 'payments/deploy', JOB_BASE_NAME: 'deploy', BUILD_NUMBER: '57' };
  return {
    title: 'Jenkins token service (CLI credential-process)',
    context: {
      ci: 'Jenkins, a build inside withAwsIdToken (the CLI on the agent; Jenkins sets JOB_NAME, BUILD_NUMBER)',
      issuer: { production: JENKINS_ISSUER, local: world.jenkins.url },
      roleArn: role,
      template: { path: TEMPLATES.jenkins, logicalId: 'JenkinsDeployRole' },
    },
    equivalent: [
      'withAwsIdToken { … }  // the library step registers the build; sets JENKINS_ID_TOKEN_REQUEST_URL/_TOKEN',
      `$ ${shellCommand(['node', 'dist/index.js', ...args], { AWS_ENDPOINT_URL_STS: world.emulator.url })}`,
      `$ ${checkCommand(world)}   # with the JSON's keys, or through a credential_process profile`,
    ],
    async run() {
      const build = await world.register(world.jenkins, { job: 'payments/deploy', build_number: 57, branch: 'main' });
      const result = await world.runKeyless(args, {
        ...jobEnv,
        JENKINS_URL: 'https://jenkins.example.com/',
        JENKINS_ID_TOKEN_REQUEST_URL: build.token_url,
        JENKINS_ID_TOKEN_REQUEST_TOKEN: build.request_token,
        AWS_ENDPOINT_URL_STS: world.emulator.url,
        HOME: world.work,
      });
      if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stderr}`);
      const json = JSON.parse(result.stdout) as Record<string, string>;
      const arn = await world.callerArn({
        accessKeyId: json.AccessKeyId ?? '',
        secretAccessKey: json.SecretAccessKey ?? '',
        sessionToken: json.SessionToken ?? '',
      });
      return [`credential_process JSON, Version 1, expiring ${json.Expiration}`, `GetCallerIdentity: ${arn}`];
    },
  };
}

function cognitoStep(world: World): Step {
  const role = world.physicalId('CiAbacRole');
  const pool = world.physicalId('CiIdentityPool');
  const args = [
    'env',
    '--format',
    'json',
    '--cognito-identity-pool-id',
    pool,
    '--token-source',
    'github',
    '--aws-region',
    REGION,
    '--role-to-assume',
    role,
  ];
  const endpoints = { AWS_ENDPOINT_URL_COGNITO_IDENTITY: world.emulator.url, AWS_ENDPOINT_URL_STS: world.emulator.url };
  return {
    title: 'Cognito classic flow: claims become session tags',
    context: {
      ...githubContext(world, role, 'CiAbacRole', TEMPLATES.cognito),
      ci: 'GitHub Actions, the CLI in a run: step (the runner token, exchanged through the identity pool CiIdentityPool)',
    },
    equivalent: [
      `$ ${shellCommand(['node', 'dist/index.js', ...args], endpoints)}`,
      `$ ${checkCommand(world)}   # with the printed variables exported`,
    ],
    async run() {
      const build = await world.register(world.github, {
        ...githubClaims('acme/app'),
        audiences: ['cognito-identity.amazonaws.com'],
      });
      const { env } = actionEnv(world, build, role);
      const result = await world.runKeyless(args, { ...env, ...endpoints });
      if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stderr}`);
      const vars = JSON.parse(result.stdout) as Record<string, string>;
      const arn = await world.callerArn({
        accessKeyId: vars.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: vars.AWS_SECRET_ACCESS_KEY ?? '',
        sessionToken: vars.AWS_SESSION_TOKEN ?? '',
      });
      const tagLine = result.stderr.split('\n').find((l) => l.includes('principal tags')) ?? '(no tag line logged)';
      return [tagLine.replace(/^keyless-aws: /, ''), `GetCallerIdentity: ${arn} (session name <run_id>@<sha>)`];
    },
  };
}

/** The `::error::` workflow command as the runner shows it: the message, its escapes undone. */
function runnerError(stdout: string): string {
  const error = stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
  return error.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
}

function denialStep(world: World): Step {
  const role = world.physicalId('GitHubDeployRole');
  return {
    title: 'Denied: a token from another repository (wrong sub), explained',
    context: githubContext(world, role, 'GitHubDeployRole', TEMPLATES.github),
    equivalent: [
      '# the same step as above, in a workflow of evil/app: its token says sub repo:evil/app:ref:refs/heads/main',
      ...actionStep({ 'role-to-assume': role, 'aws-region': REGION }),
    ],
    async run() {
      const build = await world.register(world.github, githubClaims('evil/app'));
      const { env, envFile } = actionEnv(world, build, role);
      const started = Date.now();
      const result = await world.runKeyless([], env);
      const elapsed = Date.now() - started;
      if (result.code === 0) throw new Error('the run succeeded but should have been denied');
      if (readFileSync(envFile, 'utf8') !== '') throw new Error('a denied run exported variables');
      const text = runnerError(result.stdout);
      if (!text.includes(':sub = repo:evil/app')) throw new Error(`the denial does not show the sub:\n${text}`);
      // The error in full, as the job's log and its annotation show it.
      return [
        `exit code ${result.code} on the first attempt in ${elapsed} ms, nothing exported; the log says:`,
        ...text.split('\n').map((line, i) => (i === 0 ? `Error: ${line}` : line)),
      ];
    },
  };
}

export function demoSteps(world: World): Step[] {
  return [actionStepOf(world), jenkinsStep(world), cognitoStep(world), denialStep(world)];
}
