/**
 * The OS keychain, driven through the command-line tool each OS ships (no native module): macOS `security`, the
 * Secret Service through libsecret's `secret-tool`, Windows Credential Manager through PowerShell. Every secret
 * crosses on the tool's stdin or stdout, never in its argv.
 */
import type { ToolResult } from '../../shared/run-tool';

/** One secret per account (a provider's sign-in), under the service name `keyless-aws`. */
export interface Keychain {
  /** For messages: "the macOS keychain". */
  readonly label: string;
  read(account: string): Promise<string | undefined>;
  /** Creates or replaces. */
  write(account: string, secret: string): Promise<void>;
  /** True when there was something to remove. */
  remove(account: string): Promise<boolean>;
}

export const SERVICE = 'keyless-aws';

/**
 * A keychain that is there but did not do what was asked (locked, denied, no Secret Service on the bus, no answer in
 * time). Never carries a secret: only the tool's name, exit and the first line of its stderr.
 */
export class KeychainError extends Error {
  constructor(
    readonly label: string,
    readonly reason: string,
    readonly timedOut = false,
  ) {
    super(`${label}: ${reason}`);
  }
}

/** Each tool gets this long; a keychain that shows an unlock prompt leaves the person time to answer it. */
export const TOOL_TIMEOUT_MS = 30_000;
/** A kept sign-in is a few kilobytes; a tool that says much more is not answering our question. */
export const TOOL_MAX_OUTPUT = 256 * 1024;

/** The failure of a tool run as a KeychainError, or undefined when it exited (the caller reads its code). */
export function failureOf(label: string, tool: string, result: ToolResult): KeychainError | undefined {
  if (result.outcome === 'exited') return undefined;
  if (result.outcome === 'not-found') return new KeychainError(label, `${tool} was not found`);
  return new KeychainError(label, `${tool}: ${result.detail}`, result.outcome === 'timeout');
}

/**
 * The first line of a tool's stderr, for a message. A tool that echoes the command it failed on would echo the
 * secret with it (hex after `security -i`'s `-X`, base64 in a PowerShell line), and the secret registry only knows
 * it in plain text: long hex or base64 runs are cut out before the line goes anywhere.
 */
export function firstLine(text: string): string {
  const line = text.trim().split(/\r?\n/)[0] ?? '';
  // With a digit in it: an API name (SecKeychainItemCreateFromContent) is long but never carries one.
  return line.replace(/(?=[A-Za-z0-9+/=_-]*\d)[A-Za-z0-9+/=_-]{32,}/g, '[…]').slice(0, 200) || 'no message';
}

/**
 * Some keychains cap one item (Windows: 2560 bytes; macOS: one `security -i` line of 4095 bytes, hex-encoded), and
 * ID plus refresh tokens often exceed that (Entra's do). A secret is then kept as parts `account`, `account:1`, …
 * each saying which write it belongs to, so a reader that meets parts of two writes sees no session rather than a
 * spliced one. `:` cannot occur in a provider name, so no part collides with another provider's account.
 */
const PART_FORMAT = /^kla1:([0-9a-f]{8}):(\d+):(\d+):/;
export const MAX_PARTS = 16;

export function partAccount(account: string, index: number): string {
  return index === 0 ? account : `${account}:${index}`;
}

export function splitSecret(secret: string, maxPartChars: number): string[] {
  // Tells one write from another, nothing more: not a secret, so no need to load node:crypto for it.
  const tag = Math.floor(Math.random() * 0x1_0000_0000)
    .toString(16)
    .padStart(8, '0');
  const header = (i: number, n: number) => `kla1:${tag}:${i}:${n}:`;
  const room = maxPartChars - header(MAX_PARTS, MAX_PARTS).length;
  const count = Math.max(1, Math.ceil(secret.length / room));
  if (count > MAX_PARTS) throw new KeychainError('keychain', `the sign-in is too large (${secret.length} bytes)`);
  return Array.from({ length: count }, (_, i) => header(i, count) + secret.slice(i * room, (i + 1) * room));
}

/** How many parts the first part announces (0: not ours). */
export function partCount(first: string): number {
  const match = PART_FORMAT.exec(first);
  return match && match[2] === '0' ? Math.min(Number(match[3]), MAX_PARTS) : 0;
}

/** The secret, or undefined when the parts are not one complete write. */
export function joinParts(parts: readonly string[]): string | undefined {
  const first = PART_FORMAT.exec(parts[0] ?? '');
  if (!first || Number(first[3]) !== parts.length) return undefined;
  let secret = '';
  for (const [index, part] of parts.entries()) {
    const match = PART_FORMAT.exec(part);
    if (!match || match[1] !== first[1] || Number(match[2]) !== index || match[3] !== first[3]) return undefined;
    secret += part.slice(match[0].length);
  }
  return secret;
}

/** Printable ASCII only: every tool hands it back byte for byte (macOS prints other bytes as hex). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
