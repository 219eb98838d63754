// Identifier formats AWS uses, generated either deterministically (so reruns of a template give the same pool and
// identity ids) or randomly (credentials, request ids).
import { createHash, randomBytes, randomUUID } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A UUID-shaped string (version 5 layout) derived from the input, stable across runs. */
export function deterministicUuid(seed: string): string {
  const bytes = createHash('sha256').update(seed).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function pick(alphabet: string, length: number, source: Buffer): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[(source[i] ?? 0) % alphabet.length];
  return out;
}

/** Unique id in IAM's `<prefix><uppercase alnum>` shape (e.g. `AROA…` for roles), stable for the same seed. */
export function deterministicUniqueId(prefix: string, seed: string, length = 17): string {
  return prefix + pick(UPPER_ALNUM, length, createHash('sha256').update(seed).digest());
}

export function newSessionAccessKeyId(): string {
  return `ASIA${pick(UPPER_ALNUM, 16, randomBytes(16))}`;
}

export function newSecretAccessKey(): string {
  return pick(SECRET_CHARS, 40, randomBytes(40));
}

/** Opaque session token; real ones are long base64 blobs, so clients must not assume a size. */
export function newSessionToken(): string {
  return `FwoGZXIvYXdzE${randomBytes(180).toString('base64')}`;
}

export function newRequestId(): string {
  return randomUUID();
}
