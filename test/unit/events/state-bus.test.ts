import { describe, expect, it } from "vitest";
import { decodeStateEvent, encodeStateEvent, InMemoryStateBus, type StateEvent } from "../../../src/events/state-bus.js";
import { credentialKeyOf } from "../../../src/events/state-events.js";
import { TokenBucket } from "../../../src/lib/token-bucket.js";
import { Backend, CertificateState } from "../../../src/model/enums.js";

describe("InMemoryStateBus", () => {
  it("fans an event out to the listeners of its id only, until they unsubscribe", () => {
    const bus = new InMemoryStateBus();
    const got: string[] = [];
    const off = bus.subscribe("a", e => got.push(`1:${e.state}`));
    bus.subscribe("a", e => got.push(`2:${e.state}`));
    bus.subscribe("b", e => got.push(`b:${e.state}`));
    const event = { kind: "certificate", id: "a", state: "ISSUED", final: true, gone: false, observedAt: 1, source: "poll" } as StateEvent;
    bus.publish(event);
    off();
    bus.publish({ ...event, state: "REVOKED" });
    expect(got).toEqual(["1:ISSUED", "2:ISSUED", "2:REVOKED"]);
  });

  it("grants a polling lease to one owner until it expires or is released", () => {
    let now = 0;
    const bus = new InMemoryStateBus(() => now);
    expect(bus.claim("x", "a", 100)).toBe(true);
    expect(bus.claim("x", "b", 100)).toBe(false);
    expect(bus.claim("x", "a", 100)).toBe(true); // renewal
    now = 101;
    expect(bus.claim("x", "b", 100)).toBe(true); // a stopped renewing
    bus.release("x", "a"); // not a's any more: no effect
    expect(bus.claim("x", "a", 100)).toBe(false);
    bus.release("x", "b");
    expect(bus.claim("x", "a", 100)).toBe(true);
  });
});

describe("state event wire form (for a shared bus)", () => {
  it("round-trips records with their dates", () => {
    const event: StateEvent = {
      kind: "certificate",
      id: "Q2VydA",
      state: CertificateState.REVOKED,
      final: true,
      gone: false,
      observedAt: 1234,
      source: "mutation",
      credentialKey: "k",
      record: {
        id: "Q2VydA",
        backend: Backend.CZERTAINLY,
        backendId: "u-1",
        state: CertificateState.REVOKED,
        notAfter: new Date("2030-01-02T03:04:05.000Z"),
        revocationDate: new Date("2026-01-01T00:00:00.000Z"),
        groups: ["g"],
        labels: [{ key: "k", value: "v" }],
      },
    };
    const back = decodeStateEvent(encodeStateEvent(event));
    expect(back).toEqual(event);
    expect(back.kind === "certificate" && back.record?.notAfter).toBeInstanceOf(Date);
  });
});

describe("credentialKeyOf", () => {
  it("is one key for service mode and distinct keys for distinct forwarded credentials, never the secret itself", () => {
    const service = { czertainly: {}, horizon: {}, principal: "ip:1" };
    expect(credentialKeyOf(service, Backend.CZERTAINLY)).toBe(credentialKeyOf({ ...service, principal: "ip:2" }, Backend.CZERTAINLY));
    const alice = { ...service, horizon: { "x-api-id": "alice", "x-api-key": "secret-a" } };
    const bob = { ...service, horizon: { "x-api-id": "bob", "x-api-key": "secret-b" } };
    expect(credentialKeyOf(alice, Backend.HORIZON)).not.toBe(credentialKeyOf(bob, Backend.HORIZON));
    expect(credentialKeyOf(alice, Backend.HORIZON)).not.toContain("secret");
    expect(credentialKeyOf({ ...service, czertainly: { missing: "no cert" } }, Backend.CZERTAINLY)).toBe("missing");
  });
});

describe("TokenBucket", () => {
  it("grants the burst at once, then spaces reservations at the rate", () => {
    let now = 0;
    const bucket = new TokenBucket(10, 2, () => now);
    expect([bucket.reserve(), bucket.reserve()]).toEqual([0, 0]);
    expect(bucket.reserve()).toBe(100);
    expect(bucket.reserve()).toBe(200);
    now = 1000;
    // 1 s refilled 10 tokens minus the 2 owed, capped at the burst
    expect(bucket.available()).toBe(2);
  });
});
