import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { toGlobalId } from "../../../src/domain/ids.js";
import { InMemoryStateBus, type StateEvent } from "../../../src/events/state-bus.js";
import { certificateEvent, goneEvent, watchTarget, type StateReader, type WatchTarget } from "../../../src/events/state-events.js";
import { WatchHub, type WatchItem, type WatchStream } from "../../../src/events/watch-hub.js";
import { Certificate, type CertificateRecord } from "../../../src/model/certificate.type.js";
import { Backend, CertificateState } from "../../../src/model/enums.js";
import type { CallerCredentials } from "../../../src/backends/credentials.js";

const creds: CallerCredentials = { czertainly: {}, horizon: {}, principal: "test" };
const INTERVAL = 1000;

const record = (id: string, state: CertificateState): CertificateRecord => ({
  id,
  backend: Backend.CZERTAINLY,
  backendId: id,
  state,
  groups: [],
  labels: [],
});

/** A backend whose states the test sets, logging every read (what the emulators' request logs do for real). */
function fakeBackend() {
  const states = new Map<string, CertificateState | "GONE">();
  const reads: { id: string; at: number }[] = [];
  let failing = false;
  const read: StateReader = async target => {
    const at = Date.now();
    reads.push({ id: target.id, at });
    await Promise.resolve();
    if (failing) throw new Error("backend down");
    const state = states.get(target.id) ?? CertificateState.PENDING_ISSUE;
    if (state === "GONE") return goneEvent(target, "read", at);
    return certificateEvent(record(target.id, state), "read", at);
  };
  return {
    states,
    reads,
    read,
    fail(on: boolean) {
      failing = on;
    },
    readsOf: (id: string) => reads.filter(r => r.id === id),
  };
}

const target = (n: number): WatchTarget => watchTarget("certificate", toGlobalId("Certificate", Backend.CZERTAINLY, `uuid-${n}`));

/** Collects a stream's items in the background. */
function collect(stream: WatchStream) {
  const items: WatchItem[] = [];
  let ended = false;
  const done = (async () => {
    for await (const item of stream) items.push(item);
    ended = true;
  })();
  return {
    items,
    states: () => items.map(i => (i.ok ? i.event.state : "ERROR")),
    get ended() {
      return ended;
    },
    done,
  };
}

