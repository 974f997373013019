import { describe, expect, it } from "vitest";
import { searchCertificates } from "../../../src/emulators/horizon/query.js";
import type { HzCertificate } from "../../../src/backends/horizon/wire.js";

const now = Date.UTC(2026, 0, 1);
const cert = (id: string, over: Partial<HzCertificate>) =>
  ({ _id: id, dn: `CN=${id}`, revoked: false, notAfter: now + 1e9, subjectAlternateNames: [], ...over }) as HzCertificate;
const all = [
  cert("a", { profile: "p1" }),
  cert("b", { profile: "p2", revoked: true }),
  cert("c", { profile: "p1", notAfter: now - 1 }),
  cert("d", { profile: "p2", dn: 'CN=d (and or) "x"' }),
];
const ids = (query: string) => searchCertificates(all, { query }, now).results.map(c => c._id);

describe("emulated HCQL", () => {
  it("combines clauses with and, or, not and parentheses", () => {
    expect(ids(`(status is valid or status is revoked) and profile equals "p2"`)).toEqual(["b", "d"]);
    expect(ids(`status is expired or status is revoked`)).toEqual(["b", "c"]);
    expect(ids(`not (profile equals "p1") and status is valid`)).toEqual(["d"]);
    expect(ids(`dn contains "(and or)"`)).toEqual(["d"]);
  });

  it("rejects malformed queries with HQL-001", () => {
    for (const bad of [`(status is valid`, `status is valid or`, `) status is valid`]) {
      expect(() => ids(bad)).toThrow(expect.objectContaining({ code: "HQL-001" }));
    }
  });
});
