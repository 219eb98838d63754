// Loopback servers for the benchmark, in plain JS (the bench cannot import the TypeScript test support):
// a GitHub-protocol ID-token endpoint minting RS256 JWTs, and an STS speaking the Query protocol.
// The full, scriptable versions for tests are __tests__/support/token-endpoint.ts and sts-fake.ts.
//
//   const tokens = await startTokenEndpoint();   // { url, requestToken, requests(), close() }
//   const sts = await startSts();                // { url, requests(), close() }
// STS answers AssumeRoleWithWebIdentity for any role, except role names starting with "denied": AccessDenied 403.
import { createSign, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

function listen(server) {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)),
  );
}

function closer(server) {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

export async function startTokenEndpoint() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const requestToken = `bench-${randomBytes(16).toString('hex')}`;
  let count = 0;
  const server = createServer((req, res) => {
    count++;
    if (req.headers.authorization !== `Bearer ${requestToken}`) {
      res.writeHead(401).end();
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const audience = new URL(req.url, 'http://x').searchParams.get('audience');
    const input = `${b64url({ alg: 'RS256', typ: 'JWT', kid: 'bench' })}.${b64url({
      iss: 'https://token.actions.githubusercontent.com',
      sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
      aud: audience,
      repository: 'octo-org/octo-repo',
      ref: 'refs/heads/main',
      jti: randomUUID(),
      iat: now,
      exp: now + 300,
    })}`;
    const jwt = `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ count: 1, value: jwt }));
  });
  const url = await listen(server);
  return { url: `${url}/token?api-version=2.0`, requestToken, requests: () => count, close: closer(server) };
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const alnum = (n) =>
  randomBytes(n)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, 'A')
    .slice(0, n);

export async function startSts() {
  let count = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      count++;
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const roleArn = params.get('RoleArn') ?? '';
      const [, account = '111122223333', name = 'role'] =
        /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn) ?? [];
      const requestId = randomUUID();
      if (name.startsWith('denied')) {
        const body = `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
        res.writeHead(403, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
        res.end(body);
        return;
      }
      const session = params.get('RoleSessionName') ?? 's';
      const expiration = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const body =
        `<AssumeRoleWithWebIdentityResponse xmlns="${NS}"><AssumeRoleWithWebIdentityResult>` +
        `<Audience>sts.amazonaws.com</Audience><AssumedRoleUser><AssumedRoleId>AROABENCH:${session}</AssumedRoleId>` +
        `<Arn>arn:aws:sts::${account}:assumed-role/${name}/${session}</Arn></AssumedRoleUser>` +
        `<Provider>arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com</Provider>` +
        `<Credentials><AccessKeyId>ASIA${alnum(16).toUpperCase()}</AccessKeyId><SecretAccessKey>${alnum(40)}</SecretAccessKey>` +
        `<SessionToken>${alnum(400)}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        `<SubjectFromWebIdentityToken>repo:octo-org/octo-repo:ref:refs/heads/main</SubjectFromWebIdentityToken>` +
        `</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
        `</AssumeRoleWithWebIdentityResponse>`;
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(body);
    });
  });
  return { url: await listen(server), requests: () => count, close: closer(server) };
}
