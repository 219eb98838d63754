/**
 * The example GitHub workflows, run as the Actions runner runs them: the keyless-aws step is dist/index.js with the
 * step's `with:` inputs (repository variables filled from the template the workflow's header says to deploy), the
 * runner's environment and files, and the GitHub token endpoint on loopback (a token service signing with GitHub's
 * production `iss`, which the emulator maps to it). The later `run:` steps' `aws sts …` lines then run unchanged
 * under the AWS CLI (__tests__/support/aws-cli.ts) with the exported environment, against the emulator loaded from the template.
 *
 * CI installs the AWS CLI (.ci/run: Debian's awscli at /usr/bin/aws); without it these tests fail with the install
 * command, never skip.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import YAML from 'yaml';
import {
  assertNothingSecret,
  assumedRoleArn,
  closeAll,
  GITHUB_ISSUER,
  githubRunClaims,
  physicalId,
  startTemplates,
  startTokenService,
  type TokenService,
  tempDir,
  template,
} from '../e2e/support/chain';
import { awsCliPath } from '../support/aws-cli';
import { cleanupRuns, ROOT, runAction, runPost } from '../support/run-dist';
import { githubWorkflows, readExample } from './support/examples';

interface WorkflowCase {
  /** The template the workflow's header comment says to deploy. */
  readonly template: string;
  /** Repository variables (`${{ vars.NAME }}`) → the template's logical id whose physical id the user copies. */
  readonly vars: Readonly<Record<string, string>>;
  /** The role the workflow ends up as. */
  readonly role: string;
  /** The `profiles` the step writes → the template's logical id of the role each one ends up as. */
  readonly profiles?: Readonly<Record<string, string>>;
}

const CASES: Readonly<Record<string, WorkflowCase>> = {
  'workflows/github-oidc.yml': {
    template: 'github-oidc.yml',
    vars: { AWS_ROLE_ARN: 'GitHubDeployRole' },
    role: 'GitHubDeployRole',
  },
  'workflows/github-refreshable.yml': {
    template: 'github-oidc.yml',
    vars: { AWS_ROLE_ARN: 'GitHubDeployRole' },
    role: 'GitHubDeployRole',
  },
  'workflows/multi-account.yml': {
    template: 'multi-account.yml',
    vars: {
      DEV_ROLE_ARN: 'DevDeployRole',
      STAGING_ROLE_ARN: 'StagingDeployRole',
      PROD_ROLE_ARN: 'ProdDeployRole',
      PROD_AUDIT_ROLE_ARN: 'ProdAuditRole',
    },
    role: 'DevDeployRole',
    profiles: { staging: 'StagingDeployRole', prod: 'ProdDeployRole', 'prod-audit': 'ProdAuditRole' },
  },
  'workflows/cognito-tags.yml': {
    template: 'cognito-tags.yml',
    vars: { ABAC_ROLE_ARN: 'CiAbacRole', COGNITO_IDENTITY_POOL_ID: 'CiIdentityPool' },
    role: 'CiAbacRole',
  },
};

const REPOSITORY = 'acme/app';
const ACTION = /^keyless-aws\/keyless-aws@/;

interface Step {
  readonly id?: string;
  readonly uses?: string;
  readonly with?: Record<string, string | number | boolean>;
  readonly run?: string;
}

let github: TokenService;
let awsShim: string;

beforeAll(async () => {
  github = await startTokenService('github', ['sts.amazonaws.com', 'cognito-identity.amazonaws.com'], GITHUB_ISSUER);
  // The workflow's `aws …` lines run unchanged; this AWS CLI 2.9 predates AWS_ENDPOINT_URL, so an `aws` first on PATH
  // adds the emulator's endpoint (a global option, valid for every command).
  const awsCli = awsCliPath();
  awsShim = join(tempDir('keyless-aws-shim-'), 'bin');
  mkdirSync(awsShim);
  writeFileSync(join(awsShim, 'aws'), `#!/bin/sh\nexec '${awsCli}' --endpoint-url "$TEST_EMULATOR_URL" "$@"\n`);
  chmodSync(join(awsShim, 'aws'), 0o755);
}, 30_000);

afterAll(async () => {
  cleanupRuns();
  await closeAll();
});

const actionInputs = new Set(
  Object.keys((YAML.parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: object }).inputs),
);

/** `${{ … }}` with the values a run of the workflow would have; anything else is an error in the example. */
function expand(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_whole, expression: string) => {
    const value = values[expression];
    if (value === undefined) throw new Error(`the test does not know \${{ ${expression} }}`);
    return value;
  });
}

