/**
 * Black box: several roles in one step (`profiles` / `--profiles`) through dist/index.js.
 *
 * Against the STS fake (failure injection): the token endpoint is asked once per audience, the STS calls are in
 * flight together, one refused role leaves the runner files and the profile files byte for byte as they were, and
 * the post step puts back the files the step wrote. Against the emulator loaded from examples/multi-account.yml:
 * refreshable profiles from the action and static ones from the CLI's `profile --profiles …`, each used by the AWS
 * CLI (`sts get-caller-identity --profile NAME`), a chained audit role included.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { RunningEmulator } from '../../src/emulator';
import { cleanupCliDirs, cliDir, cliEnv, runCli } from '../cli/support/run-cli';
import { awsCliPath } from '../support/aws-cli';
import { assertNoSecretLeak } from '../support/leak-check';
import { cleanupRuns, makeRunDir, runAction, runPost } from '../support/run-dist';
import { type StsFake, startStsFake, stsError } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';
import {
  assumedRoleArn,
  closeAll,
  GITHUB_ISSUER,
  githubRunClaims,
  physicalId,
  startTemplates,
  startTokenService,
  type TokenService,
  template,
} from './support/chain';

const DEV = 'arn:aws:iam::111111111111:role/deploy';
const STAGING = 'arn:aws:iam::333333333333:role/deploy';
const PROD = 'arn:aws:iam::222222222222:role/deploy';
const PROFILES = `staging=${STAGING}\nprod=${PROD} region=us-east-1 audience=prod.example`;

/** Every file under `dir`, path → bytes (as text), for byte-for-byte comparisons. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[path] = readFileSync(path, 'latin1');
    }
  };
  walk(dir);
  return files;
}

describe('against the STS fake', () => {
  let sts: StsFake;
  let github: TokenEndpoint;
  beforeAll(async () => {
    sts = await startStsFake();
    github = await startTokenEndpoint();
  });
  afterAll(async () => {
    cleanupRuns();
    await Promise.all([sts.close(), github.close()]);
  });
  beforeEach(() => {
    sts.reset();
    github.reset();
  });

  const inputs = { 'aws-region': 'eu-west-1', 'role-to-assume': DEV, profiles: PROFILES };
  const env = () => ({ ...github.env(), AWS_ENDPOINT_URL_STS: sts.url, GITHUB_REPOSITORY: 'acme/app' });
  const secrets = () => [...sts.secrets(), ...github.secrets()];

  test('one token fetch per audience, the three STS calls in flight together, profiles written', async () => {
    sts.gather(3);
    const main = await runAction({ inputs, env: env() });
    expect([main.code, main.stderr]).toEqual([0, '']);
    expect(github.requests.map((r) => r.audience).sort()).toEqual(['prod.example', 'sts.amazonaws.com']);
    expect(sts.maxInFlight()).toBe(3);
    // role-to-assume keeps its drop-in exports and outputs; the others are profiles in ~/.aws.
    expect(main.outputs['authenticated-arn']).toBe('arn:aws:sts::111111111111:assumed-role/deploy/GitHubActions');
    expect(main.env.AWS_REGION).toBe('eu-west-1');
    expect(main.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
    expect(main.env.AWS_PROFILE).toBeUndefined();
    const aws = join(main.childEnv.HOME!, '.aws');
    const credentials = readFileSync(join(aws, 'credentials'), 'utf8');
    const config = readFileSync(join(aws, 'config'), 'utf8');
    const keyOf = (arn: string) => sts.issued.find((c) => c.arn.startsWith(arn))?.accessKeyId;
    expect(credentials).toContain(`[staging]\naws_access_key_id = ${keyOf('arn:aws:sts::333333333333:')}`);
    expect(credentials).toContain(`[prod]\naws_access_key_id = ${keyOf('arn:aws:sts::222222222222:')}`);
    expect(config).toContain('[profile staging]\nregion = eu-west-1');
    expect(config).toContain('[profile prod]\nregion = us-east-1');
    assertNoSecretLeak(main.stdout + main.stderr, secrets());

    // The post step removes both profiles, and the files and directory it created for them.
    const post = await runPost(main);
    expect(post.code).toBe(0);
    expect(existsSync(aws)).toBe(false);
  });

  test.each([
    [
      'a further profile',
      PROD,
      /Profile "prod" \(arn:aws:iam::222222222222:role\/deploy\) failed, so nothing was written/,
    ],
    ['role-to-assume', DEV, /Role-to-assume arn:aws:iam::111111111111:role\/deploy failed, so nothing was written/],
  ])('%s refused: runner files and profile files byte for byte as before', async (_what, denied, message) => {
    // An earlier step of the job already exported something and the user has profiles of their own.
    const dir = makeRunDir();
    const aws = join(dir, 'home', '.aws');
    mkdirSync(aws);
    writeFileSync(join(aws, 'credentials'), '[mine]\r\naws_access_key_id = AKIAUSER\r\n');
    writeFileSync(join(aws, 'config'), '[profile mine]\nregion = ap-south-1\n');
    const earlier = await runAction({ inputs: { 'aws-region': 'eu-west-1', 'role-to-assume': DEV }, env: env(), dir });
    expect(earlier.code).toBe(0);
    const before = snapshot(dir);

    sts.forRole(denied, stsError.accessDenied());
    const main = await runAction({ inputs, env: env(), dir });
    expect(main.code).toBe(1);
    expect(main.stdout).toMatch(message);
    expect(snapshot(dir)).toEqual(before);
    assertNoSecretLeak(main.stdout + main.stderr, secrets());
  });

  test('overwrite-aws-profile: the post step puts back every overwritten profile byte for byte', async () => {
    const dir = makeRunDir();
    const aws = join(dir, 'home', '.aws');
    mkdirSync(aws);
    const credentials =
      '# mine\n[prod]\naws_access_key_id = AKIAOLDPROD\naws_secret_access_key = old\n\n[other]\nx = 1\n';
    writeFileSync(join(aws, 'credentials'), credentials);
    const main = await runAction({
      inputs: { ...inputs, 'aws-profile': 'ci', 'overwrite-aws-profile': 'true' },
      env: env(),
      dir,
    });
    expect([main.code, main.stderr]).toEqual([0, '']);
    expect(readFileSync(join(aws, 'credentials'), 'utf8')).not.toContain('AKIAOLDPROD');
    expect(main.env.AWS_PROFILE).toBe('ci');
    const post = await runPost(main);
    expect(post.code).toBe(0);
    expect(readFileSync(join(aws, 'credentials'), 'utf8')).toBe(credentials);
    expect(existsSync(join(aws, 'config'))).toBe(false);
  });

  test('mask-aws-account-id masks the account ids of every line before anything is printed', async () => {
    const main = await runAction({ inputs: { ...inputs, 'mask-aws-account-id': 'true' }, env: env() });
    expect([main.code, main.stderr]).toEqual([0, '']);
    const lines = main.stdout.split('\n');
    const firstMask = (id: string) => lines.indexOf(`::add-mask::${id}`);
    for (const id of ['111111111111', '222222222222', '333333333333']) {
      expect([id, firstMask(id) >= 0]).toEqual([id, true]);
      // Every line that shows the id comes after its mask (the runner hides it from then on).
      expect(lines.findIndex((l) => l.includes(id) && !l.startsWith('::add-mask::'))).toBeLessThan(0);
    }
  });

  test('without an ID token (no id-token: write) the error says so, before any request', async () => {
    const main = await runAction({ inputs, env: { AWS_ENDPOINT_URL_STS: sts.url } });
    expect(main.code).toBe(1);
    expect(main.stdout).toContain('Input "profiles" needs a CI OIDC token');
    expect(main.stdout).toContain('id-token: write');
    expect(sts.requests).toEqual([]);
  });

  test('refreshable-credentials with a chained line is refused before any request', async () => {
    const main = await runAction({
      inputs: { ...inputs, profiles: `prod=${PROD} chain=${STAGING}`, 'refreshable-credentials': 'true' },
      env: env(),
    });
    expect(main.code).toBe(1);
    expect(main.stdout).toContain('Profile "prod" chains to');
    expect(github.requests).toEqual([]);
    expect(sts.requests).toEqual([]);
    expect(main.raw.env + main.raw.output + main.raw.state).toBe('');
  });
});

describe('against the emulator, used by the AWS CLI', () => {
  let aws: string;
  let github: TokenService;
  let emulator: RunningEmulator;
  let roles: Record<'dev' | 'staging' | 'prod' | 'audit', string>;

  beforeAll(async () => {
    aws = awsCliPath();
    github = await startTokenService('github', ['sts.amazonaws.com'], GITHUB_ISSUER);
    emulator = await startTemplates([template('multi-account.yml', github)]);
    roles = {
      dev: physicalId(emulator, 'DevDeployRole'),
      staging: physicalId(emulator, 'StagingDeployRole'),
      prod: physicalId(emulator, 'ProdDeployRole'),
      audit: physicalId(emulator, 'ProdAuditRole'),
    };
  }, 30_000);
  afterAll(async () => {
    cleanupCliDirs();
    cleanupRuns();
    await closeAll();
  });

  /** `aws sts get-caller-identity --profile NAME` with `env`; the Arn it answers. */
  function callerArn(profile: string, env: Record<string, string>): Promise<string> {
    const args = [
      'sts',
      'get-caller-identity',
      '--profile',
      profile,
      '--endpoint-url',
      emulator.url,
      '--output',
      'json',
    ];
    const path = [dirname(aws), dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter);
    return new Promise((done, fail) => {
      execFile(
        aws,
        args,
        { env: { ...env, PATH: path, AWS_PAGER: '' }, timeout: 60_000, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error) fail(new Error(`aws --profile ${profile} failed: ${stderr}`));
          else done((JSON.parse(stdout) as { Arn: string }).Arn);
        },
      );
    });
  }

  test('the action’s refreshable profiles: every one runs credential-process for its own role', async () => {
    const claims = githubRunClaims('acme/app');
    const build = await github.register({ ...claims, audiences: ['sts.amazonaws.com'] });
    const main = await runAction({
      inputs: {
        'aws-region': 'eu-west-1',
        'role-to-assume': roles.dev,
        profiles: `staging=${roles.staging}\nprod=${roles.prod} region=us-east-1 session-name=release`,
        'refreshable-credentials': 'true',
      },
      env: {
        ACTIONS_ID_TOKEN_REQUEST_URL: `${build.token_url}?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: build.request_token,
        AWS_ENDPOINT_URL_STS: emulator.url,
        GITHUB_REPOSITORY: 'acme/app',
      },
    });
    expect([main.code, main.stderr]).toEqual([0, '']);
    const config = readFileSync(main.env.AWS_CONFIG_FILE!, 'utf8');
    expect(config.match(/credential_process = /g)?.length).toBe(3);
    expect(config).not.toMatch(/ASIA|aws_secret_access_key/);
    const stepEnv = { ...main.childEnv, ...main.env };
    expect(await callerArn('staging', stepEnv)).toBe(assumedRoleArn(roles.staging, 'GitHubActions'));
    expect(await callerArn('prod', stepEnv)).toBe(assumedRoleArn(roles.prod, 'release'));
    expect(await callerArn('keyless-aws', stepEnv)).toBe(assumedRoleArn(roles.dev, 'GitHubActions'));
    const post = await runPost(main);
    expect(post.code).toBe(0);
    expect(existsSync(main.env.AWS_CONFIG_FILE!)).toBe(false);
  }, 90_000);

  test('the CLI: profile --profiles (repeated) writes static profiles, a chained one included', async () => {
    const dir = cliDir();
    const build = await github.register({ ...githubRunClaims('acme/app'), audiences: ['sts.amazonaws.com'] });
    const env = {
      ...cliEnv(dir),
      ACTIONS_ID_TOKEN_REQUEST_URL: `${build.token_url}?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: build.request_token,
      AWS_ENDPOINT_URL_STS: emulator.url,
    };
    const run = await runCli(
      [
        'profile',
        '--token-source',
        'github',
        '--aws-region',
        'eu-west-1',
        '--role-to-assume',
        roles.dev,
        '--aws-profile',
        'dev',
        '--profiles',
        `staging=${roles.staging}`,
        '--profiles',
        `audit=${roles.prod} duration=900 chain=${roles.audit}`,
      ],
      { env },
    );
    expect([run.code, run.stderr]).toEqual([0, expect.not.stringContaining('rror')]);
    expect(await callerArn('dev', env)).toBe(assumedRoleArn(roles.dev, 'keyless-aws'));
    expect(await callerArn('staging', env)).toBe(assumedRoleArn(roles.staging, 'keyless-aws'));
    expect(await callerArn('audit', env)).toBe(assumedRoleArn(roles.audit, 'keyless-aws'));
    assertNoSecretLeak(run.stdout + run.stderr, github.secrets());

    // The chained role refuses a role other than prod's: nothing is written, the error names the line's profile.
    const before = snapshot(join(dir, 'home'));
    const refused = await runCli(
      [
        'profile',
        '--token-source',
        'github',
        '--aws-region',
        'eu-west-1',
        '--role-to-assume',
        roles.dev,
        '--aws-profile',
        'dev2',
        '--profiles',
        `audit2=${roles.staging} duration=900 chain=${roles.audit}`,
      ],
      { env },
    );
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('Profile "audit2"');
    expect(refused.stderr).toContain('AccessDenied');
    expect(snapshot(join(dir, 'home'))).toEqual(before);
  }, 90_000);
});
