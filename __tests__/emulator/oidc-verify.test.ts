import { generateKeyPairSync } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decodeJwt, signJwt } from '../../src/emulator/jwt';
import { JwksCache, KeyVerificationError } from '../../src/emulator/oidc-verify';
import { type HostileServer, startHostileServer } from '../support/hostile-server';

/** The emulator's discovery/JWKS fetch against an issuer that misbehaves: bounded in time and in bytes. */
describe('JwksCache against a hostile issuer', () => {
  let issuer: HostileServer;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwt = () => {
    const decoded = decodeJwt(signJwt({ alg: 'RS256', kid: 'k1' }, { iss: issuer.url, sub: 'x' }, privateKey));
    if (!decoded) throw new Error('test JWT did not decode');
    return decoded;
  };
  beforeAll(async () => {
    issuer = await startHostileServer();
  });
  afterAll(() => issuer.close());

  const verifyError = (timeoutMs: number) =>
    new JwksCache({ clock: Date.now, timeoutMs }).verify(jwt(), issuer.url.replace(/\/$/, '')).then(
      () => {
        throw new Error('expected a failure');
      },
      (error: unknown) => error as KeyVerificationError,
    );

  it('a discovery document whose body stalls after the headers fails within the fetch timeout', async () => {
    issuer.behave({ kind: 'stall-body' });
    const started = Date.now();
    const error = await verifyError(400);
    expect(error).toBeInstanceOf(KeyVerificationError);
    expect(error.kind).toBe('retrieval');
    expect(error.message).toMatch(/OIDC discovery document fetch from .* timed out after 400 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('the fetch timeout still fires when the garbage collector runs while the body stalls', async () => {
    // AbortSignal.timeout() is held weakly: collected mid-request, it never fired and the fetch hung (seen under load).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    issuer.behave({ kind: 'stall-body' });
    const started = Date.now();
    const collecting = setInterval(gc, 20);
    try {
      const error = await verifyError(300);
      expect(error.message).toMatch(/timed out after 300 ms/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      clearInterval(collecting);
    }
  }, 10_000);

  it('stops reading a 128 MiB discovery document at 1 MiB: the issuer gets to send only a few MiB', async () => {
    const before = issuer.bytesSent;
    issuer.behave({ kind: 'flood', bytes: 128 * 2 ** 20 });
    const error = await verifyError(10_000);
    expect(error.message).toMatch(/OIDC discovery document fetch from .* sent more than 1048576 bytes/);
    expect(issuer.bytesSent - before).toBeLessThan(2 ** 20 + 8 * 2 ** 20);
  });
});
