import { createHash } from "node:crypto";
import { ErrorCode } from "../errors/error-codes.js";
import { gatewayError } from "../errors/gateway-error.js";

interface Entry {
  inputHash: string;
  result: Promise<unknown>;
  expiresAt: number;
}

/**
 * Remembers mutations by (caller, mutation, idempotency key). A retry, or a concurrent identical call,
 * gets the first call's promise, so the backend is asked once. A failed call is forgotten so it can be retried.
 * In-memory: several gateway instances need a shared store (see README).
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 24 * 3600_000,
    private readonly maxEntries = 50_000,
  ) {}

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
    this.evictExpired();
    const existing = this.entries.get(id);
    if (existing) {
      if (existing.inputHash !== inputHash) {
        throw gatewayError(ErrorCode.IdempotencyConflict, "This idempotency key was already used with different input");
      }
      return replay((await existing.result) as T);
    }
    const result = action();
    this.entries.set(id, { inputHash, result, expiresAt: Date.now() + this.ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    result.catch(() => this.entries.delete(id));
    return result;
  }

  private evictExpired(): void {
    const now = Date.now();
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now) break; // insertion order = expiry order
      this.entries.delete(id);
    }
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
