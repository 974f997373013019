import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../../src/server/rate-limit.js";

describe("RateLimiter", () => {
  it("allows perMinute requests per caller, then refuses with a retry-after, and refills", () => {
    let now = 0;
    const limiter = new RateLimiter(3, () => now);
    expect([1, 2, 3].map(() => limiter.take("a").allowed)).toEqual([true, true, true]);
    const refused = limiter.take("a");
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(limiter.take("b").allowed).toBe(true);
    now += 20_000;
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
  });

  it("0 disables limiting", () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take("a").allowed).toBe(true);
  });

  it("bounds its memory", () => {
    const now = 0;
    const limiter = new RateLimiter(10, () => now, 100);
    for (let i = 0; i < 1000; i++) limiter.take(`k${i}`);
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(100);
  });
});
