import { describe, expect, it } from "vitest";
import { CertificateKeyIndex } from "../../../src/backends/czertainly/key-index.js";

describe("CertificateKeyIndex", () => {
  it("remembers a certificate's key (or that it has none) per caller scope until the TTL passes", () => {
    let now = 1_000;
    const index = new CertificateKeyIndex(60_000, 10, () => now);
    index.set("alice", "cert-1", "key-1");
    index.set("alice", "cert-2", null);
    expect(index.get("alice", "cert-1")).toBe("key-1");
    expect(index.get("alice", "cert-2")).toBeNull();
    expect(index.get("bob", "cert-1")).toBeUndefined();
    now += 60_001;
    expect(index.get("alice", "cert-1")).toBeUndefined();
  });

  it("evicts the oldest entry when full, and stores nothing when disabled", () => {
    const index = new CertificateKeyIndex(60_000, 2);
    index.set("s", "a", "1");
    index.set("s", "b", "2");
    index.set("s", "c", "3");
    expect(index.size).toBe(2);
    expect(index.get("s", "a")).toBeUndefined();
    const off = new CertificateKeyIndex(0);
    off.set("s", "a", "1");
    expect(off.size).toBe(0);
  });
});
