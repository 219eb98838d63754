/**
 * Black box: behaviour that hinges on AWS's own checks — trust-policy conditions, OIDC-provider audiences, the
 * role's MaxSessionDuration, Cognito principal tags and the sts:RoleSessionName condition — against the emulator
 * loaded from examples/github-oidc.yml and examples/cognito-tags.yml instead of the scripted fakes. Each case runs
 * twice: the action (dist/index.js as the Actions runner starts it) and the CLI (`env --format json` in a `run:`
 * step of the same job). Successful credentials must pass a SigV4-signed GetCallerIdentity, verified by the emulator.
 */

import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { assertMasked } from '../support/leak-check';
import { cleanupRuns, runAction } from '../support/run-dist';
import {
  assertNothingSecret,
  assumedRoleArn,
  callerArn,
  closeAll,
  credentialsFromVariables,
  GITHUB_ISSUER,
  githubRunClaims,
  physicalId,
  REGION,
  startTemplates,
  startTokenService,
  type TokenService,
  template,
} from './support/chain';

const RUN_ID = '4242424242';
const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4';

let github: TokenService;
let githubForCognito: TokenService;
let emulatorUrl: string;
let deployRole: string;
let abacRole: string;
let poolId: string;

beforeAll(async () => {
  // IAM keeps one OIDC provider per URL and each template creates its own unless given ExistingProviderArn: the
  // Cognito one trusts a GitHub Enterprise Cloud issuer (`<GitHub's issuer>/<enterprise>`), a URL of its own.
  github = await startTokenService('github', ['sts.amazonaws.com', 'other'], GITHUB_ISSUER);
  githubForCognito = await startTokenService(
    'github-cognito',
    ['cognito-identity.amazonaws.com'],
    `${GITHUB_ISSUER}/acme`,
  );
  const emulator = await startTemplates([
    template('github-oidc.yml', github),
    template('cognito-tags.yml', githubForCognito, { IssuerUrl: githubForCognito.issuerUrl }),
  ]);
  emulatorUrl = emulator.url;
  deployRole = physicalId(emulator, 'GitHubDeployRole');
  abacRole = physicalId(emulator, 'CiAbacRole');
  poolId = physicalId(emulator, 'CiIdentityPool');
}, 30_000);

afterAll(async () => {
  cleanupRuns();
  cleanupCliDirs();
  await closeAll();
});

type Runner = 'action' | 'cli';

interface Exchange {
  readonly issuer: TokenService;
  readonly claims: Record<string, unknown>;
  readonly role: string;
  /** Action inputs; the CLI gets the same names as flags. */
  readonly settings?: Readonly<Record<string, string>>;
}

interface Outcome {
  readonly code: number | null;
  /** What reached the job: GITHUB_ENV (action) or the printed JSON (CLI). */
  readonly exported: Record<string, string>;
  /** Nothing at all was written or printed for later steps. */
  readonly nothingExported: boolean;
  /** The failure as the user reads it (the action's ::error:: annotation decoded, or the CLI's stderr). */
  readonly message: string;
  /** Everything the process printed. */
  readonly printed: string;
  readonly stdout: string;
  /** ID tokens the issuer minted for this run (a retry would fetch another). */
  readonly tokensMinted: number;
  readonly secrets: string[];
}

/** The runner's escaping of workflow-command data, undone. */
function annotationText(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('::error::'))
    .map((line) => line.slice('::error::'.length).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))
    .join('\n');
}

