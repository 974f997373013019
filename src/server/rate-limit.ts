import { LRUCache } from "lru-cache";

/**
 * Per-key token bucket: `limit` tokens refilled over `windowMs` (per minute by default), bursts up
 * to `limit`. Keyed by the caller's principal, its address, or the address of rejected credentials
 * (src/server/admission.ts); a limit of 0 disables it.
 *
 * Memory is bounded by `maxKeys`: when full, the bucket used least recently is dropped (lru-cache),
 * never all of them, so a flood of new keys cannot reset a caller that is being limited and keeps
 * calling (every take, refused or not, makes its bucket the most recently used).
 */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until one more request would be allowed (only when refused). */
  retryAfterSeconds?: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  private readonly buckets: LRUCache<string, Bucket>;
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    maxKeys = 100_000,
    windowMs = 60_000,
  ) {
    this.perMs = perMinute / windowMs;
    this.buckets = new LRUCache<string, Bucket>({ max: Math.max(1, maxKeys) });
  }

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /** Spends one token of `key`'s bucket (refused when there is none). */
  take(key: string): RateDecision {
    if (!this.enabled) return { allowed: true };
    const bucket = this.refilled(key);
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return this.refusal(bucket);
  }

  /** Whether `key` has a token left, without spending it. */
  peek(key: string): RateDecision {
    if (!this.enabled) return { allowed: true };
    if (!this.buckets.has(key)) return { allowed: true };
    const bucket = this.refilled(key);
    return bucket.tokens >= 1 ? { allowed: true } : this.refusal(bucket);
  }

  /** Number of buckets held (bounded by maxKeys). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.perMinute, updated: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, now - bucket.updated) * this.perMs);
    bucket.updated = now;
    return bucket;
  }

  private refusal(bucket: Bucket): RateDecision {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }
}
