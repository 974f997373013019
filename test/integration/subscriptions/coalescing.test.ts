import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromGlobalId } from "../../../src/domain/ids.js";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { detailReadsByUuid, sseClient, until, watch, wsClient, type StreamingClient, type Watched } from "./support.js";

const INTERVAL_MS = 250;
const CERTIFICATES = 20;
const SUBSCRIBERS = 200;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe("200 subscribers on 20 pending certificates", () => {
  let stack: TestStack;
  const clients: StreamingClient[] = [];
  const uuids: string[] = [];
  const ids: string[] = [];
  const subs: Watched[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ WATCH_INTERVAL_MS: String(INTERVAL_MS), MAX_POLLS_PER_SECOND: "1000", RATE_LIMIT_PER_MINUTE: "0" });
    const profiles = (await stack.gql(`{ raProfiles { id name } }`)).data.raProfiles as { id: string; name: string }[];
    const asyncProfile = profiles.find(p => p.name === "async-profile")!.id;
    for (let i = 0; i < CERTIFICATES; i++) {
      const { pem } = await makeCsr(`coalesce-${i}.watch.example`);
      const res = await stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { certificate { id state } } }`, { i: { raProfileId: asyncProfile, csr: pem } });
      expect(res.data.issue.certificate.state).toBe("PENDING_ISSUE");
      ids.push(res.data.issue.certificate.id);
      uuids.push(fromGlobalId(res.data.issue.certificate.id).backendId);
    }
    // Three WebSocket connections and SSE streams: subscribers come from several clients.
    clients.push(wsClient(stack), wsClient(stack), wsClient(stack), sseClient(stack));
  });
  afterAll(async () => {
    for (const s of subs) s.dispose();
    for (const c of clients) await c.dispose();
    await stack?.close();
  });

  it("cost one read per certificate to start, then at most one upstream poll per certificate per interval, and nothing once they leave", async () => {
    const hub = stack.gateway.services.watch!;
    stack.cz.clearLog();
    for (let s = 0; s < SUBSCRIBERS; s++) {
      const client = clients[s % clients.length]!;
      subs.push(watch(client, `subscription($id: ID!) { certificateChanged(id: $id) { id state } }`, { id: ids[s % CERTIFICATES] }, "certificateChanged"));
    }
    await Promise.all(subs.map(s => s.untilCount(1)));
    for (const s of subs) expect(s.values()[0].state).toBe("PENDING_ISSUE");
    expect(hub.activeWatchers()).toBe(CERTIFICATES);
    expect(hub.activeSubscribers()).toBe(SUBSCRIBERS);

    // Subscribing: one read per certificate, shared by its ten subscribers (plus at most one poll since).
    const atStart = detailReadsByUuid(stack);
    for (const uuid of uuids) expect(atStart.get(uuid)?.length ?? 0).toBeLessThanOrEqual(2);

    // Polling: watch the request log until every certificate was polled three times.
    stack.cz.clearLog();
    const from = Date.now();
    await until(() => uuids.every(u => (detailReadsByUuid(stack).get(u)?.length ?? 0) >= 3));
    const elapsed = Date.now() - from;
    const reads = detailReadsByUuid(stack);
    const allowed = Math.floor(elapsed / INTERVAL_MS) + 1;
    for (const uuid of uuids) {
      const at = reads.get(uuid)!;
      expect(at.length).toBeLessThanOrEqual(allowed);
      // never two polls of one certificate close together (a second watcher would show gaps near zero)
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThan(INTERVAL_MS / 2);
    }
    // nothing but those polls reached Core
    expect(stack.cz.requests.length).toBe([...reads.values()].reduce((n, a) => n + a.length, 0));
    const metrics = await fetch(stack.gateway.url.replace(/\/graphql$/, "/metrics")).then(r => r.text());
    expect(metrics).toMatch(new RegExp(`^pki_graph_active_watchers ${CERTIFICATES}$`, "m"));
    expect(metrics).toMatch(new RegExp(`^pki_graph_watch_subscribers ${SUBSCRIBERS}$`, "m"));
    expect(metrics).toMatch(/^pki_graph_watch_polls_total\{backend="czertainly",outcome="ok"\} [1-9]\d*$/m);

    // Everyone leaves: the watchers stop, and so do the polls.
    for (const s of subs) s.dispose();
    await until(() => hub.activeWatchers() === 0 && hub.activeSubscribers() === 0);
    await sleep(INTERVAL_MS); // a poll already on the wire when the last one left may still land
    stack.cz.clearLog();
    await sleep(INTERVAL_MS * 4);
    expect(stack.cz.count("GET", /^\/api\/v1\/certificates\//)).toBe(0);
  });

  it("a change reaches all ten subscribers of a certificate from one poll", async () => {
    const hub = stack.gateway.services.watch!;
    const id = ids[0]!;
    const mine = Array.from({ length: 10 }, (_, s) =>
      watch(clients[s % clients.length]!, `subscription($id: ID!) { certificateChanged(id: $id) { state } }`, { id }, "certificateChanged"),
    );
    subs.push(...mine);
    await Promise.all(mine.map(s => s.untilCount(1)));
    expect(hub.activeWatchers()).toBe(1);
    stack.cz.clearLog();
    await stack.cz.completePending(uuids[0]!);
    await Promise.all(mine.map(s => s.completed));
    for (const s of mine) expect(s.values().map(v => v.state)).toEqual(["PENDING_ISSUE", "ISSUED"]);
    // one poll saw ISSUED for all ten (a poll may also have landed while Core was completing it)
    expect(stack.cz.count("GET", `/api/v1/certificates/${uuids[0]}`)).toBeLessThanOrEqual(2);
  });
});
