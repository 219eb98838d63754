import { KeylessError } from './errors';
import { oneLine } from './printable';
import { redact } from './secrets';

/**
 * The text a user sees when a run fails: what went wrong, what to change, and the detail behind it. Stack traces
 * only in debug mode; everything passes through the secret redactor as a last line of defence.
 */
export function formatFailure(error: unknown, debug: boolean): string {
  // Message and hint are one line each (they may quote a server); the details are ours, one value per line. Secrets
  // are redacted before `oneLine` shows control characters, or a secret holding a tab would no longer match.
  const parts: string[] = [];
  if (error instanceof KeylessError) {
    parts.push(oneLine(redact(error.message)));
    if (error.hint) parts.push(oneLine(redact(error.hint)));
    if (error.details) parts.push(error.details);
  } else {
    parts.push(`Unexpected error: ${oneLine(redact(error instanceof Error ? error.message : String(error)))}`);
  }
  if (debug && error instanceof Error && error.stack) parts.push(error.stack);
  return redact(parts.join('\n'));
}

export function exitCodeOf(error: unknown): number {
  return error instanceof KeylessError ? error.exitCode : 1;
}
