import { LRUCache } from "lru-cache";
import { TokenBucket } from "../lib/token-bucket.js";

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

export class RateLimiter {
  private readonly buckets: LRUCache<string, TokenBucket>;
  private readonly perSecond: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    maxKeys = 100_000,
    windowMs = 60_000,
  ) {
    this.perSecond = (perMinute / windowMs) * 1000;
    this.buckets = new LRUCache<string, TokenBucket>({ max: Math.max(1, maxKeys) });
  }

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /** Spends one token of `key`'s bucket (refused when there is none). */
  take(key: string): RateDecision {
    if (!this.enabled) return { allowed: true };
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.perSecond, this.perMinute, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake() ? { allowed: true } : this.refusal(bucket);
  }

  /** Whether `key` has a token left, without spending it. */
  peek(key: string): RateDecision {
    if (!this.enabled) return { allowed: true };
    const bucket = this.buckets.peek(key);
    return !bucket || bucket.msUntilToken() === 0 ? { allowed: true } : this.refusal(bucket);
  }

  /** Number of buckets held (bounded by maxKeys). */
  get size(): number {
    return this.buckets.size;
  }

  private refusal(bucket: TokenBucket): RateDecision {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(bucket.msUntilToken() / 1000)) };
  }
}
