/**
 * The one token bucket: `ratePerSecond` tokens refilled continuously, at most `burst` held.
 * - `reserve()` takes a token now and answers how long the caller must wait before using it (0 when one
 *   was available): waits are spread evenly, so a crowd of pollers never exceeds the rate (watch hub).
 * - `tryTake()` takes a token only when one is there (per-caller rate limits).
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number = ratePerSecond,
    private readonly now: () => number = () => Date.now(),
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError("ratePerSecond must be positive");
    this.tokens = burst;
    this.updatedAt = now();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
  }

  /** Takes one token; resolves to the ms to wait before acting on it. */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.ratePerSecond) * 1000);
  }

  /** Tokens available now (negative when reservations are queued). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Takes one token if one is available now; otherwise takes nothing. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Ms until one whole token is available (0: now). */
  msUntilToken(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }
}
