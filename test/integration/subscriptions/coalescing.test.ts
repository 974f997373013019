/**
 * Coalescing and polling at scale, over real WebSocket and SSE clients. The watch hub runs on a manual clock
 * (its timers stay real): a poll falls due only when the test moves the clock, so "one read per certificate
 * per interval" is counted in rounds of hub time, not guessed from wall-clock time on a loaded machine.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromGlobalId } from "../../../src/domain/ids.js";
import { manualClock } from "../../support/clock.js";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { detailReadsByUuid, sseClient, until, watch, wsClient, type StreamingClient, type Watched } from "./support.js";

const INTERVAL_MS = 250;
/** The hub's longest backoff for this interval (8 ×): after this much hub time every watcher is due. */
const MAX_INTERVAL_MS = 8 * INTERVAL_MS;
const CERTIFICATES = 20;
const SUBSCRIBERS = 200;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Background polls of CZERTAINLY objects the gateway completed (`pki_graph_watch_polls_total`, both outcomes). */
async function pollsDone(stack: TestStack): Promise<number> {
  const text = await fetch(stack.gateway.url.replace(/\/graphql$/, "/metrics")).then(r => r.text());
  let n = 0;
  for (const m of text.matchAll(/^pki_graph_watch_polls_total\{backend="czertainly",outcome="\w+"\} (\d+)$/gm)) n += Number(m[1]);
  return n;
}