function runShell(
  line: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile('/bin/sh', ['-c', line], { env, timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

test('every example workflow that uses the action has a case here', () => {
  const usingTheAction = githubWorkflows().filter((file) =>
    /uses:\s*keyless-aws\/keyless-aws@/.test(readExample(file)),
  );
  expect(usingTheAction.sort()).toEqual(Object.keys(CASES).sort());
});

describe.each(Object.entries(CASES))('%s', (file, spec) => {
  const workflow = YAML.parse(readExample(file)) as {
    permissions?: Record<string, string>;
    jobs: Record<string, { steps: Step[] }>;
  };
  const jobs = Object.values(workflow.jobs);

  test('asks for an ID token and passes only inputs the action declares', () => {
    expect(workflow.permissions?.['id-token']).toBe('write');
    const steps = jobs.flatMap((job) => job.steps).filter((step) => ACTION.test(step.uses ?? ''));
    expect(steps.length).toBe(1);
    expect(Object.keys(steps[0]?.with ?? {}).filter((input) => !actionInputs.has(input))).toEqual([]);
    // The header says which template to deploy, and that is the one run below.
    expect(readExample(file)).toContain(`examples/${spec.template}`);
  });

  test('runs as written: the action assumes the role, the `aws sts` lines run with what it exported', async () => {
    const emulator = await startTemplates([template(spec.template, github)]);
    const claims = githubRunClaims(REPOSITORY);
    const build = await github.register({
      ...claims,
      audiences: ['sts.amazonaws.com', 'cognito-identity.amazonaws.com'],
    });
    const vars = Object.fromEntries(
      Object.entries(spec.vars).map(([name, id]) => [`vars.${name}`, physicalId(emulator, id)]),
    );
    // What the runner gives every step of the job.
    const jobEnv = {
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_RUN_ID: String(claims.run_id),
      GITHUB_SHA: String(claims.sha),
      GITHUB_WORKFLOW: 'example',
      GITHUB_ACTOR: 'octocat',
      ACTIONS_ID_TOKEN_REQUEST_URL: `${build.token_url}?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: build.request_token,
      // Only the endpoints differ from github.com: STS and Cognito are the emulator.
      AWS_ENDPOINT_URL_STS: emulator.url,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY: emulator.url,
    };

    for (const job of jobs) {
      let exported: Record<string, string> = {};
      let outputs: Record<string, string> = {};
      let main: Awaited<ReturnType<typeof runAction>> | undefined;
      let ran = 0;
      for (const step of job.steps) {
        if (ACTION.test(step.uses ?? '')) {
          const inputs = Object.fromEntries(
            Object.entries(step.with ?? {}).map(([name, value]) => [name, expand(String(value), vars)]),
          );
          main = await runAction({ inputs, env: jobEnv });
          expect([main.code, main.stderr, main.stdout.split('\n').filter((l) => l.startsWith('::error'))]).toEqual([
            0,
            '',
            [],
          ]);
          exported = main.env;
          outputs = Object.fromEntries(
            Object.entries(main.outputs).map(([k, v]) => [`steps.${step.id}.outputs.${k}`, v]),
          );
          continue;
        }
        if (!step.run || !main) continue;
        const values = { ...vars, ...outputs, 'github.repository': REPOSITORY };
        for (const line of step.run.split('\n').map((l) => l.trim())) {
          if (!line.startsWith('aws sts ')) continue; // other services are not emulated
          const env: Record<string, string> = {
            ...main.childEnv,
            ...exported,
            PATH: `${awsShim}:${dirname(process.execPath)}:/usr/bin:/bin`,
            AWS_PAGER: '',
            TEST_EMULATOR_URL: emulator.url,
          };
          const result = await runShell(expand(line, values), env);
          expect(result.stderr).toBe('');
          expect(result.code).toBe(0);
          const arn = (JSON.parse(result.stdout) as { Arn: string }).Arn;
          // `--profile NAME` is one of the step's further profiles; without it the exported role-to-assume.
          const profile = /--profile (\S+)/.exec(line)?.[1];
          const role = profile === undefined ? spec.role : spec.profiles?.[profile];
          expect([line, role !== undefined]).toEqual([line, true]);
          expect([line, arn.startsWith(assumedRoleArn(physicalId(emulator, role as string), ''))]).toEqual([
            line,
            true,
          ]);
          assertNothingSecret(result.stdout + main.stdout, github.secrets());
          ran++;
        }
      }
      expect(ran).toBeGreaterThan(0);
      if (main?.state && Object.keys(main.state).length > 0) {
        const post = await runPost(main);
        expect(post.code).toBe(0);
        // A refreshable profile is removed by the post step: nothing is left for a later job on the runner.
        if (exported.AWS_CONFIG_FILE) expect(existsSync(exported.AWS_CONFIG_FILE)).toBe(false);
        // Static profiles went to ~/.aws, created by the step: the post step removes them (and the files).
        if (spec.profiles) expect(existsSync(join(main.childEnv.HOME as string, '.aws', 'credentials'))).toBe(false);
      }
    }
  }, 90_000);
});
