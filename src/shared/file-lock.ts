/**
 * A cross-process lock on files we rewrite in place (the AWS config and credentials files): `<file>.lock`, created
 * with O_EXCL so the kernel lets exactly one process win. Synchronous because the writes it guards are; a wait is
 * a few milliseconds in practice and bounded by `timeoutMs`.
 *
 * A lock is stale when its owner is a process of this process space (host, boot, pid namespace) that no longer
 * exists, or when it is older than `staleMs` (its owner is elsewhere: another machine or container sharing the
 * directory, or hung). A stale lock is broken the way the
 * token service breaks its key lock: under an O_EXCL `.break` guard, re-checked, renamed away to a name unique to
 * the breaker (one rename wins), never deleted in place, so two waiters cannot both break and both enter.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { TimeoutError } from '../errors';
import { ownerIsDead, processSpace } from './process-space';

export interface LockOptions {
  /** How long to wait for a live owner before giving up. */
  readonly timeoutMs?: number;
  /** Age after which a lock counts as abandoned whoever holds it (a write under the lock takes milliseconds). */
  readonly staleMs?: number;
}

const DEFAULTS = { timeoutMs: 10_000, staleMs: 60_000 };
const POLL_MS = 20;
const CREATE_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;

export function lockPathOf(file: string): string {
  return `${file}.lock`;
}

/** Runs `action` holding the lock of every file in `files` (taken in sorted order, so two callers cannot deadlock). */
export function withFileLocks<T>(files: readonly string[], action: () => T, options: LockOptions = {}): T {
  const held: Array<{ path: string; owner: string }> = [];
  try {
    acquireAll(files, options, held);
    return action();
  } finally {
    releaseAll(held);
  }
}

/** withFileLocks for an asynchronous action (a network fetch): the locks are held until its promise settles. */
export async function withFileLocksAsync<T>(
  files: readonly string[],
  action: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const held: Array<{ path: string; owner: string }> = [];
  try {
    acquireAll(files, options, held);
    return await action();
  } finally {
    releaseAll(held);
  }
}

function acquireAll(files: readonly string[], options: LockOptions, held: Array<{ path: string; owner: string }>) {
  const settings = { ...DEFAULTS, ...options };
  for (const file of [...new Set(files)].sort()) held.push(acquire(lockPathOf(file), settings));
}

function releaseAll(held: Array<{ path: string; owner: string }>): void {
  for (const lock of held.reverse()) release(lock.path, lock.owner);
}

/**
 * The same lock held across asynchronous work that may take minutes (a person signing in): waiters poll without
 * blocking the event loop. A lock whose owner died is broken as above; `staleMs` must exceed the longest hold.
 */
export async function withFileLockAsync<T>(
  file: string,
  action: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const settings = { ...DEFAULTS, ...options };
  const path = lockPathOf(file);
  const owner = ownerLine();
  const deadline = Date.now() + settings.timeoutMs;
  while (!tryAcquire(path, owner, settings.staleMs)) {
    if (Date.now() >= deadline) throw heldTooLong(path, settings.timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS * 5));
  }
  try {
    return await action();
  } finally {
    release(path, owner);
  }
}

function ownerLine(): string {
  return `${processSpace()} ${process.pid} ${randomBytes(8).toString('hex')}\n`;
}

function tryAcquire(path: string, owner: string, staleMs: number): boolean {
  for (;;) {
    if (tryCreate(path, owner)) return true;
    if (!breakIfStale(path, staleMs)) return false;
  }
}

function heldTooLong(path: string, timeoutMs: number): TimeoutError {
  return new TimeoutError(
    `Another process has held the lock ${path} for over ${Math.round(timeoutMs / 1000)} s (${describeOwner(path)}).`,
    `Wait for it to finish; if no keyless-aws is writing this file, delete ${path}.`,
  );
}

function acquire(path: string, settings: Required<LockOptions>): { path: string; owner: string } {
  const owner = ownerLine();
  const deadline = Date.now() + settings.timeoutMs;
  while (!tryAcquire(path, owner, settings.staleMs)) {
    if (Date.now() >= deadline) throw heldTooLong(path, settings.timeoutMs);
    sleep(POLL_MS);
  }
  return { path, owner };
}

function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, CREATE_EXCLUSIVE, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Only our own lock is removed: never one another process took after ours was (wrongly) judged stale. */
function release(path: string, owner: string): void {
  if (readOrUndefined(path) === owner) unlinkQuietly(path);
}

/** True when the lock at `path` is gone or was broken, so the caller should retry at once. */
function breakIfStale(path: string, staleMs: number): boolean {
  const verdict = staleness(path, staleMs);
  if (verdict !== 'stale') return verdict === 'gone';
  const guard = `${path}.break`;
  if (!tryCreate(guard, '')) {
    // Another waiter is breaking it; a guard left by one that died mid-break goes stale by age like a lock.
    if (ageOf(guard) > staleMs) moveAway(guard);
    return false;
  }
  try {
    const now = staleness(path, staleMs);
    if (now === 'stale') moveAway(path);
    return now !== 'live';
  } finally {
    unlinkQuietly(guard);
  }
}

function staleness(path: string, staleMs: number): 'gone' | 'stale' | 'live' {
  const age = ageOf(path);
  if (age === Number.NEGATIVE_INFINITY) return 'gone';
  if (age > staleMs) return 'stale';
  // An empty lock is one being written this instant: live until it ages.
  return ownerIsDead(readOrUndefined(path) ?? '') ? 'stale' : 'live';
}

function describeOwner(path: string): string {
  const [space, pid] = (readOrUndefined(path) ?? '').split(' ');
  return space && pid ? `process ${pid} on ${space.split('/')[0]}` : 'owner unknown';
}

/** Milliseconds since the file was last written; -Infinity when it does not exist. */
function ageOf(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function moveAway(path: string): void {
  const moved = `${path}.stale.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    renameSync(path, moved);
  } catch {
    return; // someone else moved it first
  }
  unlinkQuietly(moved);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
