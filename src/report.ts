import { KeylessError } from './errors';
import { redact } from './secrets';

/**
 * The text a user sees when a run fails: what went wrong, what to change, and the detail behind it. Stack traces
 * only in debug mode; everything passes through the secret redactor as a last line of defence.
 */
export function formatFailure(error: unknown, debug: boolean): string {
  const parts: string[] = [];
  if (error instanceof KeylessError) {
    parts.push(error.message);
    if (error.hint) parts.push(error.hint);
    if (error.details) parts.push(error.details);
  } else {
    parts.push(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (debug && error instanceof Error && error.stack) parts.push(error.stack);
  return redact(parts.join('\n'));
}

export function exitCodeOf(error: unknown): number {
  return error instanceof KeylessError ? error.exitCode : 1;
}
