/**
 * A time bound for a network attempt that fires even when nothing else refers to its signal.
 *
 * `AbortSignal.timeout()` is held only weakly by its timer (so that it can be garbage collected), and fetch listens
 * to it weakly too: under memory pressure the signal can be collected mid-request and the timeout never fires, so a
 * server that stalls after the headers holds the caller forever. Here the timer holds the controller strongly until
 * `clear()`; the abort reason is the same `TimeoutError` DOMException that `AbortSignal.timeout()` gives.
 */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Stops the timer once the attempt (body included) is over. */
  clear(): void;
}

export function deadline(ms: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`The operation timed out after ${ms} ms.`, 'TimeoutError')),
    ms,
  );
  // The request's socket keeps the process alive while it is pending; the timer alone must not.
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
