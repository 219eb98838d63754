// Rotations in a row, played on a simulated clock against two instances that share one key directory: one reloads
// at once (SIGHUP), the other only every 60 s, as the periodic reload does. Every token minted along the way must
// verify against every JWKS either instance serves from the moment a verifier may have cached it (iat − cache
// max-age) until after its expiry (exp + clock skew).
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { CLOCK_SKEW_SECONDS, JWKS_MAX_AGE_SECONDS, rotateKeys } from '../../src/issuer/keys';
import { registerOk, removeTempDirs, requestIdToken, startTestIssuer, type TestIssuer, tempDir } from './support';

const PUBLIC_URL = 'https://jenkins-oidc.example.com';
const STEP = 30;
const TTL = 3600;
const running: TestIssuer[] = [];

afterAll(async () => {
  await Promise.all(running.map((r) => r.issuer.close()));
  await removeTempDirs();
});

interface Rotation {
  readonly at: number;
  readonly activateDelaySeconds?: number;
}

interface Minted {
  readonly token: string;
  readonly kid: string;
  readonly iat: number;
  readonly exp: number;
  readonly by: string;
}

/** Runs the scenario and returns every problem found (empty = every token verifiable whenever it must be). */
async function playRotations(rotations: readonly Rotation[], mintUntil: number): Promise<string[]> {
  const start = 1_800_000_000;
  let clock = start;
  const now = () => clock;
  const keysDir = join(await tempDir(), 'keys');
  const common = { keysDir, issuerUrl: PUBLIC_URL, now, rateLimitPerSecond: 0, tokenTtlSeconds: TTL };
  const sighup = await startTestIssuer({ ...common, requestTokenTtlSeconds: 604_800 });
  const periodic = await startTestIssuer(common);
  running.push(sighup, periodic);
  const instances = { sighup, periodic };
  const { request_token } = await registerOk(sighup.issuer, { job: 'rotating', build_number: 1 });

  const served: { t: number; by: string; jwks: JSONWebKeySet }[] = [];
  const minted: Minted[] = [];
  const end = start + mintUntil + TTL + CLOCK_SKEW_SECONDS + STEP;
  for (; clock <= end; clock += STEP) {
    const offset = clock - start;
    for (const rotation of rotations.filter((r) => r.at === offset)) {
      await rotateKeys(keysDir, { now, activateDelaySeconds: rotation.activateDelaySeconds });
      await sighup.issuer.reload();
    }
    // The periodic instance re-reads the directory once a minute, half a minute out of phase with the rotations.
    if (offset % 60 === 30) await periodic.issuer.reload();
    for (const [by, instance] of Object.entries(instances)) {
      const jwks = (await (await fetch(`${instance.issuer.url}/.well-known/jwks`)).json()) as JSONWebKeySet;
      served.push({ t: clock, by, jwks });
      if (offset > mintUntil) continue;
      const response = await requestIdToken(`${instance.issuer.url}/token`, request_token);
      if (response.status !== 200) return [`${by} refused to sign at +${offset}: ${await response.text()}`];
      const { value } = (await response.json()) as { value: string };
      const kid = decodeProtectedHeader(value).kid as string;
      minted.push({ token: value, kid, iat: clock, exp: clock + TTL, by });
    }
  }

  const problems: string[] = [];
  for (const token of minted) {
    const from = token.iat - JWKS_MAX_AGE_SECONDS;
    const until = token.exp + CLOCK_SKEW_SECONDS;
    for (const jwks of served.filter((s) => s.t >= from && s.t <= until)) {
      if (!jwks.jwks.keys.some((key) => key.kid === token.kid)) {
        problems.push(
          `token of ${token.by} signed at +${token.iat - start} (kid ${token.kid.slice(0, 8)}) is missing from ` +
            `the JWKS ${jwks.by} served at +${jwks.t - start}`,
        );
      }
    }
    // A full verification as AWS would do it, with the JWKS served at the token's expiry (plus skew).
    for (const at of [token.exp, until]) {
      for (const jwks of served.filter((s) => s.t === at)) {
        try {
          await jwtVerify(token.token, createLocalJWKSet(jwks.jwks), {
            issuer: PUBLIC_URL,
            currentDate: new Date((token.exp - 1) * 1000),
          });
        } catch (error) {
          problems.push(
            `token signed at +${token.iat - start} fails against ${jwks.by}'s JWKS at +${at - start}: ${error}`,
          );
        }
      }
    }
  }
  const kidsUsed = new Set(minted.map((m) => m.kid));
  if (kidsUsed.size < 2) problems.push(`only ${kidsUsed.size} key(s) ever signed`);
  return problems.slice(0, 10);
}

test('two rotations in a row (the second while the first key is still pending)', async () => {
  expect(await playRotations([{ at: 600 }, { at: 630 }], 2400)).toEqual([]);
});

test('three rotations in a row', async () => {
  expect(await playRotations([{ at: 600 }, { at: 630 }, { at: 660 }], 2400)).toEqual([]);
});

test('a longer pending delay followed by a default rotation: keys still sign in the order they were added', async () => {
  // The second rotation's key could activate before the pending one; it must not, or the pending key would sign
  // after its scheduled retirement.
  expect(await playRotations([{ at: 600, activateDelaySeconds: 1800 }, { at: 630 }], 6000)).toEqual([]);
}, 60_000);

test('rotating after the previous rotation took effect, and again before the oldest key retired', async () => {
  expect(await playRotations([{ at: 300 }, { at: 1200 }, { at: 2400 }], 3600)).toEqual([]);
}, 60_000);

test('an activation delay shorter than publication plus JWKS caching is refused, naming the flag', async () => {
  const keysDir = join(await tempDir(), 'keys');
  await rotateKeys(keysDir);
  await expect(rotateKeys(keysDir, { activateDelaySeconds: 0 })).rejects.toThrow(
    /--activate-delay: must be at least 420 seconds/,
  );
});
