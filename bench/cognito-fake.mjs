// A minimal loopback Cognito Identity (JSON 1.1) for the benchmark's Cognito-flow row: GetId and GetOpenIdToken,
// answered with an RS512 token signed once at start (the product only decodes it; STS, here a fake, verifies).
// Plain JS so the benchmark needs no TypeScript; the full, scriptable fake is __tests__/support/cognito-fake.ts.
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** @returns {Promise<{ url: string, poolId: string, requests: () => number, close: () => Promise<void> }>} */
export async function startCognitoFake({ poolId = 'eu-west-1:11111111-2222-3333-4444-555555555555' } = {}) {
  const region = poolId.split(':')[0];
  const identityId = `${region}:${randomUUID()}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const iat = Math.floor(Date.now() / 1000);
  const signingInput = `${b64url({ kid: `${region}1`, typ: 'JWS', alg: 'RS512' })}.${b64url({
    sub: identityId,
    aud: poolId,
    amr: ['authenticated', 'token.actions.githubusercontent.com'],
    'https://aws.amazon.com/tags': { principal_tags: { repository: ['octo-org/octo-repo'], actor: ['octocat'] } },
    iss: 'https://cognito-identity.amazonaws.com',
    iat,
    exp: iat + 3600,
  })}`;
  const token = `${signingInput}.${createSign('RSA-SHA512').update(signingInput).sign(privateKey).toString('base64url')}`;

  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = target.endsWith('.GetId')
        ? { IdentityId: identityId }
        : target.endsWith('.GetOpenIdToken')
          ? { IdentityId: identityId, Token: token }
          : undefined;
      const text = JSON.stringify(body ?? { __type: 'UnknownOperationException', message: target });
      res.writeHead(body ? 200 : 400, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(text),
        ...(body ? {} : { 'x-amzn-errortype': 'UnknownOperationException:' }),
      });
      res.end(text);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    poolId,
    requests: () => count,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
