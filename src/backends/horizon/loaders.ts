import DataLoader from "dataloader";
import { mapLimit } from "../../lib/map-limit.js";
import { headersFor, type CallerCredentials } from "../credentials.js";
import type { LoaderOptions } from "../adapter.js";
import { FAN_OUT } from "../../lib/map-limit.js";
import type { HorizonClient } from "./client.js";
import type { HzCertificateLike, HzRequestLike } from "./mapper.js";

/** Per-operation DataLoaders over Horizon: never shared between requests or callers. */
export function createHorizonLoaders(client: HorizonClient, creds: CallerCredentials, stats: LoaderOptions = {}) {
  const hz = () => headersFor(creds, "horizon");
  const observe = (name: string, size: number) => stats.onBatch?.(name, size);
  return {
    /** Horizon certificates by _id through the batch POST /api/v1/certificates. */
    hzCertificate: new DataLoader<string, HzCertificateLike | null>(
      async ids => {
        observe("hzCertificate", ids.length);
        const rows = await client.getCertificates([...ids], { headers: hz() });
        const byId = new Map(rows.map(r => [r.certificate._id, r.certificate as HzCertificateLike]));
        return ids.map(id => byId.get(id) ?? null);
      },
      { maxBatchSize: 100 },
    ),
    /** Horizon requests by _id (no batch endpoint: deduplicated, bounded fan-out). */
    hzRequest: new DataLoader<string, HzRequestLike | null>(async ids => {
      observe("hzRequest", ids.length);
      const headers = hz();
      return mapLimit(ids, FAN_OUT, id => client.getRequest(id, { headers }) as Promise<HzRequestLike | null>);
    }),
  };
}

export type HorizonLoaders = ReturnType<typeof createHorizonLoaders>;
