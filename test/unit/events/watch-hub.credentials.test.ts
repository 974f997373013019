/**
 * The watch hub with forwarded credentials: a subscriber hears nothing before the backend accepted its own
 * credentials for the object, and nothing after the backend refused them; a refusal ends only the
 * subscribers with those credentials. The fake backend answers per credential, and can hold one caller's
 * read (a deferred promise) while other callers' events flow, which is the window issue 12 leaked through.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { toGlobalId } from "../../../src/domain/ids.js";
import { certificateEvent, goneEvent, watchTarget, type StateReader, type WatchTarget } from "../../../src/events/state-events.js";
import { WatchHub, type WatchItem, type WatchStream } from "../../../src/events/watch-hub.js";
import { Certificate, type CertificateRecord } from "../../../src/model/certificate.type.js";
import { Backend, CertificateState } from "../../../src/model/enums.js";
import type { CallerCredentials } from "../../../src/server/credentials.js";
import { UpstreamError } from "../../../src/backends/upstream-error.js";

const INTERVAL = 1000;

/** A caller with its own forwarded client certificate (what CZERTAINLY_CREDENTIALS=forward gives). */
const caller = (name: string): CallerCredentials => ({ czertainly: { "ssl-client-cert": `cert-of-${name}` }, horizon: {}, principal: name });
const whoOf = (creds: CallerCredentials) => String((creds.czertainly as Record<string, string>)["ssl-client-cert"]).replace("cert-of-", "");

const record = (id: string, state: CertificateState): CertificateRecord => ({
  id,
  backend: Backend.CZERTAINLY,
  backendId: id,
  state,
  groups: [],
  labels: [],
});
const target = (n: number): WatchTarget => watchTarget("certificate", toGlobalId("Certificate", Backend.CZERTAINLY, `cred-uuid-${n}`));

type Verdict = "ok" | "unauthorized" | "forbidden" | "gone";

interface Deferred {
  promise: Promise<void>;
  release(): void;
}
const deferred = (): Deferred => {
  let release!: () => void;
  const promise = new Promise<void>(r => (release = r));
  return { promise, release };
};

/** A backend whose answer depends on who asks; one caller's next read can be held until the test lets it go. */
function fakeBackend() {
  const states = new Map<string, CertificateState>();
  const verdicts = new Map<string, Verdict>();
  const holds = new Map<string, Deferred>();
  const reads: { id: string; who: string; at: number }[] = [];
  const read: StateReader = async (t, creds) => {
    const who = whoOf(creds);
    const at = Date.now();
    reads.push({ id: t.id, who, at });
    const hold = holds.get(who);
    if (hold) {
      holds.delete(who);
      await hold.promise;
    }
    await Promise.resolve();
    const verdict = verdicts.get(who) ?? "ok";
    if (verdict === "unauthorized") throw new UpstreamError("czertainly", "unauthorized", "getCertificate", "401", { status: 401 });
    if (verdict === "forbidden") throw new UpstreamError("czertainly", "forbidden", "getCertificate", "403", { status: 403 });
    if (verdict === "gone") return goneEvent(t, "read", at);
    return certificateEvent(record(t.id, states.get(t.id) ?? CertificateState.PENDING_ISSUE), "read", at);
  };
  return {
    states,
    verdicts,
    reads,
    read,
    /** Holds `who`'s next read (after it is logged in `reads`) until `release()`. */
    hold(who: string) {
      const d = deferred();
      holds.set(who, d);
      return d;
    },
    readsBy: (who: string) => reads.filter(r => r.who === who),
  };
}

function collect(stream: WatchStream) {
  const items: WatchItem[] = [];
  let ended = false;
  const done = (async () => {
    for await (const item of stream) items.push(item);
    ended = true;
  })();
  return {
    items,
    states: () => items.map(i => (i.ok ? i.event.state : `ERROR:${(i.error as UpstreamError).kind}`)),
    get ended() {
      return ended;
    },
    done,
  };
}

