import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../../src/backends/circuit-breaker.js";

describe("CircuitBreaker", () => {
  const make = () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => now });
    return { breaker, advance: (ms: number) => (now += ms) };
  };

  it("opens after N consecutive failures and fails fast while open", () => {
    const { breaker } = make();
    for (let i = 0; i < 3; i++) {
      expect(breaker.tryAcquire()).toBe(true);
      breaker.onFailure();
    }
    expect(breaker.state).toBe("open");
    expect(breaker.tryAcquire()).toBe(false);
  });

  it("a success in between resets the count", () => {
    const { breaker } = make();
    breaker.onFailure();
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    breaker.onFailure();
    expect(breaker.state).toBe("closed");
  });

  it("lets exactly one probe through after the cooldown; success closes, failure reopens", () => {
    const { breaker, advance } = make();
    for (let i = 0; i < 3; i++) breaker.onFailure();
    advance(1000);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.state).toBe("half_open");
    expect(breaker.tryAcquire()).toBe(false);
    breaker.onFailure();
    expect(breaker.state).toBe("open");
    expect(breaker.tryAcquire()).toBe(false);
    advance(1000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onSuccess();
    expect(breaker.state).toBe("closed");
    expect(breaker.tryAcquire()).toBe(true);
  });
});
