/**
 * The key store: RS256 signing keys for ID tokens and the HS256 secret for request tokens, kept in one directory.
 *
 * Layout (all files 0600, directory 0700):
 *   keys.json              {"version":1,"keys":[{kid, createdAt, activatesAt, retiresAt, privateJwk}, …]}
 *   request-token.secret   base64url of 32 random bytes
 *
 * Lifecycle of a signing key, and why each wait is as long as it is:
 *   createdAt    rotate-keys writes it to keys.json. Every instance re-reads the directory within
 *                KEY_PROPAGATION_SECONDS and from then on publishes it in its JWKS.
 *   activatesAt  ≥ createdAt + KEY_PROPAGATION_SECONDS + JWKS_MAX_AGE_SECONDS: by then every instance publishes it
 *                AND every verifier's cached JWKS (we allow caching for JWKS_MAX_AGE_SECONDS; AWS honours it) has
 *                been refreshed, so no verifier meets a token whose key it has not seen. A new key also never
 *                activates before a key added earlier (keys activate in the order they were added), so the newest
 *                key is always the last to sign and a second rotation cannot resurrect or cut short a pending one.
 *   retiresAt    = successor's activatesAt + KEY_PROPAGATION_SECONDS + MAX_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS:
 *                the last token the key can sign (an instance whose clock or reload lags signs with it a little past
 *                the successor's activation) is valid for at most the maximum ttl, and verifiers accept it for a
 *                clock skew beyond `exp`. Until then its public half stays in the JWKS; after that it is pruned.
 *
 * Private keys are imported into CryptoKeys once per load and reused for every signature.
 */
import { generateKeyPair, randomBytes, webcrypto } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type CryptoKey, calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import { DEFAULT_KEY_RELOAD_INTERVAL_MS, MAX_TOKEN_TTL_SECONDS } from './config';
import { ConfigError, KeyStoreError } from './errors';
import { cleanUpAfterCrashedWriter, ensurePrivateDir, withDirectoryLock, writeFileAtomic } from './key-files';

export const KEYSET_FILE = 'keys.json';
export const REQUEST_SECRET_FILE = 'request-token.secret';
/**
 * Time for a change of keys.json to reach every running instance: they re-read the directory every 60 s. Twice
 * that, for margin (a slow reload, a shared volume's attribute cache, clocks of instances a little apart).
 */
export const KEY_PROPAGATION_SECONDS = (2 * DEFAULT_KEY_RELOAD_INTERVAL_MS) / 1000;
/** How long verifiers may cache the JWKS (the Cache-Control max-age the service sends with it). */
export const JWKS_MAX_AGE_SECONDS = 300;
/** How far past `exp` verifiers accept a token (AWS and common JWT libraries allow up to about five minutes). */
export const CLOCK_SKEW_SECONDS = 300;
/** A new key signs no earlier than this after it is written: published everywhere, caches refreshed. */
export const MIN_ACTIVATE_DELAY_SECONDS = KEY_PROPAGATION_SECONDS + JWKS_MAX_AGE_SECONDS;
/** How long a key stays published after its successor activates: the last token it signed has expired. */
export const RETIRE_AFTER_SUCCESSOR_SECONDS = KEY_PROPAGATION_SECONDS + MAX_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS;
const RSA_MODULUS_BITS = 2048;
const REQUEST_SECRET_BYTES = 32;

const generateRsaKeyPair = promisify(generateKeyPair);

export interface PublicJwk {
  readonly kty: 'RSA';
  readonly kid: string;
  readonly use: 'sig';
  readonly alg: 'RS256';
  readonly n: string;
  readonly e: string;
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
}

/** One key as stored in keys.json. Times are Unix seconds. */
export interface KeyRecord {
  readonly kid: string;
  readonly createdAt: number;
  readonly activatesAt: number;
  readonly retiresAt: number | null;
  readonly privateJwk: JWK;
}

interface LoadedKey {
  readonly kid: string;
  readonly createdAt: number;
  readonly activatesAt: number;
  readonly retiresAt: number | null;
  readonly publicJwk: PublicJwk;
  readonly privateKey: CryptoKey;
}

interface LoadedState {
  readonly source: string;
  readonly keys: readonly LoadedKey[];
  readonly requestTokenKey: CryptoKey;
}

