import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHorizonEmulator, type HorizonEmulator } from "../../../src/emulators/horizon/horizon.emulator.js";
import { DAY_MS } from "../../../src/emulators/horizon/model.js";
import type { HorizonClient } from "../../../src/backends/horizon/client.js";
import type { HzRequest } from "../../../src/backends/horizon/wire.js";
import { clientsFor, csrPem, failure } from "./horizon-support.js";

let hz: HorizonEmulator;
let c: ReturnType<typeof clientsFor>;
beforeAll(async () => {
  hz = await startHorizonEmulator({ port: 0 });
  c = clientsFor(hz);
});
afterAll(async () => {
  await Promise.all(Object.values(c).map((x: HorizonClient) => x.close()));
  await hz.close();
});

const pending = async (cn: string): Promise<HzRequest> =>
  c.requester.submit({ module: "webra", workflow: "enroll", profile: "approval-profile", template: { csr: await csrPem(cn) } });
const act = (r: HzRequest) => ({ _id: r._id, module: r.module, workflow: r.workflow });

describe("Horizon emulator: request lifecycle", () => {
  it("pending → completed on approval, with the certificate on GET", async () => {
    const r = await pending("appr.test");
    expect(r.status).toBe("pending");
    expect(r.certificate ?? null).toBeNull();
    expect(r.expirationDate).toBeGreaterThan(r.registrationDate);
    const done = await c.approver.approve({ ...act(r), approverComment: "ok" });
    expect(done.status).toBe("completed");
    expect(done.approver).toBe("approver");
    const got = await c.requester.getRequest(r._id);
    expect(got?.status).toBe("completed");
    expect(got?.certificate?.dn).toContain("CN=appr.test");
    // Acting again: wrong state.
    const again = await failure(c.approver.approve(act(r)));
    expect([again.status, again.backendCode, again.kind]).toEqual([400, "REQ-004", "invalid_state"]);
  });

  it("pending → denied, and → canceled by the requester", async () => {
    const a = await pending("deny.test");
    expect((await c.admin.deny({ ...act(a), approverComment: "no" })).status).toBe("denied");
    const b = await pending("cancel.test");
    expect((await c.requester.cancel(act(b))).status).toBe("canceled");
    expect((await c.admin.getRequest(b._id))?.status).toBe("canceled");
    const e = await failure(c.requester.cancel(act(b)));
    expect(e.backendCode).toBe("REQ-004");
  });

  it("a pending request expires (REQ-005)", async () => {
    const r = await pending("expire.test");
    hz.advance(8 * DAY_MS);
    try {
      const e = await failure(c.approver.approve(act(r)));
      expect([e.status, e.backendCode, e.kind]).toEqual([400, "REQ-005", "invalid_state"]);
      const s = await c.admin.searchRequests({ query: `id equals "${r._id}" and request is expired` });
      expect(s.results.map(x => x._id)).toEqual([r._id]);
    } finally {
      hz.advance(-8 * DAY_MS);
    }
  });

  it("unknown request: getRequest → null, approve → REQ-003 not_found", async () => {
    expect(await c.admin.getRequest("000000000000000000000000")).toBeNull();
    const e = await failure(c.approver.approve({ _id: "000000000000000000000000", module: "webra", workflow: "enroll" }));
    expect([e.status, e.backendCode, e.kind]).toEqual([404, "REQ-003", "not_found"]);
  });

  it("requests search: HRQL subset, 1-based paging, permissions", async () => {
    const s = await c.approver.searchRequests({
      query: 'status equals "pending" and profile equals "approval-profile"',
      pageIndex: 1,
      pageSize: 2,
      withCount: true,
    });
    expect(s.count).toBeGreaterThanOrEqual(3); // demo seed has three
    expect(s.results).toHaveLength(2);
    expect(s.hasMore).toBe(true);
    expect(s.results.every(r => r.status === "pending" && r.permissions.approve)).toBe(true);
    const p2 = await c.approver.searchRequests({ query: 'status equals "pending"', pageIndex: 2, pageSize: 2 });
    expect(p2.pageIndex).toBe(2);
    expect(p2.results.map(r => r._id)).not.toContain(s.results[0]!._id);
    const bad = await failure(c.admin.searchRequests({ query: "registrationDate equals 1" }));
    expect([bad.status, bad.backendCode, bad.kind]).toEqual([400, "HQL-001", "validation"]);
  });
});

describe("Horizon emulator: auth and permissions", () => {
  it("missing credentials → 401 SEC-AUTH-009; wrong key → 401 SEC-AUTH-002", async () => {
    const e = await failure(c.anonymous.getCertificates(["x"]));
    expect([e.status, e.backendCode, e.kind]).toEqual([401, "SEC-AUTH-009", "unauthorized"]);
    const w = await failure(c.admin.self({ headers: { "x-api-id": "admin", "x-api-key": "nope" } }));
    expect([w.status, w.backendCode, w.kind]).toEqual([401, "SEC-AUTH-002", "unauthorized"]);
  });
  it("per-call headers override the service identity", async () => {
    expect((await c.anonymous.self({ headers: { "x-api-id": "requester", "x-api-key": "requester-secret" } })).identity.identifier).toBe("requester");
    expect((await c.admin.self()).permissions).toEqual(["request", "approve"]);
  });
  it("approver may not submit; requester may not approve or deny → 403 SEC-PERM-001", async () => {
    const e = await failure(
      c.approver.submit({ module: "webra", workflow: "enroll", profile: "auto-profile", template: { csr: await csrPem("x.test") } }),
    );
    expect([e.status, e.backendCode, e.kind]).toEqual([403, "SEC-PERM-001", "forbidden"]);
    const r = await pending("perm.test");
    expect((await failure(c.requester.approve(act(r)))).status).toBe(403);
    expect((await failure(c.requester.deny(act(r)))).backendCode).toBe("SEC-PERM-001");
  });
  it("ping is true with and without identity (401 still proves the backend is up)", async () => {
    expect(await c.admin.ping()).toBe(true);
    expect(await c.anonymous.ping()).toBe(true);
  });
});

describe("Horizon emulator: faults seen by the client", () => {
  it("5xx → unavailable, garbage → bad_response, reset → unavailable; reads retry", async () => {
    hz.faults.failNext = 1;
    expect(
      (await failure(c.admin.submit({ module: "webra", workflow: "enroll", profile: "auto-profile", template: { csr: await csrPem("f.test") } })))
        .kind,
    ).toBe("unavailable");
    hz.faults.garbageNext = 1;
    expect((await failure(c.admin.searchCertificates({}))).kind).toBe("bad_response");
    hz.faults.resetNext = 1;
    expect((await failure(c.admin.self())).kind).toBe("unavailable");
    hz.faults.failNext = 1;
    const retrying = (await import("../../../src/backends/horizon/client.js")).createHorizonClient({
      url: hz.url,
      readRetries: 1,
      apiId: "admin",
      apiKey: "admin-secret",
    });
    expect((await retrying.self()).identity.identifier).toBe("admin");
    await retrying.close();
  });
});
