/**
 * The credential cache: one file per entry (see cache-key.ts), holding a session and its expiry, 0600, written
 * atomically. A caller that misses takes the entry's lock, reads again (another process may have just fetched),
 * and only then fetches; so N processes started together make one STS call. An entry that is not exactly what we
 * write (a symlink, another user's file, readable by others, unparseable, for another key, expired) is ignored and
 * replaced. Any trouble with the cache itself (a full disk, a read-only directory, a lock that will not come) costs
 * the cache, never the credentials: the caller fetches without it, with one warning.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Session } from '../exchange/session';
import { readPrivateFile } from '../shared/private-file';
import { type CacheName, ENTRY_NAME, entryFileName } from './cache-key';

/**
 * 15 minutes: botocore (the AWS CLI, boto3) refreshes credentials with less than 15 minutes left (advisory; blocking
 * below 10), the JavaScript SDK below 5. Handing out less would make botocore run the process again at once.
 */
export const DEFAULT_MARGIN_SECONDS = 900;
/** An entry is a few hundred bytes; anything much larger is not ours. */
const MAX_ENTRY_BYTES = 16 * 1024;
/** Entries looked at per call when sweeping expired ones: the work of a call stays bounded however full it is. */
const SWEEP_LIMIT = 64;

export interface CacheContext {
  readonly dir: string;
  readonly name: CacheName;
  /** An entry is used while more than this much of its lifetime remains. */
  readonly marginMs: number;
  /** Longest a caller waits for another's fetch; a lock older than this plus a little was abandoned. */
  readonly waitMs: number;
  readonly warn: (message: string) => void;
  /** Where the credentials came from, for --debug. */
  readonly debug?: (message: string) => void;
  readonly now?: () => number;
}

interface StoredEntry {
  readonly version: 1;
  readonly key: string;
  readonly expiration: string;
  readonly session: Omit<Session, 'credentials'> & {
    readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  };
}

/** The session for `context.name`: from the cache while fresh, else from `fetch` (then stored). */
export async function cachedSession(context: CacheContext, fetch: () => Promise<Session>): Promise<Session> {
  const path = join(context.dir, entryFileName(context.name));
  const now = context.now ?? Date.now;
  const fresh = () => freshEntry(path, context.name.key, now() + context.marginMs);
  const hit = fresh();
  if (hit) {
    context.debug?.(`Credentials from the cache (${path}).`);
    return hit;
  }

  // The lock and the writer load only on a miss: a hit (every `aws` command but the first) reads one file and is done.
  let locked = false;
  try {
    const { withFileLocksAsync } = await import('../shared/file-lock');
    return await withFileLocksAsync(
      [path],
      async () => {
        locked = true;
        const fetched = fresh();
        if (fetched) context.debug?.(`Credentials from the cache, fetched by another process meanwhile (${path}).`);
        return fetched ?? (await fetchAndStore(path, context, now, fetch));
      },
      { timeoutMs: context.waitMs, staleMs: context.waitMs + 10_000 },
    );
  } catch (error) {
    if (locked) throw error;
    context.warn(`credential cache not used: ${describe(error)}`);
    return fetch();
  }
}

async function fetchAndStore(
  path: string,
  context: CacheContext,
  now: () => number,
  fetch: () => Promise<Session>,
): Promise<Session> {
  const session = await fetch();
  const expiration = session.credentials.expiration;
  // Credentials that would be too old to serve as soon as they are stored are not worth a file.
  if (expiration && expiration.getTime() > now() + context.marginMs) {
    try {
      const { removeOrphanTempFiles, writeFileAtomic } = await import('../sink/atomic-file');
      removeOrphanTempFiles(path);
      writeFileAtomic(path, serialize(context.name.key, session, expiration), 0o600);
      sweepExpired(context.dir, now());
    } catch (error) {
      context.warn(`credential cache not written: ${describe(error)}`);
    }
  }
  return session;
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

function serialize(key: string, session: Session, expiration: Date): string {
  const { credentials, ...rest } = session;
  const { expiration: _dropped, ...keys } = credentials;
  const entry: StoredEntry = {
    version: 1,
    key,
    expiration: expiration.toISOString(),
    session: { ...rest, credentials: keys },
  };
  return JSON.stringify(entry);
}

/** The session of the entry at `path` if it is ours, for `key`, and valid beyond `validUntil`; else undefined. */
function freshEntry(path: string, key: string, validUntil: number): Session | undefined {
  const entry = readEntry(path);
  if (!entry || entry.key !== key) return undefined;
  const expiration = new Date(entry.expiration);
  if (!(expiration.getTime() > validUntil)) return undefined;
  return { ...entry.session, credentials: { ...entry.session.credentials, expiration } };
}

/** Reads an entry only if it is a regular file (never through a symlink), ours, private and well formed. */
export function readEntry(path: string): StoredEntry | undefined {
  const text = readPrivateFile(path, MAX_ENTRY_BYTES);
  if (text === undefined) return undefined;
  try {
    return parseEntry(text);
  } catch {
    return undefined;
  }
}

function parseEntry(text: string): StoredEntry | undefined {
  const entry = JSON.parse(text) as Partial<StoredEntry> | null;
  const credentials = entry?.session?.credentials;
  const valid =
    entry?.version === 1 &&
    typeof entry.key === 'string' &&
    typeof entry.expiration === 'string' &&
    typeof entry.session?.arn === 'string' &&
    typeof entry.session.accountId === 'string' &&
    typeof credentials?.accessKeyId === 'string' &&
    typeof credentials.secretAccessKey === 'string' &&
    (credentials.sessionToken === undefined || typeof credentials.sessionToken === 'string');
  return valid ? (entry as StoredEntry) : undefined;
}

/** Deletes expired entries (at most SWEEP_LIMIT looked at): those of builds that ended without cleaning up. */
function sweepExpired(dir: string, now: number): void {
  const names = readdirSync(dir).filter((name) => ENTRY_NAME.test(name));
  // From a random place, so that live entries at the front cannot keep expired ones behind them forever.
  const start = Math.floor(Math.random() * names.length);
  for (const name of [...names.slice(start), ...names.slice(0, start)].slice(0, SWEEP_LIMIT)) {
    const entry = readEntry(join(dir, name));
    if (entry && new Date(entry.expiration).getTime() <= now) unlinkQuietly(join(dir, name));
  }
}

/** Deletes every entry of one build (its post step, `profile --remove`); returns how many. */
export function removeBuildEntries(dir: string, build: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0; // no cache directory: nothing was cached
  }
  let removed = 0;
  for (const name of names) {
    if (ENTRY_NAME.exec(name)?.[1] === build && unlinkQuietly(join(dir, name))) removed++;
  }
  return removed;
}

function unlinkQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
