/**
 * Every certificate and request filter, checked against the emulators' own data over real HTTP:
 * a filtered query returns exactly the rows of the backend's inventory that match (all returned
 * rows match, and every matching row is returned), and the inventory always holds rows that do not
 * match, so a filter the gateway forgets to send turns these tests red.
 *
 * The inventory is the demo seed of both emulators (CZERTAINLY: issued, revoked, expired, pending,
 * failed, requested; Horizon: valid, revoked, expired) plus what this suite makes through the
 * gateway: a CZERTAINLY certificate finalized with an already expired certificate, the same then
 * revoked (expired *and* revoked reads REVOKED), fresh issued and revoked certificates on both
 * backends, and Horizon requests of every workflow, module, status and two requesters.
 */
import * as x509 from "@peculiar/x509";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsr } from "../../../src/emulators/ca.js";
import { certificateDto } from "../../../src/emulators/czertainly/views.js";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";

const STATES = [
  "REQUESTED",
  "PENDING_APPROVAL",
  "PENDING_ISSUE",
  "ISSUED",
  "PENDING_REVOKE",
  "REVOKED",
  "EXPIRED",
  "FAILED",
  "REJECTED",
  "UNKNOWN",
] as const;
type State = (typeof STATES)[number];
const DAY = 86_400_000;

/** One certificate as the backend holds it, with the unified state the graph must give it. */
interface Row {
  backend: "CZERTAINLY" | "HORIZON";
  backendId: string;
  state: State;
  notAfter?: number;
  dn: string;
  raProfile?: string;
  profile?: string;
}

interface Node {
  backend: "CZERTAINLY" | "HORIZON";
  backendId: string;
  state: State;
  notAfter: string | null;
  pem: string | null;
  raProfile: { name: string } | null;
  profile: string | null;
}

const NODE = `backend backendId state notAfter pem raProfile { name } profile`;
const key = (r: { backend: string; backendId: string }) => `${r.backend}:${r.backendId}`;
const keys = (rows: { backend: string; backendId: string }[]) => rows.map(key).sort();

