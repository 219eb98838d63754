// Benchmark of `doctor` (`npm run bench:doctor`). Not a timed test: it prints numbers and checks the targets.
//
// Offline: 1,000 roles in 10 CloudFormation templates (100 roles each, one GitHub provider), judged against one
// described GitHub context and linted, by the BUILT bundle (`node dist/index.js doctor …`), start-up included.
// Median of 5 runs; target < 2 s.
// Online: the same 1,000 roles served by the BUILT emulator (dist/emulator/index.js --config), read by
// `doctor --live --iam-endpoint …` through IAM at 100 roles per page (10 ListRoles pages), judged and linted.
// Median of 5 runs; target < 5 s. Both include node's start-up. Exit code 1 if a target is missed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist/index.js');
const TEMPLATES = 10;
const ROLES_PER_TEMPLATE = 100;
const RUNS = 5;
const TARGET_MS = 2000;
const HOST = 'token.actions.githubusercontent.com';

const emulatorBundle = join(root, 'dist/emulator/index.js');
const ONLINE_TARGET_MS = 5000;
for (const file of [bundle, emulatorBundle]) {
  if (!existsSync(file)) {
    console.error(`bench: ${file} is missing; run "node scripts/build.mjs index emulator" first.`);
    process.exit(1);
  }
}

function template(index) {
  const lines = ['AWSTemplateFormatVersion: "2010-09-09"', 'Resources:'];
  if (index === 0) {
    lines.push(
      '  Provider:',
      '    Type: AWS::IAM::OIDCProvider',
      '    Properties:',
      `      Url: https://${HOST}`,
      '      ClientIdList: [sts.amazonaws.com]',
    );
  }
  for (let r = 0; r < ROLES_PER_TEMPLATE; r++) {
    const n = index * ROLES_PER_TEMPLATE + r;
    lines.push(
      `  Role${n}:`,
      '    Type: AWS::IAM::Role',
      '    Properties:',
      `      RoleName: role-${n}`,
      '      AssumeRolePolicyDocument:',
      '        Version: "2012-10-17"',
      '        Statement:',
      '          - Effect: Allow',
      `            Principal: { Federated: !Sub "arn:aws:iam::\${AWS::AccountId}:oidc-provider/${HOST}" }`,
      '            Action: sts:AssumeRoleWithWebIdentity',
      '            Condition:',
      `              StringEquals: { "${HOST}:aud": sts.amazonaws.com }`,
      `              StringLike: { "${HOST}:sub": "repo:acme/app-${n % 50}:ref:refs/heads/*" }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function measure(args, env) {
  const times = [];
  let out;
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...env },
    });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.status !== 0) {
      console.error(result.stderr);
      process.exit(1);
    }
    out = JSON.parse(result.stdout);
  }
  times.sort((a, b) => a - b);
  const allowed = out.verdicts.filter((v) => v.allowed).length;
  return { median: times[Math.floor(times.length / 2)], verdicts: out.verdicts.length, allowed };
}

function roleConfig(n) {
  return {
    name: `role-${n}`,
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${HOST}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com' },
            StringLike: { [`${HOST}:sub`]: `repo:acme/app-${n % 50}:ref:refs/heads/*` },
          },
        },
      ],
    },
  };
}

/** The emulator with the same roles (config JSON) and root keys for the doctor; its URL is its first line. */
async function measureOnline(dir) {
  const roles = Array.from({ length: TEMPLATES * ROLES_PER_TEMPLATE }, (_, n) => roleConfig(n));
  const key = {
    accessKeyId: 'AKIABENCHDOCTORROOT1',
    secretAccessKey: 'bench-root-secret-000000000000000000000',
    arn: 'arn:aws:iam::123456789012:root',
  };
  const config = join(dir, 'emulator.json');
  const providers = [{ url: `https://${HOST}`, clientIds: ['sts.amazonaws.com'] }];
  writeFileSync(config, JSON.stringify({ oidcProviders: providers, roles, accessKeys: [key] }));
  const emulator = spawn(process.execPath, [emulatorBundle, '--config', config, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const first = await createInterface({ input: emulator.stdout })[Symbol.asyncIterator]().next();
    const args = [bundle, 'doctor', '--live', '--iam-endpoint', first.value, '--github-repository', 'acme/app-7'];
    return measure([...args, '--format', 'json', '--fail-on', 'none'], {
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  } finally {
    emulator.kill();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bench-doctor-'));
try {
  const files = [];
  for (let i = 0; i < TEMPLATES; i++) {
    const file = join(dir, `roles-${i}.yml`);
    writeFileSync(file, template(i));
    files.push(file);
  }
  const templates = files.flatMap((f) => ['--template', f]);
  const offline = measure(
    [bundle, 'doctor', ...templates, '--github-repository', 'acme/app-7', '--format', 'json', '--fail-on', 'none'],
    {},
  );
  console.log(
    `offline: ${offline.verdicts} roles judged (${offline.allowed} assumable) + linted, median ${offline.median.toFixed(0)} ms of ${RUNS} runs incl. start-up (target < ${TARGET_MS} ms)`,
  );
  const online = await measureOnline(dir);
  console.log(
    `online: ${online.verdicts} roles read through IAM at 100 per page, judged (${online.allowed} assumable) + linted, median ${online.median.toFixed(0)} ms of ${RUNS} runs incl. start-up (target < ${ONLINE_TARGET_MS} ms)`,
  );
  const total = TEMPLATES * ROLES_PER_TEMPLATE;
  const counts = offline.verdicts === total && online.verdicts === total;
  if (!counts || offline.median >= TARGET_MS || online.median >= ONLINE_TARGET_MS) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
