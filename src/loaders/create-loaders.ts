import DataLoader from "dataloader";
import type { CallerCredentials } from "../server/credentials.js";
import { headersFor } from "../server/credentials.js";
import type { Upstreams } from "../backends/registry.js";
import type { CzCertificateLike, CzKeyLike, CzRaProfileLike, CzAuthorityLike } from "../backends/czertainly/mapper.js";
import type { HzCertificateLike, HzRequestLike } from "../backends/horizon/mapper.js";
import type { CertificateKeyIndex } from "./key-index.js";
import { mapLimit } from "./map-limit.js";

/** How many single lookups may be in flight to one backend for one GraphQL operation. */
const FAN_OUT = 16;

export interface LoaderStats {
  /** Batch sizes per loader, for the metrics endpoint. */
  onBatch?: (loader: string, size: number) => void;
  /** Remembers certificate → key across requests (see key-index.ts); absent: every lookup reads the detail. */
  keyIndex?: CertificateKeyIndex;
}

/** Per-operation DataLoaders: never shared between requests or callers. */
export function createLoaders(upstreams: Upstreams, creds: CallerCredentials, stats: LoaderStats = {}) {
  const cz = () => headersFor(creds, "czertainly");
  const hz = () => headersFor(creds, "horizon");
  const observe = (name: string, size: number) => stats.onBatch?.(name, size);

  // RA profiles and authorities come back whole from one unpaginated list: one call serves every key.
  const raProfileList = once(async () => (await upstreams.czertainly.listRaProfiles({ headers: cz() })) as CzRaProfileLike[]);
  const authorityList = once(async () => (await upstreams.czertainly.listAuthorities({ headers: cz() })) as CzAuthorityLike[]);

  const keyIndex = stats.keyIndex;
  /** CZERTAINLY certificate detail by uuid (no batch endpoint: deduplicated, bounded fan-out). */
  const czCertificate = new DataLoader<string, CzCertificateLike | null>(async uuids => {
    observe("czCertificate", uuids.length);
    const headers = cz();
    return mapLimit(uuids, FAN_OUT, async uuid => {
      const detail = (await upstreams.czertainly.getCertificate(uuid, { headers })) as CzCertificateLike | null;
      if (detail) keyIndex?.set(creds.principal, uuid, detail.key?.uuid ?? null);
      return detail;
    });
  });

  return {
    czCertificate,
    /** The managed key's uuid of a CZERTAINLY certificate: from the key index when it knows, else from the detail. */
    czKeyUuid: new DataLoader<string, string | null>(async uuids =>
      Promise.all(
        uuids.map(async uuid => {
          const known = keyIndex?.get(creds.principal, uuid);
          return known !== undefined ? known : ((await czCertificate.load(uuid))?.key?.uuid ?? null);
        }),
      ),
    ),
    /** CZERTAINLY certificate content (base64 DER) by uuid, one POST /v1/certificates/content per batch. */
    czContent: new DataLoader<string, string | null>(async uuids => {
      observe("czContent", uuids.length);
      const rows = await upstreams.czertainly.getCertificatesContent([...uuids], { headers: cz() });
      const byUuid = new Map(rows.map(r => [r.uuid, r.certificateContent ?? null]));
      return uuids.map(u => byUuid.get(u) ?? null);
    }),
    czKey: new DataLoader<string, CzKeyLike | null>(async uuids => {
      observe("czKey", uuids.length);
      const headers = cz();
      return mapLimit(uuids, FAN_OUT, uuid => upstreams.czertainly.getKey(uuid, { headers }) as Promise<CzKeyLike | null>);
    }),
    czRaProfile: new DataLoader<string, CzRaProfileLike | null>(async uuids => {
      observe("czRaProfile", uuids.length);
      const byUuid = new Map((await raProfileList()).map(p => [p.uuid, p]));
      return uuids.map(u => byUuid.get(u) ?? null);
    }),
    czRaProfiles: raProfileList,
    czAuthority: new DataLoader<string, CzAuthorityLike | null>(async uuids => {
      observe("czAuthority", uuids.length);
      const byUuid = new Map((await authorityList()).map(a => [a.uuid, a]));
      return uuids.map(u => byUuid.get(u) ?? null);
    }),
    czAuthorities: authorityList,
    /** Horizon certificates by _id through the batch POST /api/v1/certificates. */
    hzCertificate: new DataLoader<string, HzCertificateLike | null>(
      async ids => {
        observe("hzCertificate", ids.length);
        const rows = await upstreams.horizon.getCertificates([...ids], { headers: hz() });
        const byId = new Map(rows.map(r => [r.certificate._id, r.certificate as HzCertificateLike]));
        return ids.map(id => byId.get(id) ?? null);
      },
      { maxBatchSize: 100 },
    ),
    /** Horizon requests by _id (no batch endpoint: deduplicated, bounded fan-out). */
    hzRequest: new DataLoader<string, HzRequestLike | null>(async ids => {
      observe("hzRequest", ids.length);
      const headers = hz();
      return mapLimit(ids, FAN_OUT, id => upstreams.horizon.getRequest(id, { headers }) as Promise<HzRequestLike | null>);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** Memoises an async thunk for the life of the loaders (one operation). A failure is not cached. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= fn().catch(error => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
