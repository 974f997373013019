import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { ErrorCode } from "../errors/error-codes.js";
import { gatewayError } from "../errors/gateway-error.js";

interface Entry {
  inputHash: string;
  result: Promise<unknown>;
}

/**
 * Remembers mutations by (caller, mutation, idempotency key). A retry, or a concurrent identical call,
 * gets the first call's promise, so the backend is asked once. A failed call is forgotten so it can be retried.
 * In-memory: several gateway instances need a shared store (see README).
 *
 * A call still running is never evicted (evicting it would let a retry run the mutation a second time):
 * it sits in `running`, which holds only the calls in progress — bounded by the requests in flight, each
 * bounded by the upstream timeout. When it succeeds it moves to `done`, a bounded cache (least recently used
 * first out) whose entries live `ttlMs` from the start of the call.
 */
export class IdempotencyStore {
  private readonly running = new Map<string, Entry & { startedAt: number }>();
  private readonly done: LRUCache<string, Entry>;

  constructor(
    private readonly ttlMs = 24 * 3600_000,
    maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {
    this.done = new LRUCache({ max: maxEntries, ttl: ttlMs, ttlResolution: 0, perf: { now } });
  }

  /** Completed results remembered, and calls in progress. */
  get size(): { done: number; running: number } {
    return { done: this.done.size, running: this.running.size };
  }

  /**
   * Runs `action` once per key. `replay` turns the stored result into what a replay returns
   * (e.g. without a PKCS#12 that must be delivered only once).
   */
  async run<T>(
    scope: { principal: string; mutation: string; key?: string; input: unknown },
    action: () => Promise<T>,
    replay: (first: T) => T,
  ): Promise<T> {
    if (!scope.key) return action();
    const id = `${scope.principal}\u0000${scope.mutation}\u0000${scope.key}`;
    const inputHash = createHash("sha256").update(stableJson(scope.input)).digest("hex");
    const existing = this.running.get(id) ?? this.done.get(id);
    if (existing) {
      if (existing.inputHash !== inputHash) {
        throw gatewayError(ErrorCode.IdempotencyConflict, "This idempotency key was already used with different input");
      }
      return replay((await existing.result) as T);
    }
    const entry = { inputHash, result: action(), startedAt: this.now() };
    this.running.set(id, entry);
    entry.result.then(
      () => {
        this.running.delete(id);
        const left = entry.startedAt + this.ttlMs - this.now();
        if (left > 0) this.done.set(id, { inputHash, result: entry.result }, { ttl: left });
      },
      () => this.running.delete(id),
    );
    return entry.result as Promise<T>;
  }
}

/** JSON with sorted keys, so equal inputs hash equally whatever the key order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
