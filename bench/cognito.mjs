// What the Cognito flow costs: wall time of `node dist/index.js` as a GitHub Action, plain OIDC vs the Cognito flow
// (GetId + GetOpenIdToken before STS), against loopback servers, and the size of the lazily loaded Cognito chunk.
// The plain path must not load that chunk, so its time must not grow with it.
//
//   node scripts/build.mjs index && node bench/cognito.mjs [runs per flow, default 20]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCognitoFake } from './cognito-fake.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'index.js');
const runs = Number(process.argv[2] ?? 20);
const ROLE = 'arn:aws:iam::222233334444:role/bench';

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const listen = (server) =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));

// GitHub-protocol token endpoint: a JWT-shaped token per request (nothing here verifies signatures).
const tokens = createServer((req, res) => {
  const now = Math.floor(Date.now() / 1000);
  const audience = new URL(req.url, 'http://x').searchParams.get('audience');
  const claims = {
    iss: 'https://token.actions.githubusercontent.com',
    sub: 'repo:o/r:ref:refs/heads/main',
    aud: audience,
  };
  const jwt = `${b64url({ alg: 'RS256', kid: 'bench' })}.${b64url({ ...claims, iat: now, exp: now + 300, jti: `${now}-${Math.random()}` })}.c2lnbmF0dXJl`;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ value: jwt }));
});

// STS answering every AssumeRoleWithWebIdentity.
const stsXml = `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials><AccessKeyId>ASIABENCHBENCHBENCH1</AccessKeyId><SecretAccessKey>benchSecretAccessKeyBenchSecretAccessKey</SecretAccessKey><SessionToken>benchSessionTokenBenchSessionToken</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
    <AssumedRoleUser><Arn>arn:aws:sts::222233334444:assumed-role/bench/s</Arn><AssumedRoleId>AROABENCH:s</AssumedRoleId></AssumedRoleUser>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`;
const sts = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(stsXml);
  });
});

const tokenUrl = await listen(tokens);
const stsUrl = await listen(sts);
const cognito = await startCognitoFake();

async function runOnce(cognitoFlow) {
  const dir = mkdtempSync(join(tmpdir(), 'keyless-bench-'));
  const files = { GITHUB_ENV: join(dir, 'env'), GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STATE: join(dir, 'state') };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const env = {
    PATH: dirname(process.execPath),
    HOME: dir,
    GITHUB_ACTIONS: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...files,
    ACTIONS_ID_TOKEN_REQUEST_URL: `${tokenUrl}/token?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'bench-request-token',
    'INPUT_AWS-REGION': 'us-east-2',
    'INPUT_ROLE-TO-ASSUME': ROLE,
    AWS_ENDPOINT_URL_STS: stsUrl,
    ...(cognitoFlow
      ? { 'INPUT_COGNITO-IDENTITY-POOL-ID': cognito.poolId, AWS_ENDPOINT_URL_COGNITO_IDENTITY: cognito.url }
      : {}),
  };
  const started = process.hrtime.bigint();
  const code = await new Promise((resolve) =>
    spawn(process.execPath, [dist], { env, stdio: 'ignore' }).on('close', resolve),
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const exported = readFileSync(files.GITHUB_ENV, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0 || !exported.includes('AWS_ACCESS_KEY_ID')) throw new Error(`run failed (exit ${code})`);
  return ms;
}

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
  return `median ${at(0.5)} ms, p90 ${at(0.9)} ms`;
}

try {
  await runOnce(false); // warm the file cache
  const plain = [];
  const withCognito = [];
  // Interleaved, so drift on the machine affects both rows alike.
  for (let i = 0; i < runs; i++) {
    plain.push(await runOnce(false));
    withCognito.push(await runOnce(true));
  }
  const chunks = readdirSync(join(root, 'dist')).filter((f) => /^\d+\.index\.js$/.test(f));
  const cognitoChunk = chunks.find((f) =>
    readFileSync(join(root, 'dist', f), 'utf8').includes('AWSCognitoIdentityService'),
  );
  console.log(`dist/index.js ${(statSync(dist).size / 1024).toFixed(1)} KiB`);
  if (cognitoChunk) {
    console.log(
      `Cognito chunk dist/${cognitoChunk} ${(statSync(join(root, 'dist', cognitoChunk)).size / 1024).toFixed(1)} KiB (loaded only in the Cognito flow)`,
    );
  }
  console.log(`action, plain OIDC   (${runs} runs): ${summary(plain)}`);
  console.log(
    `action, Cognito flow (${runs} runs): ${summary(withCognito)}   [${cognito.requests()} Cognito requests]`,
  );
} finally {
  tokens.close();
  sts.close();
  await cognito.close();
}
