import { describe, expect, it } from "vitest";
import { addressKey } from "../../../src/server/credentials.js";
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
    expect(limiter.size).toBeLessThanOrEqual(100);
    expect(limiter.size).toBe(100);
  });

  it("when full, drops the least recently used bucket only, never every bucket", () => {
    const now = 0; // the clock stands still: no bucket refills during the test
    const limiter = new RateLimiter(2, () => now, 10);
    const drained = ["a", "b", "c", "d", "e"];
    for (const key of drained) {
      limiter.take(key);
      limiter.take(key);
      expect(limiter.take(key).allowed).toBe(false);
    }
    for (let i = 0; i < 5; i++) limiter.take(`new-${i}`); // the map is full now
    limiter.take("one-more"); // evicts "a", the least recently used
    expect(drained.slice(1).map(key => limiter.take(key).allowed)).toEqual([false, false, false, false]);
    expect(limiter.size).toBe(10);
    expect(limiter.take("a").allowed).toBe(true);
  });

  it("a limited caller that keeps calling stays limited however many new keys fill the map", () => {
    let now = 0;
    const limiter = new RateLimiter(3, () => now, 10);
    for (let i = 0; i < 3; i++) limiter.take("limited");
    for (let i = 0; i < 1000; i++) {
      limiter.take(`flood-${i}`);
      if (i % 5 === 0) expect(limiter.take("limited").allowed, `after ${i + 1} new keys`).toBe(false);
    }
    expect(limiter.size).toBe(10);
    now += 20_000; // 3 per minute: one token every 20 s
    expect(limiter.take("limited").allowed).toBe(true);
    expect(limiter.take("limited").allowed).toBe(false);
  });

  it("peek tells whether a token is left without spending it; the window can be other than a minute", () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now, 100, 10_000);
    expect(limiter.peek("x").allowed).toBe(true);
    limiter.take("x");
    limiter.take("x");
    for (let i = 0; i < 3; i++) expect(limiter.peek("x")).toEqual({ allowed: false, retryAfterSeconds: 5 });
    now += 5000;
    expect(limiter.peek("x").allowed).toBe(true);
    expect(limiter.peek("x").allowed).toBe(true);
  });
});

describe("addressKey", () => {
  it("keys IPv4 (also IPv4-mapped) by the address and IPv6 by its /64", () => {
    expect(addressKey("127.0.0.2")).toBe("addr:127.0.0.2");
    expect(addressKey("::ffff:10.1.2.3")).toBe("addr:10.1.2.3");
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe(addressKey("2001:0db8:0001:0002:bbbb:cccc:dddd:eeee"));
    expect(addressKey("2001:db8:1:2::1")).not.toBe(addressKey("2001:db8:1:3::1"));
    expect(addressKey(undefined)).toBe("addr:local");
  });
});
