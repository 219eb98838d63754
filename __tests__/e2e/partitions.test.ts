/**
 * Black box: the whole chain in each partition. One emulator per partition (as one AWS partition knows only its own
 * ARNs), each loaded from the example templates unchanged; dist/index.js runs as the action and as the CLI with the
 * partition's region, requests the partition's default audience (the OIDC provider lists only that one), goes
 * through Cognito where asked, and the credentials must pass a SigV4-signed GetCallerIdentity answering the
 * partition's assumed-role ARN. A role of another partition than the region fails before any request.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { RunningEmulator } from '../../src/emulator';
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { cleanupRuns, runAction } from '../support/run-dist';
import {
  assertNothingSecret,
  type Credentials,
  closeAll,
  credentialsFromVariables,
  GITHUB_ISSUER,
  githubRunClaims,
  physicalId,
  startTemplates,
  startTokenService,
  type TokenService,
  template,
} from './support/chain';

interface PartitionCase {
  readonly partition: string;
  readonly region: string;
  readonly audience: string;
}

const PARTITIONS: readonly PartitionCase[] = [
  { partition: 'aws', region: 'us-east-1', audience: 'sts.amazonaws.com' },
  { partition: 'aws-cn', region: 'cn-north-1', audience: 'sts.amazonaws.com.cn' },
  { partition: 'aws-us-gov', region: 'us-gov-west-1', audience: 'sts.amazonaws.com' },
];

let github: TokenService;
let githubForCognito: TokenService;
const emulators = new Map<string, RunningEmulator>();

beforeAll(async () => {
  // The service signs whichever of these the run asks for; only the provider's client id decides what STS accepts.
  github = await startTokenService('github', ['sts.amazonaws.com', 'sts.amazonaws.com.cn'], GITHUB_ISSUER);
  githubForCognito = await startTokenService(
    'github-cognito',
    ['cognito-identity.amazonaws.com'],
    `${GITHUB_ISSUER}/acme`,
  );
  for (const { partition, region } of PARTITIONS) {
    const emulator = await startTemplates(
      [
        template('github-oidc.yml', github),
        template('cognito-tags.yml', githubForCognito, { IssuerUrl: githubForCognito.issuerUrl }),
      ],
      { region },
    );
    emulators.set(partition, emulator);
  }
}, 60_000);

afterAll(async () => {
  cleanupRuns();
  cleanupCliDirs();
  await closeAll();
});

function emulatorOf(partition: string): RunningEmulator {
  const emulator = emulators.get(partition);
  if (!emulator) throw new Error(`no emulator for ${partition}`);
  return emulator;
}

/** GetCallerIdentity signed for the partition's region with the credentials the run exported. */
async function callerArnIn(region: string, endpoint: string, credentials: Credentials): Promise<string> {
  const sts = new STSClient({ region, endpoint, credentials, maxAttempts: 1 });
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? '(none)';
  } finally {
    sts.destroy();
  }
}

type Runner = 'action' | 'cli';

interface Outcome {
  readonly code: number | null;
  readonly exported: Record<string, string>;
  readonly nothingExported: boolean;
  /** What the user reads: the action's annotation (decoded) or the CLI's stderr. */
  readonly message: string;
  readonly printed: string;
  readonly minted: number;
}