describe("WatchHub with per-caller credentials", () => {
  let backend: ReturnType<typeof fakeBackend>;
  let hub: WatchHub;
  const publish = (t: WatchTarget, state: CertificateState) => hub.publishCertificate(new Certificate(record(t.id, state)));

  beforeEach(() => {
    vi.useFakeTimers();
    backend = fakeBackend();
    hub = new WatchHub({ read: backend.read, intervalMs: INTERVAL, maxPollsPerSecond: 1000, random: () => 0.5 });
  });
  afterEach(async () => {
    await hub.close();
    vi.useRealTimers();
  });

  for (const verdict of ["unauthorized", "forbidden"] as const) {
    it(`a subscriber whose own first read is under way hears none of another's events, then gets ${verdict} and is ended`, async () => {
      const t = target(1);
      const good = collect(hub.watch([t], caller("alice")));
      await vi.advanceTimersByTimeAsync(0);
      expect(good.states()).toEqual(["PENDING_ISSUE"]);

      backend.verdicts.set("mallory", verdict);
      const held = backend.hold("mallory");
      const bad = collect(hub.watch([t], caller("mallory")));
      await vi.advanceTimersByTimeAsync(0);
      expect(backend.readsBy("mallory")).toHaveLength(1); // its read reached the backend and waits there

      // While it waits: a mutation's state and a polled change, both delivered to alice.
      publish(t, CertificateState.PENDING_REVOKE);
      backend.states.set(t.id, CertificateState.REVOKED);
      await vi.advanceTimersByTimeAsync(INTERVAL * 3);
      expect(good.states()).toEqual(["PENDING_ISSUE", "PENDING_REVOKE", "REVOKED"]);
      await good.done;
      expect(bad.items).toEqual([]);

      held.release();
      await bad.done;
      expect(bad.states()).toEqual([`ERROR:${verdict}`]);
      expect(hub.activeSubscribers()).toBe(0);
      expect(hub.activeWatchers()).toBe(0);
    });
  }

  it("a waiting query with refused credentials is not answered by another caller's change: it fails with the refusal", async () => {
    const t = target(2);
    const good = collect(hub.watch([t], caller("alice")));
    await vi.advanceTimersByTimeAsync(0);
    backend.verdicts.set("mallory", "unauthorized");
    const held = backend.hold("mallory");
    let settled: unknown;
    const waiting = hub.waitForChange(t, caller("mallory"), "PENDING_ISSUE", 30_000).then(
      e => (settled = e),
      e => (settled = e),
    );
    await vi.advanceTimersByTimeAsync(0);
    publish(t, CertificateState.ISSUED);
    await good.done;
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBeUndefined();
    held.release();
    await waiting;
    expect(settled).toBeInstanceOf(UpstreamError);
    expect((settled as UpstreamError).kind).toBe("unauthorized");
  });

  it("polls take the callers' credentials in turn (one poll per interval), and a refused poll ends only that caller's subscribers", async () => {
    const t = target(3);
    const alice = collect(hub.watch([t], caller("alice")));
    const alice2 = collect(hub.watch([t], caller("alice")));
    const bob = collect(hub.watch([t], caller("bob")));
    await vi.advanceTimersByTimeAsync(0);
    expect(bob.states()).toEqual(["PENDING_ISSUE"]);
    const start = Date.now();
    await vi.advanceTimersByTimeAsync(INTERVAL * 6);
    const polls = backend.reads.filter(r => r.at > start);
    expect(polls.length).toBeGreaterThanOrEqual(2);
    // both callers' credentials are checked again, one after the other, never two polls within an interval
    expect(
      polls
        .slice(0, 2)
        .map(p => p.who)
        .sort(),
    ).toEqual(["alice", "bob"]);
    for (let i = 1; i < polls.length; i++) expect(polls[i]!.who).not.toBe(polls[i - 1]!.who);
    for (let i = 1; i < polls.length; i++) expect(polls[i]!.at - polls[i - 1]!.at).toBeGreaterThanOrEqual(INTERVAL);

    // bob's access is withdrawn: at his next turn his watch ends with FORBIDDEN; alice's go on
    backend.verdicts.set("bob", "forbidden");
    for (let i = 0; i < 20 && !bob.ended; i++) await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(bob.states()).toEqual(["PENDING_ISSUE", "ERROR:forbidden"]);
    expect(hub.activeWatchers()).toBe(1);
    publish(t, CertificateState.ISSUED);
    await Promise.all([alice.done, alice2.done]);
    expect(alice.states()).toEqual(["PENDING_ISSUE", "ISSUED"]);
    expect(alice2.states()).toEqual(["PENDING_ISSUE", "ISSUED"]);
    expect(bob.states()).toEqual(["PENDING_ISSUE", "ERROR:forbidden"]);
  });

  it("a refusal seen by any read with those credentials (a query's current()) ends that caller's watch at once", async () => {
    const t = target(4);
    const alice = collect(hub.watch([t], caller("alice")));
    const bob = collect(hub.watch([t], caller("bob")));
    await vi.advanceTimersByTimeAsync(0);
    backend.verdicts.set("bob", "unauthorized");
    // past the interval (bob's remembered state is stale) and before the first poll (interval + 10 % jitter)
    await vi.advanceTimersByTimeAsync(INTERVAL + 10);
    expect(backend.reads).toHaveLength(2);
    await expect(hub.current(t, caller("bob"))).rejects.toMatchObject({ kind: "unauthorized" });
    await vi.advanceTimersByTimeAsync(0);
    expect(bob.ended).toBe(true);
    expect(bob.states()).toEqual(["PENDING_ISSUE", "ERROR:unauthorized"]);
    expect(alice.ended).toBe(false);
    publish(t, CertificateState.ISSUED);
    await alice.done;
    expect(alice.states()).toEqual(["PENDING_ISSUE", "ISSUED"]);
  });

  it("'not found' for one caller ends that caller's watch only, while others still see the object", async () => {
    const t = target(5);
    const alice = collect(hub.watch([t], caller("alice")));
    const bob = collect(hub.watch([t], caller("bob")));
    await vi.advanceTimersByTimeAsync(0);
    backend.verdicts.set("bob", "gone");
    for (let i = 0; i < 20 && !bob.ended; i++) await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(bob.items.map(i => i.ok && i.event.gone)).toEqual([false, true]);
    expect(alice.ended).toBe(false);
    expect(hub.activeWatchers()).toBe(1);
    // and a newcomer told "not found" by its own first read never gets alice's state instead
    backend.verdicts.set("carol", "gone");
    const carol = collect(hub.watch([t], caller("carol")));
    await carol.done;
    expect(carol.items.map(i => i.ok && i.event.gone)).toEqual([true]);
    publish(t, CertificateState.ISSUED);
    await alice.done;
    expect(alice.states()).toEqual(["PENDING_ISSUE", "ISSUED"]);
  });

  it("a subscriber accepted after the object became final gets the final state and ends (no watch left hanging)", async () => {
    const t = target(6);
    const alice = collect(hub.watch([t], caller("alice")));
    await vi.advanceTimersByTimeAsync(0);
    const held = backend.hold("bob");
    const bob = collect(hub.watch([t], caller("bob")));
    await vi.advanceTimersByTimeAsync(0);
    publish(t, CertificateState.ISSUED);
    await alice.done;
    expect(bob.items).toEqual([]);
    held.release(); // bob's read started before the change: it answers the older state
    await bob.done;
    expect(bob.states()).toEqual(["ISSUED"]);
    expect(hub.activeWatchers()).toBe(0);
    expect(hub.activeSubscribers()).toBe(0);
  });

  it("a subscriber that leaves while its first read is under way lets the watcher go", async () => {
    const t = target(7);
    const held = backend.hold("bob");
    const stream = hub.watch([t], caller("bob"));
    await vi.advanceTimersByTimeAsync(0);
    expect(hub.activeWatchers()).toBe(1);
    await stream.return();
    expect(hub.activeWatchers()).toBe(0);
    held.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(hub.activeWatchers()).toBe(0);
    const reads = backend.reads.length;
    await vi.advanceTimersByTimeAsync(INTERVAL * 10);
    expect(backend.reads.length).toBe(reads);
  });
});
