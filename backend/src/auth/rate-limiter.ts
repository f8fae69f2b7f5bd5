export interface RateDecision {
  allowed: boolean;
  /** Requests per minute for this key. */
  limit: number;
  /** Whole requests left right now. */
  remaining: number;
  /** When refused: seconds until one request is allowed again (integer, at least 1); 0 when allowed. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Per-key token buckets, in memory. Capacity is the per-minute limit and tokens refill continuously
 * (limit / 60 per second), so a key can burst up to its full minute and then runs at the steady rate.
 *
 * The limit is per API instance: N instances behind a load balancer allow up to N x the limit in
 * total. That is deliberate: no Redis or database round-trip on the prediction hot path. A global
 * limit, if ever needed, belongs in front of the instances (API gateway / load balancer).
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  take(id: string, perMinute: number): RateDecision {
    const now = this.now();
    const perMs = perMinute / 60_000;
    let bucket = this.buckets.get(id);
    if (bucket === undefined) {
      bucket = { tokens: perMinute, at: now };
      this.buckets.set(id, bucket);
    } else {
      bucket.tokens = Math.min(perMinute, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, limit: perMinute, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
    }
    const waitMs = (1 - bucket.tokens) / perMs;
    return {
      allowed: false,
      limit: perMinute,
      remaining: 0,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    };
  }

  forget(id: string): void {
    this.buckets.delete(id);
  }

  get size(): number {
    return this.buckets.size;
  }
}
