// Benchmark of `doctor` (`npm run bench:doctor`). Not a timed test: it prints numbers and checks the targets.
//
// Offline: 1,000 roles in 10 CloudFormation templates (100 roles each, one GitHub provider), judged against one
// described GitHub context and linted, by the BUILT bundle (`node dist/index.js doctor …`), start-up included.
// Median of 5 runs; target < 2 s. (The online target — 1,000 roles read through IAM from the emulator — needs the
// live-account path, which is not implemented yet; the script says so instead of pretending.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist/index.js');
const TEMPLATES = 10;
const ROLES_PER_TEMPLATE = 100;
const RUNS = 5;
const TARGET_MS = 2000;
const HOST = 'token.actions.githubusercontent.com';

if (!existsSync(bundle)) {
  console.error(`bench: ${bundle} is missing; run "node scripts/build.mjs index" first.`);
  process.exit(1);
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

const dir = mkdtempSync(join(tmpdir(), 'bench-doctor-'));
try {
  const files = [];
  for (let i = 0; i < TEMPLATES; i++) {
    const file = join(dir, `roles-${i}.yml`);
    writeFileSync(file, template(i));
    files.push(file);
  }
  const args = [
    bundle,
    'doctor',
    ...files.flatMap((f) => ['--template', f]),
    '--github-repository',
    'acme/app-7',
    '--format',
    'json',
    '--fail-on',
    'none',
  ];
  const times = [];
  let verdicts = 0;
  let allowed = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.status !== 0) {
      console.error(result.stderr);
      process.exit(1);
    }
    const out = JSON.parse(result.stdout);
    verdicts = out.verdicts.length;
    allowed = out.verdicts.filter((v) => v.allowed).length;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `offline: ${verdicts} roles judged (${allowed} assumable) + linted, median ${median.toFixed(0)} ms of ${RUNS} runs incl. start-up (target < ${TARGET_MS} ms)`,
  );
  console.log(
    'online (IAM ListRoles against the emulator): not measured — the live-account path is not implemented yet',
  );
  if (verdicts !== TEMPLATES * ROLES_PER_TEMPLATE || median >= TARGET_MS) process.exit(1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
