// The discovery document passes the OpenID Connect Discovery validation of a strict client library (python3
// authlib's OpenIDProviderMetadata.validate()), the same library verifies a minted ID token with the JWKS the
// document names, and the authorization endpoint it must name answers a clear 400.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { registerOk, removeTempDirs, requestIdToken, startTestIssuer, type TestIssuer } from './support';

// Debian's python3-authlib lives in the system interpreter (a pyenv python3 earlier on PATH would not see it).
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
// authlib insists on https for the issuer; the service answers on loopback http under that public URL's path.
const PUBLIC_URL = 'https://jenkins-oidc.example.com/oidc';

const AUTHLIB_CHECK = `
import json, sys
from authlib.oidc.discovery import OpenIDProviderMetadata
from authlib.jose import JsonWebKey, jwt
given = json.load(sys.stdin)
metadata = OpenIDProviderMetadata(given['discovery'])
metadata.validate()
assert metadata['issuer'] == given['issuer'], 'issuer mismatch'
keys = JsonWebKey.import_key_set(given['jwks'])
claims = jwt.decode(given['token'], keys, claims_options={'iss': {'essential': True, 'value': given['issuer']}})
claims.validate()
print(json.dumps({'sub': claims['sub'], 'aud': claims['aud']}))
`;

let service: TestIssuer;
beforeAll(async () => {
  service = await startTestIssuer({ issuerUrl: PUBLIC_URL });
});
afterAll(async () => {
  await service.issuer.close();
  await removeTempDirs();
});

/** Fetches a URL the document names, through the loopback address the service really listens on. */
function local(publicUrl: string): string {
  return publicUrl.replace(PUBLIC_URL, service.issuer.url);
}

test('authlib validates the discovery document and verifies a token against the JWKS it names', async () => {
  const discovery = (await (await fetch(`${service.issuer.url}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  const jwks = await (await fetch(local(discovery.jwks_uri))).json();
  const { request_token } = await registerOk(service.issuer, { job: 'strict-client', build_number: 4 });
  const response = await requestIdToken(`${service.issuer.url}/token`, request_token);
  const { value: token } = (await response.json()) as { value: string };

  const check = spawnSync(PYTHON, ['-c', AUTHLIB_CHECK], {
    input: JSON.stringify({ discovery, jwks, token, issuer: PUBLIC_URL }),
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (/No module named 'authlib'/.test(check.stderr)) {
    throw new Error(`${PYTHON} has no authlib: install it with apt-get install python3-authlib.`);
  }
  expect(check.stderr).toBe('');
  expect(JSON.parse(check.stdout)).toEqual({ sub: 'job:strict-client:build:4', aud: 'sts.amazonaws.com' });
});

test('the authorization endpoint the document must name answers 400, saying why and where tokens come from', async () => {
  const discovery = (await (await fetch(`${service.issuer.url}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
  };
  expect(discovery.authorization_endpoint).toBe(`${PUBLIC_URL}/authorize`);
  const url = `${local(discovery.authorization_endpoint)}?response_type=id_token&client_id=x&redirect_uri=https://evil.example/cb`;
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(400); // never a redirect to a redirect_uri nobody registered
  expect(await response.json()).toEqual({
    error: 'unauthorized_client',
    message: expect.stringMatching(
      /no interactive sign-in: it issues ID tokens only to CI builds registered by the Jenkins controller, which fetch them from https:\/\/jenkins-oidc\.example\.com\/oidc\/token/,
    ),
  });
});
