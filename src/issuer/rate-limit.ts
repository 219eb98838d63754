/**
 * Token-bucket rate limiting keyed by an arbitrary string (a request token's jti, a client address).
 *
 * Buckets live in memory per instance: behind a load balancer with N instances the effective limit is up to N
 * times the configured one, which is fine for the purpose (stopping one runaway or hostile build from starving the
 * signer), and keeps the service free of shared state.
 */

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Whole seconds until one more request would be allowed; 0 when allowed. Sent as Retry-After. */
  readonly retryAfterSeconds: number;
}

export interface RateLimiterOptions {
  /** Sustained requests per second per key; 0 disables the limiter. */
  readonly ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet period. */
  readonly burst: number;
  /** Upper bound on tracked keys, so a flood of distinct keys cannot grow memory without limit. */
  readonly maxKeys?: number;
  /** Milliseconds clock, injectable for tests. */
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

const ALLOWED: RateLimitDecision = { allowed: true, retryAfterSeconds: 0 };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: RateLimiterOptions) {
    this.rate = options.ratePerSecond;
    this.burst = Math.max(1, options.burst);
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.rate > 0;
  }

  /** Consumes one token for `key` if available. */
  take(key: string): RateLimitDecision {
    if (!this.enabled) return ALLOWED;
    const bucket = this.refill(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return ALLOWED;
    }
    return this.denied(bucket);
  }

  /** Reports whether `take(key)` would succeed, without consuming (used to gate before checking a secret). */
  peek(key: string): RateLimitDecision {
    if (!this.enabled) return ALLOWED;
    const bucket = this.buckets.get(key);
    if (!bucket) return ALLOWED;
    return this.refill(key).tokens >= 1 ? ALLOWED : this.denied(bucket);
  }

  /** Number of keys currently tracked (exposed for tests of the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  private denied(bucket: Bucket): RateLimitDecision {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate)) };
  }

  private refill(key: string): Bucket {
    const nowMs = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evict(nowMs);
      bucket = { tokens: this.burst, updatedMs: nowMs };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, nowMs - bucket.updatedMs) / 1000;
    bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.rate);
    bucket.updatedMs = nowMs;
    return bucket;
  }

  /**
   * Frees room: first every bucket that has refilled completely (forgetting it changes nothing), then, if a flood
   * of fresh keys left none of those, the oldest entries (Map iteration order is insertion order).
   */
  private evict(nowMs: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((nowMs - bucket.updatedMs) / 1000) * this.rate >= this.burst) this.buckets.delete(key);
    }
    const excess = this.buckets.size - Math.floor(this.maxKeys * 0.9);
    if (excess <= 0) return;
    let removed = 0;
    for (const key of this.buckets.keys()) {
      if (removed++ >= excess) break;
      this.buckets.delete(key);
    }
  }
}
