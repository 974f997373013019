/**
 * A per-backend circuit breaker. It opens after `failureThreshold` consecutive
 * unavailable/timeout failures, fails fast while open, and after `cooldownMs` lets one
 * probe through (half-open): a success closes it, a failure opens it again.
 */
export type BreakerState = "closed" | "open" | "half_open";

export interface CircuitBreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  /** Injectable clock for tests. */
  now?: () => number;
}

export const DEFAULT_BREAKER_OPTIONS: CircuitBreakerOptions = { failureThreshold: 5, cooldownMs: 10_000 };

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private current: BreakerState = "closed";
  private readonly now: () => number;

  constructor(private readonly opts: CircuitBreakerOptions = DEFAULT_BREAKER_OPTIONS) {
    this.now = opts.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a call may go out now; a false answer means "fail fast". */
  tryAcquire(): boolean {
    if (this.current === "closed") return true;
    if (this.current === "open") {
      if (this.now() - this.openedAt < this.opts.cooldownMs) return false;
      this.current = "half_open";
      this.probing = false;
    }
    // half-open: exactly one probe at a time
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  /** The backend answered (any HTTP answer counts: it is alive). */
  onSuccess(): void {
    this.failures = 0;
    this.probing = false;
    this.current = "closed";
  }

  /** The backend was unreachable or too slow. */
  onFailure(): void {
    this.probing = false;
    if (this.current === "half_open") return this.open();
    this.failures++;
    if (this.failures >= this.opts.failureThreshold) this.open();
  }

  /** A call that was let through ended without telling anything about the backend's health. */
  onNeutral(): void {
    this.probing = false;
  }

  private open(): void {
    this.current = "open";
    this.openedAt = this.now();
    this.failures = 0;
  }
}
