/**
 * Every failure the user can see is one of these. Each kind has a stable `code`, the process exit code it maps to
 * (documented in the README) and a `hint` that says what to change. Raw SDK or network errors are wrapped before
 * they reach a user, so a message never carries a token or key by accident.
 */
export type ErrorKind = 'input' | 'token' | 'denied' | 'transient' | 'timeout' | 'endpoint' | 'refused';

const exitCodes: Record<ErrorKind, number> = {
  input: 2,
  token: 3,
  denied: 4,
  transient: 5,
  timeout: 5,
  endpoint: 5,
  // A change the audience automation will not make (lint error, no trust to edit, IAM limit): nothing was changed.
  refused: 6,
};

export class KeylessError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly hint: string | undefined;
  /** Multi-line detail (decoded claims, likely causes). Never secret material. */
  readonly details: string | undefined;

  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    options: { hint?: string; details?: string; cause?: unknown } = {},
  ) {
    // Sentences start with a capital; operation names such as `sts:AssumeRole` keep their spelling.
    const text = /^[a-z-]+:\S/.test(message) ? message : message.charAt(0).toUpperCase() + message.slice(1);
    super(text, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitCode(): number {
    return exitCodes[this.kind];
  }
}

/** A setting is missing, malformed or contradicts another; raised before any network call. */
export class InputError extends KeylessError {
  constructor(message: string, hint?: string) {
    super('input', 'InvalidInput', message, { hint });
  }
}

/** No usable CI token: none found, the endpoint refused, or the file is unreadable. */
export class TokenError extends KeylessError {
  constructor(code: string, message: string, options: { hint?: string; details?: string; cause?: unknown } = {}) {
    super('token', code, message, options);
  }
}

/** AWS or Cognito said no for a reason that retrying will not change. */
export class DeniedError extends KeylessError {
  constructor(code: string, message: string, options: { hint?: string; details?: string; cause?: unknown } = {}) {
    super('denied', code, message, options);
  }
}

/** Throttling, 5xx, network trouble: worth another attempt. */
export class TransientError extends KeylessError {
  constructor(code: string, message: string, options: { hint?: string; details?: string; cause?: unknown } = {}) {
    super('transient', code, message, options);
  }
}

/**
 * An endpoint that answered, but not as the service it should be: a certificate this machine does not trust, a
 * captive proxy's HTML page, an empty or oversized body. A network failure (exit 5), but not retried: asking the
 * same server again gets the same answer.
 */
export class EndpointError extends KeylessError {
  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('endpoint', code, message, options);
  }
}

/** A request or the whole run ran out of time. */
export class TimeoutError extends KeylessError {
  constructor(message: string, hint?: string) {
    super('timeout', 'Timeout', message, { hint });
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof KeylessError && (error.kind === 'transient' || error.kind === 'timeout');
}
