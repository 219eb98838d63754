import { decodeToken, issuerHost, startTokenFetch, type Token } from '../../src/token/token';
import { createTestIssuer } from '../support/jwt';

describe('decodeToken', () => {
  it('decodes header and claims of a compact JWS without verifying, trimming whitespace', async () => {
    const issuer = await createTestIssuer('https://issuer.example', 'kid-1');
    const jwt = await issuer.sign({ sub: 'ü-subject', aud: ['a', 'b'] });
    const token = decodeToken(`\n${jwt}\r\n`, 'test');
    expect(token.value).toBe(jwt);
    expect(token.header).toMatchObject({ alg: 'RS256', kid: 'kid-1', typ: 'JWT' });
    expect(token.claims).toMatchObject({ iss: 'https://issuer.example', sub: 'ü-subject', aud: ['a', 'b'] });
  });

  const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
  it.each([
    ['two segments', `${b64({ alg: 'RS256' })}.${b64({ sub: 'x' })}`],
    ['four segments', `${b64({})}.${b64({})}.sig.extra`],
    ['payload not JSON', `${b64({ alg: 'RS256' })}.${b64('not json')}.sig`],
    ['payload an array', `${b64({ alg: 'RS256' })}.${b64([1])}.sig`],
    ['header not base64url', `abc+/=.${b64({ sub: 'x' })}.sig`],
    ['empty payload', `${b64({ alg: 'RS256' })}..sig`],
    ['a path instead of a token', '/var/run/secrets/token'],
  ])('refuses %s with MalformedToken, without echoing it', (_label, raw) => {
    let error: { code?: string; message: string } | undefined;
    try {
      decodeToken(raw, 'the file t');
    } catch (e) {
      error = e as typeof error;
    }
    expect(error?.code).toBe('MalformedToken');
    expect(error?.message).toBe('The token from the file t is not a JWT (expected header.payload.signature).');
  });

  it('issuerHost strips the scheme only', () => {
    expect(issuerHost('https://jenkins.example.com/oidc')).toBe('jenkins.example.com/oidc');
    expect(issuerHost(undefined)).toBeUndefined();
  });
});

describe('startTokenFetch', () => {
  const token = { value: 'x', claims: {}, header: {}, origin: 'test' } as Token;

  it('reports the request as sent before the answer arrives', async () => {
    let answer: (t: Token) => void = () => {};
    const fetch = startTokenFetch(
      (hooks) =>
        new Promise<Token>((resolve) => {
          answer = resolve;
          hooks?.onRequestSent?.();
        }),
    );
    let settled = false;
    void fetch.token.then(() => {
      settled = true;
    });
    await fetch.sent;
    expect(settled).toBe(false);
    answer(token);
    await expect(fetch.token).resolves.toBe(token);
  });

  it('settles `sent` for sources without a request, and when the fetch fails', async () => {
    await startTokenFetch(async () => token).sent;
    const failing = startTokenFetch(async () => {
      throw new Error('no token');
    });
    await failing.sent;
    await expect(failing.token).rejects.toThrow('no token');
  });
});