describe("200 subscribers on 20 pending certificates", () => {
  const clock = manualClock();
  let stack: TestStack;
  const clients: StreamingClient[] = [];
  const uuids: string[] = [];
  const ids: string[] = [];
  /** A pending certificate of the second test's own (the tests run in any order). */
  let other: { id: string; uuid: string };
  const subs: Watched[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ WATCH_INTERVAL_MS: String(INTERVAL_MS), MAX_POLLS_PER_SECOND: "1000", RATE_LIMIT_PER_MINUTE: "0" }, undefined, {
      now: clock.now,
    });
    const profiles = (await stack.gql(`{ raProfiles { id name } }`)).data.raProfiles as { id: string; name: string }[];
    const asyncProfile = profiles.find(p => p.name === "async-profile")!.id;
    for (let i = 0; i <= CERTIFICATES; i++) {
      const { pem } = await makeCsr(`coalesce-${i}.watch.example`);
      const res = await stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { certificate { id state } } }`, {
        i: { raProfileId: asyncProfile, csr: pem },
      });
      expect(res.data.issue.certificate.state).toBe("PENDING_ISSUE");
      const id = res.data.issue.certificate.id as string;
      if (i === CERTIFICATES) other = { id, uuid: fromGlobalId(id).backendId };
      else {
        ids.push(id);
        uuids.push(fromGlobalId(id).backendId);
      }
    }
    // Three WebSocket connections and SSE streams: subscribers come from several clients.
    clients.push(wsClient(stack), wsClient(stack), wsClient(stack), sseClient(stack));
  }, 180_000); // 21 issuances and a stack: a bound for a heavily loaded machine, not an assertion
  afterAll(async () => {
    for (const s of subs) s.dispose();
    for (const c of clients) await c.dispose();
    await stack?.close();
  });

  it("cost one read per certificate to start, then at most one upstream poll per certificate per interval, and nothing once they leave", async () => {
    const hub = stack.gateway.services.watch!;
    stack.cz.clearLog();
    const mine: Watched[] = [];
    for (let s = 0; s < SUBSCRIBERS; s++) {
      const client = clients[s % clients.length]!;
      mine.push(
        watch(client, `subscription($id: ID!) { certificateChanged(id: $id) { id state } }`, { id: ids[s % CERTIFICATES] }, "certificateChanged"),
      );
    }
    subs.push(...mine);
    await Promise.all(mine.map(s => s.untilCount(1)));
    for (const s of mine) expect(s.values()[0].state).toBe("PENDING_ISSUE");
    expect(hub.activeWatchers()).toBe(CERTIFICATES);
    expect(hub.activeSubscribers()).toBe(SUBSCRIBERS);

    // Subscribing: one read per certificate, shared by its ten subscribers, however long they took to arrive
    // (no interval passed on the hub's clock, so no poll was due either).
    const atStart = detailReadsByUuid(stack);
    for (const uuid of uuids) expect(atStart.get(uuid)?.length ?? 0).toBe(1);

    // Polling: each round moves the hub's clock past every watcher's delay, then waits until every certificate
    // was polled once more (on the request log) and every poll was answered (the gateway's poll counter: a poll
    // still on the wire when the clock moves again would learn its state "later" and not be due yet).
    // Never twice in a round: polls of one certificate are at least an interval apart on the hub's clock
    // (a second watcher, or a poll that ignores the delay, shows here).
    stack.cz.clearLog();
    const pollsBefore = await pollsDone(stack);
    for (let round = 1; round <= 3; round++) {
      clock.advance(MAX_INTERVAL_MS);
      await until(() => uuids.every(u => (detailReadsByUuid(stack).get(u)?.length ?? 0) >= round));
      while ((await pollsDone(stack)) - pollsBefore < round * CERTIFICATES) await sleep(20);
      const reads = detailReadsByUuid(stack);
      for (const uuid of uuids) expect(reads.get(uuid)!.length).toBe(round);
    }
    expect((await pollsDone(stack)) - pollsBefore).toBe(3 * CERTIFICATES);
    const reads = detailReadsByUuid(stack);
    // nothing but those polls reached Core
    expect(stack.cz.requests.length).toBe([...reads.values()].reduce((n, a) => n + a.length, 0));
    const metrics = await fetch(stack.gateway.url.replace(/\/graphql$/, "/metrics")).then(r => r.text());
    expect(metrics).toMatch(new RegExp(`^pki_graph_active_watchers ${CERTIFICATES}$`, "m"));
    expect(metrics).toMatch(new RegExp(`^pki_graph_watch_subscribers ${SUBSCRIBERS}$`, "m"));
    expect(metrics).toMatch(/^pki_graph_watch_polls_total\{backend="czertainly",outcome="ok"\} [1-9]\d*$/m);

    // Everyone leaves: the watchers stop, and so do the polls. Every poll of round 3 is already in the log and
    // no other one was due, so nothing is on the wire now; after the clock moves again, a watcher left running
    // would poll within its longest real delay. (A wait for something that must not happen: load can only
    // hide a bug here, never fail a correct hub.)
    for (const s of mine) s.dispose();
    await until(() => hub.activeWatchers() === 0 && hub.activeSubscribers() === 0);
    stack.cz.clearLog();
    clock.advance(MAX_INTERVAL_MS);
    await sleep(MAX_INTERVAL_MS * 1.25);
    expect(stack.cz.count("GET", /^\/api\/v1\/certificates\//)).toBe(0);
  }, 180_000); // 200 subscriptions over real connections: a bound for a heavily loaded machine, not an assertion

  it("a change reaches all ten subscribers of a certificate from one poll", async () => {
    const hub = stack.gateway.services.watch!;
    const mine = Array.from({ length: 10 }, (_, s) =>
      watch(clients[s % clients.length]!, `subscription($id: ID!) { certificateChanged(id: $id) { state } }`, { id: other.id }, "certificateChanged"),
    );
    subs.push(...mine);
    await Promise.all(mine.map(s => s.untilCount(1)));
    expect(hub.activeWatchers()).toBe(1);
    stack.cz.clearLog();
    await stack.cz.completePending(other.uuid);
    clock.advance(MAX_INTERVAL_MS); // the next poll falls due
    await Promise.all(mine.map(s => s.completed));
    for (const s of mine) expect(s.values().map(v => v.state)).toEqual(["PENDING_ISSUE", "ISSUED"]);
    // one poll saw ISSUED for all ten (no poll was due before the clock moved)
    expect(stack.cz.count("GET", `/api/v1/certificates/${other.uuid}`)).toBe(1);
  });
});