export interface KeyStoreOptions {
  /** Unix-seconds clock, injectable for tests of activation and retirement. */
  readonly now?: () => number;
  /** Called with non-fatal findings, e.g. a key directory readable by others. */
  readonly onWarning?: (message: string) => void;
}

export const unixNow = (): number => Math.floor(Date.now() / 1000);

export class KeyStore {
  private state: LoadedState;
  /** When (by the store's clock) a read of the directory last started that then succeeded. */
  private readAt: number;

  private constructor(
    readonly dir: string,
    private readonly now: () => number,
    state: LoadedState,
    readAt: number,
  ) {
    this.state = state;
    this.readAt = readAt;
  }

  /**
   * Opens the key directory, generating the first signing key and the request-token secret if they are missing
   * (under the directory lock, so concurrent first starts agree on one key). An existing, complete directory is
   * only read, so it may be mounted read-only; a lock or temp files a crashed writer left are removed if they are
   * provably stale (a warning if they cannot be).
   */
  static async open(dir: string, options: KeyStoreOptions = {}): Promise<KeyStore> {
    const now = options.now ?? unixNow;
    const warning = await ensurePrivateDir(dir);
    if (warning) options.onWarning?.(warning);
    if (!(await keyFilesExist(dir))) {
      await withDirectoryLock(dir, async () => {
        if (!(await fileExists(join(dir, KEYSET_FILE)))) {
          const first = await createKeyRecord(now(), now());
          await writeKeyset(dir, [first]);
        }
        await ensureRequestSecret(dir);
      });
    } else {
      const leftovers = await cleanUpAfterCrashedWriter(dir);
      if (leftovers) options.onWarning?.(leftovers);
    }
    const readAt = now();
    return new KeyStore(dir, now, await loadState(dir, undefined), readAt);
  }

  /** The key new tokens are signed with: the most recently activated key that has not retired. */
  signingKey(): SigningKey {
    const now = this.now();
    let best: LoadedKey | undefined;
    for (const key of this.state.keys) {
      if (key.activatesAt > now || (key.retiresAt !== null && key.retiresAt <= now)) continue;
      // `>=`: keys are stored in creation order, so on a tie (a rotation within the same second) the newer wins.
      if (!best || key.activatesAt >= best.activatesAt) best = key;
    }
    if (!best) throw new KeyStoreError(`No active signing key in ${this.dir}; run rotate-keys.`);
    return best;
  }

  /** Public keys to publish: every key not yet retired, including ones scheduled to activate later. */
  jwks(): { keys: PublicJwk[] } {
    const now = this.now();
    return {
      keys: this.state.keys.filter((key) => key.retiresAt === null || key.retiresAt > now).map((key) => key.publicJwk),
    };
  }

  /** Seconds since the directory was last read successfully: how far behind a rotation this instance may be. */
  secondsSinceRead(): number {
    return this.now() - this.readAt;
  }

  get requestTokenKey(): CryptoKey {
    return this.state.requestTokenKey;
  }

  /**
   * Re-reads the directory and swaps in the new state if the files changed. A failed reload keeps the previous
   * keys (and reports the error) rather than taking the service down over a half-copied directory; how long they
   * may still be used is secondsSinceRead()'s business.
   */
  async reload(): Promise<boolean> {
    const started = this.now();
    const next = await loadState(this.dir, this.state);
    this.readAt = started;
    if (next === this.state) return false;
    this.state = next;
    return true;
  }
}

export interface RotationResult {
  readonly kid: string;
  readonly activatesAt: number;
  readonly retired: readonly { kid: string; retiresAt: number }[];
  readonly pruned: readonly string[];
}

/**
 * Adds a new signing key, published at once and signing from `activatesAt` (see the lifecycle above), schedules
 * every previously unretired key for retirement, and drops keys whose retirement has passed.
 */
