import { describe, expect, it } from "vitest";
import { IdempotencyStore } from "../../../src/services/idempotency.js";
import { decodeCursor, encodeCursor, readWindow } from "../../../src/domain/paging.js";

const data = Array.from({ length: 25 }, (_, i) => i);
function pagedSource() {
  const calls: [number, number][] = [];
  const read = async (page: number, size: number) => {
    calls.push([page, size]);
    return { items: data.slice((page - 1) * size, page * size), total: data.length };
  };
  return { read, calls };
}

describe("readWindow", () => {
  it("reads an aligned window with one call", async () => {
    const { read, calls } = pagedSource();
    const w = await readWindow(read, 10, 10);
    expect(w.items).toEqual(data.slice(10, 20));
    expect(w.hasMore).toBe(true);
    expect(calls).toEqual([[2, 10]]);
  });

  it("reads an unaligned window with two calls", async () => {
    const { read, calls } = pagedSource();
    const w = await readWindow(read, 7, 10);
    expect(w.items).toEqual(data.slice(7, 17));
    expect(calls).toEqual([
      [1, 10],
      [2, 10],
    ]);
  });

  it("says when the end is reached", async () => {
    const { read } = pagedSource();
    const w = await readWindow(read, 20, 10);
    expect(w.items).toEqual(data.slice(20));
    expect(w.hasMore).toBe(false);
    expect(w.total).toBe(25);
  });
});

describe("cursors", () => {
  it("round-trip and reject foreign strings", () => {
    expect(decodeCursor(encodeCursor({ backend: "HORIZON", offset: 40 }))).toEqual({ backend: "HORIZON", offset: 40 });
    expect(decodeCursor("garbage")).toBeUndefined();
    expect(decodeCursor(Buffer.from('["X",-1]').toString("base64url"))).toBeUndefined();
  });
});

describe("IdempotencyStore", () => {
  const scope = (key: string | undefined, input: unknown = { a: 1 }) => ({ principal: "p", mutation: "issue", key, input });

  it("runs concurrent identical calls once and replays the first result", async () => {
    const store = new IdempotencyStore();
    let runs = 0;
    // The first call stays in flight until all five were made (a gate, not a delay).
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    const action = async () => {
      runs++;
      await gate;
      return { value: runs, replayed: false };
    };
    const replay = (first: { value: number; replayed: boolean }) => ({ ...first, replayed: true });
    const calls = Array.from({ length: 5 }, () => store.run(scope("k1"), action, replay));
    release();
    const results = await Promise.all(calls);
    expect(runs).toBe(1);
    expect(results.filter(r => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map(r => r.value))).toEqual(new Set([1]));
  });

  it("refuses the same key with different input", async () => {
    const store = new IdempotencyStore();
    await store.run(
      scope("k2", { a: 1 }),
      async () => 1,
      x => x,
    );
    await expect(
      store.run(
        scope("k2", { a: 2 }),
        async () => 2,
        x => x,
      ),
    ).rejects.toMatchObject({
      extensions: { code: "IDEMPOTENCY_CONFLICT" },
    });
  });

  it("forgets a failed call so it can be retried, and ignores calls without a key", async () => {
    const store = new IdempotencyStore();
    await expect(
      store.run(
        scope("k3"),
        async () => Promise.reject(new Error("boom")),
        x => x,
      ),
    ).rejects.toThrow("boom");
    expect(
      await store.run(
        scope("k3"),
        async () => "ok",
        x => x,
      ),
    ).toBe("ok");
    let runs = 0;
    await store.run(
      scope(undefined),
      async () => ++runs,
      x => x,
    );
    await store.run(
      scope(undefined),
      async () => ++runs,
      x => x,
    );
    expect(runs).toBe(2);
  });

  it("never evicts a call that is still running, however many others complete meanwhile", async () => {
    const store = new IdempotencyStore(60_000, 2);
    const releases: ((v: string) => void)[] = [];
    let slowRuns = 0;
    const slow = () => {
      slowRuns++;
      return new Promise<string>(r => releases.push(r));
    };
    const first = store.run(scope("slow"), slow, x => `replayed ${x}`);
    for (const key of ["b", "c", "d", "e"])
      await store.run(
        scope(key),
        async () => key,
        x => x,
      );
    expect(store.size).toEqual({ done: 2, running: 1 });
    // A retry while the first call runs joins it instead of issuing a second time.
    const retry = store.run(scope("slow"), slow, x => `replayed ${x}`);
    for (const release of releases) release("issued");
    expect(await first).toBe("issued");
    expect(await retry).toBe("replayed issued");
    expect(slowRuns).toBe(1);
    expect(await store.run(scope("slow"), slow, x => `replayed ${x}`)).toBe("replayed issued");
    expect(slowRuns).toBe(1);
  });

  it("keeps at most maxEntries completed results, least recently used out first, each for ttlMs from its start", async () => {
    let now = 1_000;
    const store = new IdempotencyStore(10_000, 2, () => now);
    let runs = 0;
    const action = async () => ++runs;
    await store.run(scope("k1"), action, x => -x);
    await store.run(scope("k2"), action, x => -x);
    expect(await store.run(scope("k1"), action, x => -x)).toBe(-1); // k1 used: k2 is now the least recent
    await store.run(scope("k3"), action, x => -x);
    expect(store.size).toEqual({ done: 2, running: 0 });
    expect(await store.run(scope("k2"), action, x => -x)).toBe(4); // evicted: runs again
    now += 10_001;
    expect(await store.run(scope("k1"), action, x => -x)).toBe(5); // expired: runs again
    // The TTL counts from the start of the call, not its end.
    let done!: (v: number) => void;
    const slow = store.run(
      scope("k9"),
      () => new Promise<number>(r => (done = r)),
      x => -x,
    );
    now += 6_000;
    done(99);
    await slow;
    expect(await store.run(scope("k9"), action, x => -x)).toBe(-99);
    now += 4_001;
    expect(await store.run(scope("k9"), action, x => -x)).toBe(6);
  });
});