async function exchange(runner: Runner, request: Exchange): Promise<Outcome> {
  const build = await request.issuer.register(request.claims);
  const jobEnv = {
    ACTIONS_ID_TOKEN_REQUEST_URL: `${build.token_url}?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: build.request_token,
    AWS_ENDPOINT_URL_STS: emulatorUrl,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY: emulatorUrl,
    GITHUB_RUN_ID: RUN_ID,
    GITHUB_SHA: SHA,
  };
  const settings = { 'aws-region': REGION, 'role-to-assume': request.role, ...request.settings };
  const mintedBefore = request.issuer.minted();
  if (runner === 'action') {
    const run = await runAction({ inputs: settings, env: jobEnv });
    return {
      code: run.code,
      exported: run.env,
      nothingExported: run.raw.env === '' && run.raw.output === '',
      message: `${annotationText(run.stdout)}\n${run.stderr}`,
      printed: run.stdout + run.stderr,
      stdout: run.stdout,
      tokensMinted: request.issuer.minted() - mintedBefore,
      secrets: request.issuer.secrets(),
    };
  }
  const flags = Object.entries(settings).flatMap(([name, value]) => [`--${name}`, value]);
  const run = await runCli(['env', '--format', 'json', '--token-source', 'github', ...flags], {
    env: { ...cliEnv(cliDir()), GITHUB_ACTIONS: 'true', ...jobEnv },
  });
  return {
    code: run.code,
    exported: run.code === 0 ? (JSON.parse(run.stdout) as Record<string, string>) : {},
    nothingExported: run.stdout === '',
    message: run.stderr,
    // The CLI prints the credentials on stdout because it was asked to; only stderr must hold no secret.
    printed: run.stderr,
    stdout: run.stdout,
    tokensMinted: request.issuer.minted() - mintedBefore,
    secrets: request.issuer.secrets(),
  };
}

function expectDenied(outcome: Outcome, runner: Runner): void {
  expect(outcome.code).toBe(runner === 'action' ? 1 : 4);
  expect(outcome.nothingExported).toBe(true);
  // Denials are final: one token, one AssumeRoleWithWebIdentity, no retry.
  expect(outcome.tokensMinted).toBe(1);
  assertNothingSecret(outcome.printed, outcome.secrets);
}

describe.each<Runner>(['action', 'cli'])('%s against the emulator', (runner) => {
  test('a workflow of the trusted repository gets credentials that pass a signed GetCallerIdentity', async () => {
    const outcome = await exchange(runner, { issuer: github, claims: githubRunClaims('acme/app'), role: deployRole });
    expect(outcome.message).not.toMatch(/error/i);
    expect(outcome.code).toBe(0);
    expect(outcome.tokensMinted).toBe(1);
    const credentials = credentialsFromVariables(outcome.exported);
    expect(await callerArn(emulatorUrl, credentials)).toBe(assumedRoleArn(deployRole, 'GitHubActions'));
    expect(outcome.exported.AWS_REGION).toBe(REGION);
    if (runner === 'action') {
      assertMasked(outcome.stdout, credentials.secretAccessKey);
      assertMasked(outcome.stdout, credentials.sessionToken ?? '');
      expect(outcome.stdout).not.toContain('::error::');
    }
    assertNothingSecret(outcome.printed, [
      ...outcome.secrets,
      ...(runner === 'action' ? [credentials.secretAccessKey, credentials.sessionToken] : []),
    ]);
  });

  test('a token of another repository (wrong sub) is denied on the first attempt, with <issuer-host>:sub shown', async () => {
    const outcome = await exchange(runner, { issuer: github, claims: githubRunClaims('evil/app'), role: deployRole });
    expectDenied(outcome, runner);
    expect(outcome.message).toContain('AccessDenied');
    expect(outcome.message).toContain(`Role: ${deployRole}`);
    expect(outcome.message).toContain(`${github.host}:sub = repo:evil/app:ref:refs/heads/main`);
    expect(outcome.message).toContain(`${github.host}:aud = sts.amazonaws.com`);
  });

  test('audience "other", which the OIDC provider does not list: InvalidIdentityToken explained by the audience', async () => {
    const outcome = await exchange(runner, {
      issuer: github,
      claims: githubRunClaims('acme/app'),
      role: deployRole,
      settings: { audience: 'other' },
    });
    expectDenied(outcome, runner);
    expect(outcome.message).toContain('InvalidIdentityToken');
    expect(outcome.message).toContain('Incorrect token audience');
    expect(outcome.message).toContain(`${github.host}:aud = other`);
    expect(outcome.message).toContain(
      `The token's audience is not among the client ids of the IAM OIDC provider for ${github.host}`,
    );
  });

  test('role-duration-seconds above the role’s MaxSessionDuration: ValidationError explained', async () => {
    const outcome = await exchange(runner, {
      issuer: github,
      claims: githubRunClaims('acme/app'),
      role: deployRole,
      settings: { 'role-duration-seconds': '7200' },
    });
    expectDenied(outcome, runner);
    expect(outcome.message).toContain('ValidationError');
    expect(outcome.message).toContain('DurationSeconds exceeds the MaxSessionDuration');
    expect(outcome.message).toContain(
      "role-duration-seconds (7200) is above the role's maximum session duration: lower it, or raise MaxSessionDuration on the role.",
    );
  });

  test('Cognito: the pool maps claims to tags and the session is named <run_id>@<sha>, as the trust policy demands', async () => {
    const outcome = await exchange(runner, {
      issuer: githubForCognito,
      claims: githubRunClaims('acme/app', { run_id: RUN_ID, sha: SHA }),
      role: abacRole,
      settings: { 'cognito-identity-pool-id': poolId },
    });
    expect(outcome.message).not.toMatch(/error/i);
    expect(outcome.code).toBe(0);
    const credentials = credentialsFromVariables(outcome.exported);
    expect(await callerArn(emulatorUrl, credentials)).toBe(assumedRoleArn(abacRole, `${RUN_ID}@${SHA}`));
    assertNothingSecret(outcome.printed, [
      ...outcome.secrets,
      ...(runner === 'action' ? [credentials.secretAccessKey, credentials.sessionToken] : []),
    ]);
  });

  test('Cognito: an explicit role-session-name that breaks the sts:RoleSessionName condition is denied', async () => {
    const outcome = await exchange(runner, {
      issuer: githubForCognito,
      claims: githubRunClaims('acme/app', { run_id: RUN_ID, sha: SHA }),
      role: abacRole,
      settings: { 'cognito-identity-pool-id': poolId, 'role-session-name': 'deploy-by-hand' },
    });
    expectDenied(outcome, runner);
    expect(outcome.message).toContain('AccessDenied');
    expect(outcome.message).toContain('sts:RoleSessionName = deploy-by-hand');
    expect(outcome.message).toContain(`aws:RequestTag/run_id = ${RUN_ID}`);
    expect(outcome.message).toContain(`aws:RequestTag/sha = ${SHA}`);
  });
});