export async function rotateKeys(
  dir: string,
  options: { activateDelaySeconds?: number; now?: () => number } = {},
): Promise<RotationResult> {
  const delay = options.activateDelaySeconds ?? MIN_ACTIVATE_DELAY_SECONDS;
  if (!Number.isInteger(delay) || delay < MIN_ACTIVATE_DELAY_SECONDS) {
    throw new ConfigError(
      'activate-delay',
      `must be at least ${MIN_ACTIVATE_DELAY_SECONDS} seconds (${KEY_PROPAGATION_SECONDS} s for every instance to ` +
        `publish the new key + ${JWKS_MAX_AGE_SECONDS} s for cached copies of the JWKS to expire); got ${delay}.`,
    );
  }
  const now = (options.now ?? unixNow)();
  await ensurePrivateDir(dir);
  return withDirectoryLock(dir, async () => {
    const existing = (await fileExists(join(dir, KEYSET_FILE))) ? await readKeyset(dir) : [];
    const fresh = await createKeyRecord(now, activationTime(existing, now, delay));
    const retireAt = fresh.activatesAt + RETIRE_AFTER_SUCCESSOR_SECONDS;
    const retired: { kid: string; retiresAt: number }[] = [];
    const pruned: string[] = [];
    const kept: KeyRecord[] = [];
    for (const record of existing) {
      if (record.retiresAt !== null && record.retiresAt <= now) {
        pruned.push(record.kid);
        continue;
      }
      if (record.retiresAt === null) {
        retired.push({ kid: record.kid, retiresAt: retireAt });
        kept.push({ ...record, retiresAt: retireAt });
      } else {
        kept.push(record);
      }
    }
    await writeKeyset(dir, [...kept, fresh]);
    await ensureRequestSecret(dir);
    return { kid: fresh.kid, activatesAt: fresh.activatesAt, retired, pruned };
  });
}

/**
 * When a key added at `now` may start signing: the very first key at once (no verifier can hold a JWKS without it),
 * otherwise after `delay`, and never before a key added earlier, so keys sign in the order they were added.
 */
function activationTime(existing: readonly KeyRecord[], now: number, delay: number): number {
  if (existing.length === 0) return now;
  const pending = existing.filter((record) => record.retiresAt === null).map((record) => record.activatesAt);
  return Math.max(now + delay, ...pending);
}

/** Loads the key directory read-only (export-discovery): no generation, a clear error if it is empty. */
export async function openExistingKeyStore(dir: string, options: KeyStoreOptions = {}): Promise<KeyStore> {
  if (!(await fileExists(join(dir, KEYSET_FILE)))) {
    throw new KeyStoreError(`No ${KEYSET_FILE} in ${dir}: start the issuer once or run rotate-keys first.`);
  }
  return KeyStore.open(dir, options);
}

async function createKeyRecord(now: number, activatesAt: number): Promise<KeyRecord> {
  const { privateKey } = await generateRsaKeyPair('rsa', { modulusLength: RSA_MODULUS_BITS, publicExponent: 0x10001 });
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await thumbprint(privateJwk);
  return { kid, createdAt: now, activatesAt, retiresAt: null, privateJwk };
}

/** RFC 7638 thumbprint of the public members: stable, derived from the key, identical on every instance. */
function thumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'sha256');
}

async function writeKeyset(dir: string, keys: readonly KeyRecord[]): Promise<void> {
  await writeFileAtomic(join(dir, KEYSET_FILE), `${JSON.stringify({ version: 1, keys }, null, 2)}\n`);
}

async function ensureRequestSecret(dir: string): Promise<void> {
  const file = join(dir, REQUEST_SECRET_FILE);
  if (await fileExists(file)) return;
  await writeFileAtomic(file, `${randomBytes(REQUEST_SECRET_BYTES).toString('base64url')}\n`);
}

async function keyFilesExist(dir: string): Promise<boolean> {
  return (await fileExists(join(dir, KEYSET_FILE))) && (await fileExists(join(dir, REQUEST_SECRET_FILE)));
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new KeyStoreError(`Cannot read ${file} (${(error as NodeJS.ErrnoException).code}).`);
  }
}

async function readKeyset(dir: string): Promise<KeyRecord[]> {
  return parseKeyset(await readFile(join(dir, KEYSET_FILE), 'utf8'), join(dir, KEYSET_FILE));
}

function parseKeyset(text: string, file: string): KeyRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeyStoreError(`${file} is not valid JSON; restore it from backup or move it away to start afresh.`);
  }
  const doc = parsed as { version?: unknown; keys?: unknown };
  if (typeof parsed !== 'object' || parsed === null || doc.version !== 1 || !Array.isArray(doc.keys)) {
    throw new KeyStoreError(`${file} is not a version 1 key set ({"version":1,"keys":[…]}).`);
  }
  return doc.keys.map((entry, index) => parseKeyRecord(entry, `${file} keys[${index}]`));
}

