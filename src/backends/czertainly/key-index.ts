/**
 * Which managed key each CZERTAINLY certificate has, remembered across requests for a while.
 *
 * Core's list items carry no key reference and Core 2.18 has no many-at-once detail endpoint
 * (shared/contracts/czertainly.md §6.4), so `key` on a page of N certificates costs N detail calls.
 * A certificate gets its key when it is requested and keeps it, so the answer may be remembered:
 * with this index, later pages cost the key lookups only. Entries are per caller scope (a caller
 * never learns through it what its own credentials did not show it) and expire after `ttlMs`.
 */
export class CertificateKeyIndex {
  private readonly entries = new Map<string, { keyUuid: string | null; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The key uuid (null: the certificate has no managed key), or undefined when unknown or expired. */
  get(scope: string, certificateUuid: string): string | null | undefined {
    const entry = this.entries.get(`${scope}\u0000${certificateUuid}`);
    if (!entry) return undefined;
    if (this.now() - entry.at > this.ttlMs) {
      this.entries.delete(`${scope}\u0000${certificateUuid}`);
      return undefined;
    }
    return entry.keyUuid;
  }

  set(scope: string, certificateUuid: string, keyUuid: string | null): void {
    if (!this.enabled) return;
    const id = `${scope}\u0000${certificateUuid}`;
    this.entries.delete(id); // re-insert: Map order is the eviction order
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(id, { keyUuid, at: this.now() });
  }

  get size(): number {
    return this.entries.size;
  }
}