async function run(
  runner: Runner,
  issuer: TokenService,
  emulatorUrl: string,
  settings: Record<string, string>,
): Promise<Outcome> {
  const build = await issuer.register(githubRunClaims('acme/app'));
  const jobEnv = {
    ACTIONS_ID_TOKEN_REQUEST_URL: `${build.token_url}?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: build.request_token,
    AWS_ENDPOINT_URL_STS: emulatorUrl,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY: emulatorUrl,
    GITHUB_RUN_ID: '4242424242',
    GITHUB_SHA: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
  };
  const before = issuer.minted();
  if (runner === 'action') {
    const result = await runAction({ inputs: settings, env: jobEnv });
    const annotation = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('::error::'))
      .map((line) => line.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%25/g, '%'))
      .join('\n');
    return {
      code: result.code,
      exported: result.env,
      nothingExported: result.raw.env === '' && result.raw.output === '',
      message: annotation,
      printed: result.stdout + result.stderr,
      minted: issuer.minted() - before,
    };
  }
  const flags = Object.entries(settings).flatMap(([name, value]) => [`--${name}`, value]);
  const result = await runCli(['env', '--format', 'json', '--token-source', 'github', ...flags], {
    env: { ...cliEnv(cliDir()), GITHUB_ACTIONS: 'true', ...jobEnv },
  });
  return {
    code: result.code,
    exported: result.code === 0 ? (JSON.parse(result.stdout) as Record<string, string>) : {},
    nothingExported: result.stdout === '',
    message: result.stderr,
    printed: result.stderr,
    minted: issuer.minted() - before,
  };
}

const cases = (['action', 'cli'] as const).flatMap((runner) => PARTITIONS.map((p) => ({ runner, ...p })));

describe.each(cases)('$runner in $partition ($region)', ({ runner, partition, region, audience }) => {
  test(`OIDC → STS with the default audience ${audience}: credentials of an ${partition} assumed role`, async () => {
    const emulator = emulatorOf(partition);
    const role = physicalId(emulator, 'GitHubDeployRole');
    expect(role.startsWith(`arn:${partition}:iam::`)).toBe(true);
    const outcome = await run(runner, github, emulator.url, { 'aws-region': region, 'role-to-assume': role });
    expect(outcome.message).not.toMatch(/error/i);
    expect(outcome.code).toBe(0);
    expect(outcome.minted).toBe(1);
    const name = role.split('/').pop();
    const arn = await callerArnIn(region, emulator.url, credentialsFromVariables(outcome.exported));
    expect(arn).toMatch(new RegExp(`^arn:${partition}:sts::\\d{12}:assumed-role/${name}/GitHubActions$`));
    expect(outcome.exported.AWS_REGION).toBe(region);
    assertNothingSecret(outcome.printed, github.secrets());
  });

  test('OIDC → Cognito → STS: the pool and the role of the partition', async () => {
    const emulator = emulatorOf(partition);
    const role = physicalId(emulator, 'CiAbacRole');
    const pool = physicalId(emulator, 'CiIdentityPool');
    expect(pool.startsWith(`${region}:`)).toBe(true);
    const outcome = await run(runner, githubForCognito, emulator.url, {
      'aws-region': region,
      'role-to-assume': role,
      'cognito-identity-pool-id': pool,
    });
    expect(outcome.message).not.toMatch(/error/i);
    expect(outcome.code).toBe(0);
    const arn = await callerArnIn(region, emulator.url, credentialsFromVariables(outcome.exported));
    expect(arn).toMatch(new RegExp(`^arn:${partition}:sts::\\d{12}:assumed-role/${role.split('/').pop()}/`));
    assertNothingSecret(outcome.printed, githubForCognito.secrets());
  });

  test('a role of another partition than the region: exit 2 naming both, before any token is asked for', async () => {
    const other = partition === 'aws-cn' ? 'aws' : 'aws-cn';
    const role = physicalId(emulatorOf(other), 'GitHubDeployRole');
    const outcome = await run(runner, github, emulatorOf(partition).url, {
      'aws-region': region,
      'role-to-assume': role,
    });
    // The action reports every failure as exit 1 (a failed step); the CLI has its documented codes.
    expect(outcome.code).toBe(runner === 'action' ? 1 : 2);
    expect(outcome.nothingExported).toBe(true);
    expect(outcome.minted).toBe(0);
    const roleLabel = runner === 'action' ? 'Input "role-to-assume"' : '--role-to-assume';
    const regionLabel = runner === 'action' ? 'input "aws-region"' : '--aws-region';
    expect(outcome.message).toContain(
      `${roleLabel} "${role}" is in partition ${other}, but ${regionLabel} "${region}" is in partition ${partition}.`,
    );
  });
});
