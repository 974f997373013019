/**
 * Maps with at most `limit` calls in flight. Used where a backend has no many-at-once lookup
 * (CZERTAINLY details, Horizon requests): the loader still deduplicates, then fans out, bounded.
 * A failed item settles as its Error so one bad key does not fail the batch.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<(R | Error)[]> {
  const results: (R | Error)[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!);
      } catch (error) {
        results[index] = error instanceof Error ? error : new Error(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** How many single lookups may be in flight to one backend for one GraphQL operation. */
export const FAN_OUT = 16;
