import { isRetryable, TimeoutError } from '../errors';

export interface RetryPolicy {
  readonly maxAttempts: number;
  /** Absolute time (ms since epoch) after which no new attempt starts. */
  readonly deadline: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
  /** The last failure, and why it is not retried (for debug lines). */
  readonly onGiveUp?: (attempt: number, error: unknown, why: string) => void;
  /**
   * A bound on waiting for an endpoint that does not answer: after a timed-out attempt, no new attempt starts that
   * could still be running `budgetMs` after the first one started (each lasts at most `attemptMs`). Throttling and
   * errors keep the attempt count; silence should not cost 12 × the request timeout.
   */
  readonly unanswered?: { readonly budgetMs: number; readonly attemptMs: number; readonly setting: string };
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The one retry loop. Only transient failures are retried, with full-jitter exponential backoff (AWS's
 * recommendation) and no sleep after the last attempt. `attempt` is passed in so callers can fetch a fresh token
 * for every try: an ID token that expired during backoff must not be sent again.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const base = policy.baseDelayMs ?? 100;
  const cap = policy.maxDelayMs ?? 5_000;
  const sleep = policy.sleep ?? defaultSleep;
  const random = policy.random ?? Math.random;
  const now = policy.now ?? Date.now;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const giveUp = (why: string) => policy.onGiveUp?.(attempt, error, why);
      const final = !isRetryable(error)
        ? 'not a transient failure'
        : attempt >= policy.maxAttempts
          ? `the last of ${policy.maxAttempts} attempts`
          : undefined;
      if (final) {
        giveUp(final);
        throw error;
      }
      const silence = policy.unanswered;
      if (error instanceof TimeoutError && silence && now() + silence.attemptMs > started + silence.budgetMs) {
        giveUp(`${silence.setting} spent`);
        throw new TimeoutError(
          `${error.message} Gave up after ${attempt} attempt${attempt > 1 ? 's' : ''} (${silence.setting} ${silence.budgetMs / 1000} s).`,
          `Check that the endpoint is reachable from this machine (URL, proxy, firewall); raise ${silence.setting} to wait longer.`,
        );
      }
      const delay = Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1)));
      if (now() + delay >= policy.deadline) {
        giveUp('the run deadline comes first');
        throw error;
      }
      policy.onRetry?.(attempt, error, delay);
      await sleep(delay);
    }
  }
}

/** Runs `work` but gives up at `deadline`, whatever `work` is waiting for. */
export async function withDeadline<T>(work: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TimeoutError(
            `${what} did not finish in time.`,
            'Raise action-timeout-s, or check that the endpoints are reachable.',
          ),
        ),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