function parseKeyRecord(entry: unknown, where: string): KeyRecord {
  const record = entry as Partial<KeyRecord> | null;
  const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
  const jwk = record?.privateJwk;
  const privateMembers = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;
  if (
    !record ||
    typeof record.kid !== 'string' ||
    !isTime(record.createdAt) ||
    !isTime(record.activatesAt) ||
    !(record.retiresAt === null || isTime(record.retiresAt)) ||
    typeof jwk !== 'object' ||
    jwk === null ||
    jwk.kty !== 'RSA' ||
    privateMembers.some((member) => typeof jwk[member] !== 'string')
  ) {
    throw new KeyStoreError(`${where} is not a valid key record (kid, createdAt, activatesAt, retiresAt, privateJwk).`);
  }
  // base64url of a 2048-bit modulus is 342 characters; refuse weaker keys someone may have dropped in.
  if ((jwk.n as string).length < 342) throw new KeyStoreError(`${where} is shorter than ${RSA_MODULUS_BITS} bits.`);
  return record as KeyRecord;
}

async function loadState(dir: string, previous: LoadedState | undefined): Promise<LoadedState> {
  const keysetFile = join(dir, KEYSET_FILE);
  const secretFile = join(dir, REQUEST_SECRET_FILE);
  let keysetText: string;
  let secretText: string;
  try {
    [keysetText, secretText] = await Promise.all([readFile(keysetFile, 'utf8'), readFile(secretFile, 'utf8')]);
  } catch (error) {
    throw new KeyStoreError(`Cannot read the key directory ${dir} (${(error as NodeJS.ErrnoException).code}).`);
  }
  const source = `${keysetText}\n${secretText}`;
  if (previous && previous.source === source) return previous;

  const records = parseKeyset(keysetText, keysetFile);
  if (records.length === 0) throw new KeyStoreError(`${keysetFile} holds no keys; run rotate-keys.`);
  const reusable = new Map(previous?.keys.map((key) => [key.kid, key]));
  const keys: LoadedKey[] = [];
  for (const record of records) {
    const known = reusable.get(record.kid);
    keys.push(
      known
        ? { ...known, activatesAt: record.activatesAt, retiresAt: record.retiresAt }
        : await importRecord(record, keysetFile),
    );
  }
  return { source, keys, requestTokenKey: await importRequestSecret(secretText, secretFile) };
}

async function importRecord(record: KeyRecord, file: string): Promise<LoadedKey> {
  const { n, e } = record.privateJwk as { n: string; e: string };
  if ((await thumbprint(record.privateJwk)) !== record.kid) {
    throw new KeyStoreError(
      `${file}: kid ${record.kid} is not the thumbprint of its key; the file was edited by hand.`,
    );
  }
  let privateKey: CryptoKey;
  try {
    privateKey = (await importJWK({ ...record.privateJwk, alg: 'RS256' }, 'RS256')) as CryptoKey;
  } catch {
    throw new KeyStoreError(`${file}: key ${record.kid} cannot be imported as an RS256 private key.`);
  }
  return {
    kid: record.kid,
    createdAt: record.createdAt,
    activatesAt: record.activatesAt,
    retiresAt: record.retiresAt,
    publicJwk: { kty: 'RSA', kid: record.kid, use: 'sig', alg: 'RS256', n, e },
    privateKey,
  };
}

async function importRequestSecret(text: string, file: string): Promise<CryptoKey> {
  const encoded = text.trim();
  if (!/^[A-Za-z0-9_-]+$/.test(encoded) || Buffer.from(encoded, 'base64url').length < REQUEST_SECRET_BYTES) {
    throw new KeyStoreError(`${file} must hold at least ${REQUEST_SECRET_BYTES} random bytes, base64url-encoded.`);
  }
  // Imported as a non-extractable CryptoKey once, rather than handing jose raw bytes it would re-import per token.
  const key = await webcrypto.subtle.importKey(
    'raw',
    Buffer.from(encoded, 'base64url'),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  return key as unknown as CryptoKey;
}
