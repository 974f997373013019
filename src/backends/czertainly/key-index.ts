import { LRUCache } from "lru-cache";

/**
 * Which managed key each CZERTAINLY certificate has, remembered across requests for a while.
 *
 * Core's list items carry no key reference and Core 2.18 has no many-at-once detail endpoint
 * (only GET /v1/certificates/{uuid} carries the key), so `key` on a page of N certificates costs N detail calls.
 * A certificate gets its key when it is requested and keeps it, so the answer may be remembered:
 * with this index, later pages cost the key lookups only. Entries are per caller scope (a caller
 * never learns through it what its own credentials did not show it) and expire after `ttlMs`.
 */
export class CertificateKeyIndex {
  /** Least recently used entries go first when full; `ttlResolution: 0` reads the clock on every lookup. */
  private readonly entries: LRUCache<string, { keyUuid: string | null }> | undefined;

  constructor(
    private readonly ttlMs: number,
    maxEntries = 50_000,
    now: () => number = Date.now,
  ) {
    this.entries = ttlMs > 0 ? new LRUCache({ max: maxEntries, ttl: ttlMs, ttlResolution: 0, perf: { now } }) : undefined;
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The key uuid (null: the certificate has no managed key), or undefined when unknown or expired. */
  get(scope: string, certificateUuid: string): string | null | undefined {
    return this.entries?.get(`${scope}\u0000${certificateUuid}`)?.keyUuid;
  }

  set(scope: string, certificateUuid: string, keyUuid: string | null): void {
    this.entries?.set(`${scope}\u0000${certificateUuid}`, { keyUuid });
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }
}