describe("certificate and request filters are applied by the backends, exactly", () => {
  let stack: TestStack;
  let profiles: Record<string, string>;
  /** Horizon requests made by this suite, by role. */
  const made: Record<string, string> = {};

  /** The emulators' own certificates; the state is derived here from the backend's data alone. */
  const inventory = (): Row[] => {
    const now = Date.now();
    const cz = [...stack.cz.state.certificates.values()].map((c): Row => {
      const dto = certificateDto(stack.cz.state, c);
      const notAfter = dto.notAfter ? Date.parse(dto.notAfter) : undefined;
      const state = (c.state === "issued" && notAfter !== undefined && notAfter < now ? "EXPIRED" : c.state.toUpperCase()) as State;
      return { backend: "CZERTAINLY", backendId: c.uuid, state, notAfter, dn: dto.subjectDn, raProfile: dto.raProfile?.name };
    });
    const hz = [...stack.hz.state.certificates.values()].map(({ wire }): Row => ({
      backend: "HORIZON",
      backendId: wire._id,
      state: wire.revoked ? "REVOKED" : wire.notAfter < now ? "EXPIRED" : "ISSUED",
      notAfter: wire.notAfter,
      dn: wire.dn,
      profile: wire.profile ?? undefined,
    }));
    return [...cz, ...hz];
  };

  /** Every page of `certificates(filter:)`, and the totalCount of the first. */
  const list = async (filter: Record<string, unknown>, first = 100) => {
    const nodes: Node[] = [];
    let after: string | null = null;
    let totalCount: number | undefined;
    for (let page = 0; page < 100; page++) {
      const res: any = await stack.gql(
        `query($f: CertificateFilter, $first: Int!, $after: String) { certificates(first: $first, after: $after, filter: $f) {
          totalCount edges { node { ${NODE} } } pageInfo { hasNextPage endCursor } } }`,
        { f: filter, first, after },
      );
      expect(res.errors, JSON.stringify(filter)).toBeUndefined();
      totalCount ??= res.data.certificates.totalCount;
      nodes.push(...res.data.certificates.edges.map((e: any) => e.node));
      if (!res.data.certificates.pageInfo.hasNextPage) break;
      after = res.data.certificates.pageInfo.endCursor;
    }
    return { nodes, totalCount };
  };

  /** The filter returns exactly `expected` of `all`, and `all` holds rows it must leave out. */
  const expectExactly = async (filter: Record<string, unknown>, all: Row[], expected: Row[]) => {
    const label = JSON.stringify(filter);
    expect(expected.length, `${label}: the inventory has matching rows`).toBeGreaterThan(0);
    expect(all.length - expected.length, `${label}: the inventory has rows that must not match`).toBeGreaterThan(0);
    const { nodes, totalCount } = await list(filter);
    expect(keys(nodes), label).toEqual(keys(expected));
    expect(new Set(nodes.map(key)).size, `${label}: no repeats`).toBe(nodes.length);
    expect(totalCount, `${label}: totalCount`).toBe(expected.length);
    return nodes;
  };

  const issue = async (input: Record<string, unknown>) => {
    const res = await stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { certificate { id state } request { id backendId status } } }`, {
      i: input,
    });
    expect(res.errors).toBeUndefined();
    return res.data.issue as { certificate: { id: string; state: string } | null; request: { id: string; backendId: string } | null };
  };
  const mutate = async (name: string, type: string, input: Record<string, unknown>) => {
    const res = await stack.gql(`mutation($i: ${type}!) { ${name}(input: $i) { certificate { id state } request { id backendId status } } }`, {
      i: input,
    });
    expect(res.errors, name).toBeUndefined();
    return res.data[name];
  };

  beforeAll(async () => {
    stack = await startTestStack({ RATE_LIMIT_PER_MINUTE: "0" });
    profiles = await stack.raProfileIds();

    // CZERTAINLY, async-profile: the CA answers out of band with a certificate that expired 35 days ago.
    const stale = await makeCsr("stale.filters.example");
    const pending = await issue({ raProfileId: profiles["async-profile"], csr: stale.pem });
    const expiredPem = (await stack.cz.ca.signCsr(parseCsr(stale.pem), { notBefore: new Date(Date.now() - 400 * DAY), validityDays: 365 })).pem;
    expect((await mutate("finalize", "FinalizeInput", { certificateId: pending.certificate!.id, certificate: expiredPem })).certificate.state).toBe(
      "EXPIRED",
    );
    // … and one expired certificate revoked as well: REVOKED, never EXPIRED.
    const staleRevoked = await makeCsr("stale-revoked.filters.example");
    const p2 = await issue({ raProfileId: profiles["async-profile"], csr: staleRevoked.pem });
    const expired2 = (await stack.cz.ca.signCsr(parseCsr(staleRevoked.pem), { notBefore: new Date(Date.now() - 400 * DAY), validityDays: 365 })).pem;
    await mutate("finalize", "FinalizeInput", { certificateId: p2.certificate!.id, certificate: expired2 });
    await mutate("revoke", "RevokeInput", { certificateId: p2.certificate!.id, reason: "SUPERSEDED" });
    expect((await mutate("confirmRevoke", "CertificateActionInput", { certificateId: p2.certificate!.id })).certificate.state).toBe("REVOKED");
    // Fresh sync-profile certificates: one stays issued, one is revoked.
    await issue({ raProfileId: profiles["sync-profile"], csr: (await makeCsr("fresh.filters.example")).pem });
    const gone = await issue({ raProfileId: profiles["sync-profile"], csr: (await makeCsr("gone.filters.example")).pem });
    await mutate("revoke", "RevokeInput", { certificateId: gone.certificate!.id, reason: "KEY_COMPROMISE" });

    // Horizon: an enroll (completed), its revocation (a revoke request), EST and SCEP challenges,
    // a denied request, a cancelled one, and a pending one submitted by another account.
    const subject = (cn: string) => [{ element: "cn.1", value: cn }];
    const hzCsr = await makeCsr("hz.filters.example");
    const enrolled = await issue({ horizonProfile: "auto-profile", csr: hzCsr.pem, subject: subject("hz.filters.example") });
    made.enroll = enrolled.request!.backendId;
    made.revoke = (await mutate("revoke", "RevokeInput", { certificateId: enrolled.certificate!.id, reason: "SUPERSEDED" })).request.backendId;
    const submit = async (input: Record<string, unknown>) => (await mutate("submitRequest", "SubmitRequestInput", input)).request.backendId as string;
    made.est = await submit({ estEnroll: { profile: "est-profile", dn: "CN=device-1.filters.example" } });
    made.scep = await submit({ scepEnroll: { profile: "scep-profile" } });
    const toDeny = await issue({
      horizonProfile: "approval-profile",
      csr: (await makeCsr("deny.filters.example")).pem,
      subject: subject("deny.filters.example"),
    });
    made.denied = (await mutate("denyRequest", "RequestDecisionInput", { requestId: toDeny.request!.id, comment: "no" })).request.backendId;
    const toCancel = await issue({
      horizonProfile: "approval-profile",
      csr: (await makeCsr("cancel.filters.example")).pem,
      subject: subject("cancel.filters.example"),
    });
    made.canceled = (await mutate("cancelPending", "CancelPendingInput", { id: toCancel.request!.id, reason: "mistake" })).request.backendId;
    // Straight to Horizon as `requester` (the gateway's service identity is `admin`).
    const byRequester = await request(`${stack.hz.url}/api/v1/requests/submit`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-id": stack.hz.accounts.requester.apiId, "x-api-key": stack.hz.accounts.requester.apiKey },
      body: JSON.stringify({
        module: "webra",
        workflow: "enroll",
        profile: "approval-profile",
        template: { csr: (await makeCsr("requester.filters.example")).pem },
      }),
    });
    expect(byRequester.statusCode).toBe(201);
    await byRequester.body.dump();
  });
  afterAll(() => stack.close());

  it("the inventory holds every kind of certificate these filters tell apart", () => {
    const rows = inventory();
    const count = (backend: Row["backend"], state: State) => rows.filter(r => r.backend === backend && r.state === state).length;
    for (const state of ["ISSUED", "REVOKED", "EXPIRED", "PENDING_ISSUE", "PENDING_REVOKE", "FAILED", "REQUESTED"] as const) {
      expect(count("CZERTAINLY", state), `CZERTAINLY ${state}`).toBeGreaterThan(0);
    }
    for (const state of ["ISSUED", "REVOKED", "EXPIRED"] as const) expect(count("HORIZON", state), `HORIZON ${state}`).toBeGreaterThan(0);
    // The expired-and-revoked CZERTAINLY certificate made above.
    expect(rows.some(r => r.backend === "CZERTAINLY" && r.state === "REVOKED" && r.notAfter! < Date.now())).toBe(true);
  });

  // Every single state, every pair, a few wider sets: one test each.
  const combos: State[][] = [
    ...STATES.map(s => [s]),
    ...STATES.flatMap((a, i) => STATES.slice(i + 1).map(b => [a, b])),
    ["ISSUED", "EXPIRED", "REVOKED"],
    ["EXPIRED", "REVOKED", "PENDING_ISSUE", "FAILED"],
    ["ISSUED", "PENDING_REVOKE", "REQUESTED"],
    [...STATES],
  ];
  for (const states of combos) {
    it(`states [${states.join(", ")}]: exactly the certificates in those states (EXPIRED: notAfter past, ISSUED: not)`, async () => {
      const all = inventory();
      const now = Date.now();
      const byKey = new Map(all.map(r => [key(r), r]));
      const expected = all.filter(r => states.includes(r.state));
      const { nodes, totalCount } = await list({ states });
      expect(keys(nodes)).toEqual(keys(expected));
      expect(totalCount, "totalCount").toBe(expected.length);
      for (const n of nodes) {
        expect(states, `${key(n)} is ${n.state}`).toContain(n.state);
        expect(n.state, key(n)).toBe(byKey.get(key(n))!.state);
        if (n.state === "ISSUED" || n.state === "EXPIRED" || n.state === "REVOKED") expect(n.pem, key(n)).toMatch(/BEGIN CERTIFICATE/);
        // What the X.509 itself says, decoded here from the PEM the graph returned.
        const notAfter = n.pem ? new x509.X509Certificate(n.pem).notAfter.getTime() : undefined;
        if (n.state === "EXPIRED") expect(notAfter, `${key(n)} notAfter`).toBeLessThan(now);
        if (n.state === "ISSUED") expect(notAfter, `${key(n)} notAfter`).toBeGreaterThan(now);
        if (notAfter !== undefined) expect(Date.parse(n.notAfter!)).toBe(notAfter);
      }
    });
  }

  it("states: [EXPIRED, REVOKED] gives no valid certificate on either backend, and all the expired and revoked ones", async () => {
    const all = inventory();
    const expected = all.filter(r => r.state === "EXPIRED" || r.state === "REVOKED");
    expect(new Set(expected.map(r => r.backend))).toEqual(new Set(["CZERTAINLY", "HORIZON"]));
    const nodes = await expectExactly({ states: ["EXPIRED", "REVOKED"] }, all, expected);
    expect(nodes.filter(n => n.state === "ISSUED")).toEqual([]);
    for (const backends of [["CZERTAINLY"], ["HORIZON"]]) {
      await expectExactly(
        { states: ["EXPIRED", "REVOKED"], backends },
        all,
        expected.filter(r => r.backend === backends[0]),
      );
    }
  });

  it("states: paging a mixed state filter two at a time walks every CZERTAINLY search, then Horizon, without gaps or repeats", async () => {
    const all = inventory();
    const states: State[] = ["EXPIRED", "REVOKED", "PENDING_ISSUE"];
    const expected = all.filter(r => states.includes(r.state));
    const whole = await list({ states });
    const paged = await list({ states }, 2);
    expect(paged.nodes.map(key)).toEqual(whole.nodes.map(key));
    expect(keys(paged.nodes)).toEqual(keys(expected));
  });

  it("subjectContains: only certificates whose subject DN contains the text, on each backend and both", async () => {
    const all = inventory();
    const having = (text: string, rows = all) => rows.filter(r => r.dn.toLowerCase().includes(text.toLowerCase()));
    await expectExactly({ subjectContains: "retired" }, all, having("retired"));
    await expectExactly({ subjectContains: "host1" }, all, having("host1"));
    await expectExactly({ subjectContains: "filters.example" }, all, having("filters.example"));
    expect(new Set(having("filters.example").map(r => r.backend)).size).toBe(2);
    await expectExactly(
      { subjectContains: "filters.example", backends: ["HORIZON"] },
      all,
      having("filters.example").filter(r => r.backend === "HORIZON"),
    );
    // Combined with a state filter that needs two CZERTAINLY searches.
    const revokedOrExpired = all.filter(r => r.state === "REVOKED" || r.state === "EXPIRED");
    await expectExactly({ subjectContains: "filters.example", states: ["REVOKED", "EXPIRED"] }, all, having("filters.example", revokedOrExpired));
  });

  it("expiringBefore: only certificates whose notAfter is before the instant, whatever their state", async () => {
    const all = inventory();
    for (const days of [-10, 30, 100]) {
      const before = new Date(Date.now() + days * DAY);
      const expected = all.filter(r => r.notAfter !== undefined && r.notAfter < before.getTime());
      const nodes = await expectExactly({ expiringBefore: before.toISOString() }, all, expected);
      for (const n of nodes) expect(Date.parse(n.notAfter!)).toBeLessThan(before.getTime());
      if (days === 30) expect(new Set(nodes.map(n => n.backend))).toEqual(new Set(["CZERTAINLY", "HORIZON"]));
    }
    const soon = new Date(Date.now() + 30 * DAY);
    await expectExactly(
      { expiringBefore: soon.toISOString(), states: ["ISSUED"] },
      all,
      all.filter(r => r.state === "ISSUED" && r.notAfter! < soon.getTime()),
    );
  });

  it("raProfileId: only that CZERTAINLY RA profile's certificates (and no Horizon search)", async () => {
    const all = inventory();
    for (const name of ["async-profile", "attrs-profile"]) {
      stack.hz.clearLog();
      const nodes = await expectExactly(
        { raProfileId: profiles[name] },
        all,
        all.filter(r => r.raProfile === name),
      );
      expect(nodes.every(n => n.raProfile?.name === name)).toBe(true);
      expect(stack.hz.count("POST", "/api/v1/certificates/search")).toBe(0);
    }
    await expectExactly(
      { raProfileId: profiles["async-profile"], states: ["PENDING_REVOKE", "EXPIRED"] },
      all,
      all.filter(r => r.raProfile === "async-profile" && (r.state === "PENDING_REVOKE" || r.state === "EXPIRED")),
    );
  });

  it("horizonProfile: only that Horizon profile's certificates (and no CZERTAINLY search)", async () => {
    const all = inventory();
    for (const name of ["approval-profile", "auto-profile"]) {
      stack.cz.clearLog();
      const nodes = await expectExactly(
        { horizonProfile: name },
        all,
        all.filter(r => r.profile === name),
      );
      expect(nodes.every(n => n.profile === name)).toBe(true);
      expect(stack.cz.count("POST", "/api/v1/certificates")).toBe(0);
    }
    await expectExactly(
      { horizonProfile: "auto-profile", states: ["REVOKED"] },
      all,
      all.filter(r => r.profile === "auto-profile" && r.state === "REVOKED"),
    );
  });

  it("backends: one backend's certificates only", async () => {
    const all = inventory();
    for (const backend of ["CZERTAINLY", "HORIZON"] as const) {
      await expectExactly(
        { backends: [backend] },
        all,
        all.filter(r => r.backend === backend),
      );
    }
  });

  describe("requests", () => {
    interface RequestRow {
      backendId: string;
      status: string;
      workflow: string;
      module: string;
      profile?: string;
      requester?: string;
    }
    const requestInventory = (): RequestRow[] =>
      [...stack.hz.state.requests.values()].map(({ wire }) => ({
        backendId: wire._id,
        status: wire.status.toUpperCase(),
        workflow: wire.workflow,
        module: wire.module,
        profile: wire.profile,
        requester: wire.requester ?? undefined,
      }));

    const expectRequests = async (filter: Record<string, unknown>, expected: RequestRow[]) => {
      const all = requestInventory();
      const label = JSON.stringify(filter);
      expect(expected.length, `${label}: matching requests exist`).toBeGreaterThan(0);
      expect(all.length - expected.length, `${label}: requests that must not match exist`).toBeGreaterThan(0);
      const got: any[] = [];
      let after: string | null = null;
      let totalCount: number | undefined;
      for (let page = 0; page < 50; page++) {
        const res: any = await stack.gql(
          `query($f: RequestFilter, $after: String) { requests(first: 3, after: $after, filter: $f) {
            totalCount nodes { backendId status workflow module profile requester } pageInfo { hasNextPage endCursor } } }`,
          { f: filter, after },
        );
        expect(res.errors, label).toBeUndefined();
        totalCount ??= res.data.requests.totalCount;
        got.push(...res.data.requests.nodes);
        if (!res.data.requests.pageInfo.hasNextPage) break;
        after = res.data.requests.pageInfo.endCursor;
      }
      expect(got.map(r => r.backendId).sort(), label).toEqual(expected.map(r => r.backendId).sort());
      expect(totalCount, `${label}: totalCount`).toBe(expected.length);
      return got;
    };

    it("the request inventory holds several statuses, workflows, modules, profiles and requesters", () => {
      const rows = requestInventory();
      const distinct = (f: (r: RequestRow) => unknown) => new Set(rows.map(f)).size;
      expect(distinct(r => r.status)).toBeGreaterThanOrEqual(4);
      expect(distinct(r => r.workflow)).toBeGreaterThanOrEqual(2);
      expect(distinct(r => r.module)).toBeGreaterThanOrEqual(3);
      expect(distinct(r => r.profile)).toBeGreaterThanOrEqual(4);
      expect(distinct(r => r.requester)).toBeGreaterThanOrEqual(2);
      for (const id of Object.values(made)) expect(rows.some(r => r.backendId === id)).toBe(true);
    });

    it("statuses, workflow, module, profile and requester each return exactly the matching requests", async () => {
      const rows = requestInventory();
      for (const statuses of [["PENDING"], ["COMPLETED"], ["DENIED", "CANCELED"]]) {
        const got = await expectRequests(
          { statuses },
          rows.filter(r => statuses.includes(r.status)),
        );
        expect(got.every(r => statuses.includes(r.status))).toBe(true);
      }
      for (const workflow of ["revoke", "enroll"]) {
        const got = await expectRequests(
          { workflow },
          rows.filter(r => r.workflow === workflow),
        );
        expect(got.every(r => r.workflow === workflow)).toBe(true);
      }
      for (const module of ["est", "scep", "webra"])
        await expectRequests(
          { module },
          rows.filter(r => r.module === module),
        );
      for (const profile of ["approval-profile", "auto-profile", "est-profile"]) {
        const got = await expectRequests(
          { profile },
          rows.filter(r => r.profile === profile),
        );
        expect(got.every(r => r.profile === profile)).toBe(true);
      }
      const got = await expectRequests(
        { requester: "requester" },
        rows.filter(r => r.requester === "requester"),
      );
      expect(got.every(r => r.requester === "requester")).toBe(true);
      // Several at once: AND.
      await expectRequests(
        { profile: "approval-profile", statuses: ["PENDING", "DENIED"], workflow: "enroll", module: "webra", requester: "admin" },
        rows.filter(
          r =>
            r.profile === "approval-profile" &&
            (r.status === "PENDING" || r.status === "DENIED") &&
            r.workflow === "enroll" &&
            r.module === "webra" &&
            r.requester === "admin",
        ),
      );
    });
  });
});