describe("WatchHub", () => {
  let backend: ReturnType<typeof fakeBackend>;
  let hub: WatchHub;
  const makeHub = (extra: Partial<ConstructorParameters<typeof WatchHub>[0]> = {}) =>
    new WatchHub({ read: backend.read, intervalMs: INTERVAL, maxPollsPerSecond: 1000, random: () => 0.5, ...extra });

  beforeEach(() => {
    vi.useFakeTimers();
    backend = fakeBackend();
    hub = makeHub();
  });
  afterEach(async () => {
    await hub.close();
    vi.useRealTimers();
  });

  it("runs one watcher per object for any number of subscribers, and reads each object once at subscribe time", async () => {
    const streams = [];
    for (let s = 0; s < 50; s++) streams.push(collect(hub.watch([target(s % 5)], creds)));
    await vi.advanceTimersByTimeAsync(0);
    expect(hub.activeWatchers()).toBe(5);
    expect(hub.activeSubscribers()).toBe(50);
    expect(backend.reads).toHaveLength(5);
    for (const s of streams) expect(s.states()).toEqual(["PENDING_ISSUE"]);
  });

  it("polls at most once per interval per object, backing off with jitter that only ever adds", async () => {
    hub = makeHub({ random: () => 0.999 });
    for (let s = 0; s < 20; s++) collect(hub.watch([target(0)], creds));
    await vi.advanceTimersByTimeAsync(60_000);
    const at = backend.readsOf(target(0).id).map(r => r.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps.length).toBeGreaterThan(3);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(INTERVAL);
    // unchanged state: each gap at least the one before (×1.5 up to the cap), never past cap + jitter
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]! - 1);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(8 * INTERVAL * 1.2 + 1);
    expect(gaps[gaps.length - 1]!).toBeGreaterThan(4 * INTERVAL);
  });

  it("pushes a polled change, completes every subscriber on a final state, and stops polling", async () => {
    const a = collect(hub.watch([target(1)], creds));
    const b = collect(hub.watch([target(1)], creds));
    await vi.advanceTimersByTimeAsync(0);
    backend.states.set(target(1).id, CertificateState.ISSUED);
    await vi.advanceTimersByTimeAsync(INTERVAL * 2);
    await Promise.all([a.done, b.done]);
    expect(a.states()).toEqual(["PENDING_ISSUE", "ISSUED"]);
    expect(b.states()).toEqual(["PENDING_ISSUE", "ISSUED"]);
    expect(hub.activeWatchers()).toBe(0);
    const reads = backend.reads.length;
    await vi.advanceTimersByTimeAsync(INTERVAL * 20);
    expect(backend.reads.length).toBe(reads);
  });

  it("stops the watcher when the last subscriber leaves, even while it waits for the next state", async () => {
    const stream = hub.watch([target(2)], creds);
    const first = await stream.next();
    expect(first.value).toMatchObject({ ok: true, event: { state: "PENDING_ISSUE" } });
    const pending = stream.next(); // waits
    await stream.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(hub.activeWatchers()).toBe(0);
    expect(hub.activeSubscribers()).toBe(0);
    const reads = backend.reads.length;
    await vi.advanceTimersByTimeAsync(INTERVAL * 10);
    expect(backend.reads.length).toBe(reads);
  });

  it("caps background polls per backend with a token bucket", async () => {
    hub = makeHub({ maxPollsPerSecond: 5 });
    for (let n = 0; n < 40; n++) collect(hub.watch([target(n)], creds));
    await vi.advanceTimersByTimeAsync(0);
    expect(backend.reads).toHaveLength(40); // subscribe-time reads are not background polls
    const start = Date.now();
    await vi.advanceTimersByTimeAsync(10_000);
    const polls = backend.reads.filter(r => r.at > start);
    // 5 per second plus the initial burst of 5 tokens
    expect(polls.length).toBeGreaterThan(0);
    expect(polls.length).toBeLessThanOrEqual(5 * 10 + 5);
    // spread evenly: never more than burst + rate in any one second
    for (let t = start; t < start + 10_000; t += 1000) {
      expect(polls.filter(r => r.at >= t && r.at < t + 1000).length).toBeLessThanOrEqual(10);
    }
  });

  it("pushes a state a mutation published at once, without a read, and ignores an older poll answer", async () => {
    const stream = collect(hub.watch([target(3)], creds));
    await vi.advanceTimersByTimeAsync(0);
    const reads = backend.reads.length;
    hub.publishCertificate(new Certificate(record(target(3).id, CertificateState.ISSUED)));
    await vi.advanceTimersByTimeAsync(0);
    await stream.done;
    expect(stream.states()).toEqual(["PENDING_ISSUE", "ISSUED"]);
    expect(backend.reads.length).toBe(reads);
  });

  it("orders states by when they were observed: a read that started before a published change does not undo it", async () => {
    let release!: () => void;
    const slow: StateReader = async t => {
      const at = Date.now();
      await new Promise<void>(r => (release = r));
      return certificateEvent(record(t.id, CertificateState.PENDING_REVOKE), "read", at);
    };
    hub = makeHub({ read: slow });
    const stream = collect(hub.watch([target(4)], creds));
    await vi.advanceTimersByTimeAsync(5);
    // while the first read is in flight, a mutation moved the certificate on
    hub.publishCertificate(new Certificate(record(target(4).id, CertificateState.REVOKED)));
    release();
    await vi.advanceTimersByTimeAsync(0);
    await stream.done;
    expect(stream.states()).toEqual(["REVOKED"]);
  });

  it("serves a state learned less than an interval ago without a read", async () => {
    collect(hub.watch([target(5)], creds));
    await vi.advanceTimersByTimeAsync(0);
    const reads = backend.reads.length;
    const again = await hub.current(target(5), creds);
    expect(again.state).toBe("PENDING_ISSUE");
    expect(backend.reads.length).toBe(reads);
    // another caller's forwarded credentials never get it
    await hub.current(target(5), { ...creds, czertainly: { "ssl-client-cert": "other" } });
    expect(backend.reads.length).toBe(reads + 1);
  });

  it("watches several objects in one stream and completes when all are final", async () => {
    const stream = collect(hub.watch([target(6), target(7)], creds));
    await vi.advanceTimersByTimeAsync(0);
    hub.publishCertificate(new Certificate(record(target(6).id, CertificateState.ISSUED)));
    await vi.advanceTimersByTimeAsync(0);
    expect(stream.ended).toBe(false);
    expect(hub.activeWatchers()).toBe(1);
    hub.publishCertificate(new Certificate(record(target(7).id, CertificateState.FAILED)));
    await stream.done;
    expect(stream.items.map(i => (i.ok ? `${i.id === target(6).id ? 6 : 7}:${i.event.state}` : "x"))).toEqual([
      "6:PENDING_ISSUE",
      "7:PENDING_ISSUE",
      "6:ISSUED",
      "7:FAILED",
    ]);
  });

  it("keeps watching through backend errors (backing off), and ends with an error when the first read fails", async () => {
    const stream = collect(hub.watch([target(8)], creds));
    await vi.advanceTimersByTimeAsync(0);
    backend.fail(true);
    await vi.advanceTimersByTimeAsync(INTERVAL * 5);
    expect(stream.ended).toBe(false);
    backend.fail(false);
    backend.states.set(target(8).id, CertificateState.ISSUED);
    await vi.advanceTimersByTimeAsync(INTERVAL * 20);
    await stream.done;
    expect(stream.states()).toEqual(["PENDING_ISSUE", "ISSUED"]);

    backend.fail(true);
    const failing = collect(hub.watch([target(9)], creds));
    await vi.advanceTimersByTimeAsync(0);
    await failing.done;
    expect(failing.states()).toEqual(["ERROR"]);
    expect(hub.activeWatchers()).toBe(0);
  });

  it("ends the watch when the object is gone", async () => {
    const stream = collect(hub.watch([target(10)], creds));
    await vi.advanceTimersByTimeAsync(0);
    backend.states.set(target(10).id, "GONE");
    await vi.advanceTimersByTimeAsync(INTERVAL * 3);
    await stream.done;
    expect(stream.items.map(i => i.ok && i.event.gone)).toEqual([false, true]);
  });

  describe("waitForChange", () => {
    it("answers at once when the state already differs from the one the caller knows", async () => {
      const e = await hub.waitForChange(target(11), creds, "PENDING_REVOKE", 30_000);
      expect(e.state).toBe("PENDING_ISSUE");
    });

    it("answers the current state at once without a known state", async () => {
      const e = await hub.waitForChange(target(11), creds, undefined, 30_000);
      expect(e.state).toBe("PENDING_ISSUE");
      expect(hub.activeWatchers()).toBe(0);
    });

    it("waits for the change, then lets the watcher go", async () => {
      const waiting = hub.waitForChange(target(12), creds, "PENDING_ISSUE", 30_000);
      await vi.advanceTimersByTimeAsync(INTERVAL);
      hub.publishCertificate(new Certificate(record(target(12).id, CertificateState.ISSUED)));
      expect((await waiting).state).toBe("ISSUED");
      expect(hub.activeWatchers()).toBe(0);
    });

    it("answers the unchanged state after the timeout", async () => {
      let settled: StateEvent | undefined;
      void hub.waitForChange(target(13), creds, "PENDING_ISSUE", 5000).then(e => (settled = e));
      await vi.advanceTimersByTimeAsync(4000);
      expect(settled).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1001);
      expect(settled?.state).toBe("PENDING_ISSUE");
      expect(hub.activeWatchers()).toBe(0);
    });
  });

  it("shares the work between instances on one bus: one of them polls, all of them deliver", async () => {
    const bus = new InMemoryStateBus();
    const a = makeHub({ bus, instanceId: "a" });
    const b = makeHub({ bus, instanceId: "b" });
    try {
      const onA = collect(a.watch([target(14)], creds));
      const onB = collect(b.watch([target(14)], creds));
      await vi.advanceTimersByTimeAsync(0);
      const start = Date.now();
      await vi.advanceTimersByTimeAsync(INTERVAL * 10);
      const polls = backend.readsOf(target(14).id).filter(r => r.at > start);
      const gaps = polls.slice(1).map((p, i) => p.at - polls[i]!.at);
      for (const g of gaps) expect(g).toBeGreaterThanOrEqual(INTERVAL);
      // a change seen by either instance reaches both
      a.publishCertificate(new Certificate(record(target(14).id, CertificateState.ISSUED)));
      await Promise.all([onA.done, onB.done]);
      expect(onA.states()).toEqual(["PENDING_ISSUE", "ISSUED"]);
      expect(onB.states()).toEqual(["PENDING_ISSUE", "ISSUED"]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("ends every stream on close", async () => {
    const stream = collect(hub.watch([target(15)], creds));
    await vi.advanceTimersByTimeAsync(0);
    await hub.close();
    await stream.done;
    expect(hub.activeWatchers()).toBe(0);
  });
});
