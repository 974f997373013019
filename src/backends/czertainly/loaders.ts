import DataLoader from "dataloader";
import { mapLimit } from "../../lib/map-limit.js";
import { once } from "../../lib/once.js";
import { headersFor, type CallerCredentials } from "../credentials.js";
import type { LoaderOptions } from "../adapter.js";
import { FAN_OUT } from "../../lib/map-limit.js";
import type { CzertainlyClient } from "./client.js";
import type { CertificateKeyIndex } from "./key-index.js";
import type { CzAuthorityLike, CzCertificateLike, CzKeyLike, CzRaProfileLike } from "./mapper.js";

export interface CzertainlyLoaderOptions extends LoaderOptions {
  /** Remembers certificate → key across requests (see key-index.ts); absent: every lookup reads the detail. */
  keyIndex?: CertificateKeyIndex;
}

/** Per-operation DataLoaders over CZERTAINLY: never shared between requests or callers. */
export function createCzertainlyLoaders(client: CzertainlyClient, creds: CallerCredentials, stats: CzertainlyLoaderOptions = {}) {
  const cz = () => headersFor(creds, "czertainly");
  const observe = (name: string, size: number) => stats.onBatch?.(name, size);

  // RA profiles and authorities come back whole from one unpaginated list: one call serves every key.
  const raProfileList = once(async () => (await client.listRaProfiles({ headers: cz() })) as CzRaProfileLike[]);
  const authorityList = once(async () => (await client.listAuthorities({ headers: cz() })) as CzAuthorityLike[]);

  const keyIndex = stats.keyIndex;
  /** CZERTAINLY certificate detail by uuid (no batch endpoint: deduplicated, bounded fan-out). */
  const czCertificate = new DataLoader<string, CzCertificateLike | null>(async uuids => {
    observe("czCertificate", uuids.length);
    const headers = cz();
    return mapLimit(uuids, FAN_OUT, async uuid => {
      const detail = (await client.getCertificate(uuid, { headers })) as CzCertificateLike | null;
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
      const rows = await client.getCertificatesContent([...uuids], { headers: cz() });
      const byUuid = new Map(rows.map(r => [r.uuid, r.certificateContent ?? null]));
      return uuids.map(u => byUuid.get(u) ?? null);
    }),
    czKey: new DataLoader<string, CzKeyLike | null>(async uuids => {
      observe("czKey", uuids.length);
      const headers = cz();
      return mapLimit(uuids, FAN_OUT, uuid => client.getKey(uuid, { headers }) as Promise<CzKeyLike | null>);
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
  };
}

export type CzertainlyLoaders = ReturnType<typeof createCzertainlyLoaders>;
