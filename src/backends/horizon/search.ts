import { readWindow } from "../../domain/paging.js";
import { Certificate } from "../../model/certificate.type.js";
import { Backend, CertificateState } from "../../model/enums.js";
import type { CertificateSearch } from "../adapter.js";
import type { CertificateFilter } from "../../model/inputs/certificates.args.js";
import { headersFor } from "../credentials.js";
import type { HorizonCall } from "./call.js";
import { certificateFromHorizon, type HzCertificateLike } from "./mapper.js";

const hcqlString = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** The certificate filter as an HCQL query, applied by Horizon itself. */
export function horizonQuery(filter: CertificateFilter | undefined): string | undefined {
  const parts: string[] = [];
  const statuses = (filter?.states ?? []).flatMap(s =>
    s === CertificateState.ISSUED ? ["valid"] : s === CertificateState.REVOKED ? ["revoked"] : s === CertificateState.EXPIRED ? ["expired"] : [],
  );
  if (statuses.length) parts.push(`(${statuses.map(s => `status is ${s}`).join(" or ")})`);
  if (filter?.subjectContains) parts.push(`dn contains ${hcqlString(filter.subjectContains)}`);
  if (filter?.expiringBefore) parts.push(`valid.until before ${hcqlString(filter.expiringBefore.toISOString())}`);
  if (filter?.horizonProfile) parts.push(`profile equals ${hcqlString(filter.horizonProfile)}`);
  return parts.length ? parts.join(" and ") : undefined;
}

/** One Horizon search: HCQL says the whole filter. */
export function horizonSearches(call: HorizonCall, filter: CertificateFilter | undefined): CertificateSearch[] {
  const query = horizonQuery(filter);
  return [
    {
      key: Backend.HORIZON,
      async window(offset, size) {
        const headers = headersFor(call.creds, "horizon");
        const window = await readWindow<HzCertificateLike>(
          async (pageIndex, pageSize) => {
            const res = await call.client.searchCertificates({ query, pageIndex, pageSize, withCount: true }, { headers });
            return { items: res.results as HzCertificateLike[], total: res.count ?? undefined, hasMore: res.hasMore };
          },
          offset,
          size,
        );
        // Horizon returns whole certificates: they prime the loader, so a later field costs no call.
        for (const c of window.items) call.loaders.hzCertificate.prime(c._id, c);
        return { ...window, items: window.items.map(c => new Certificate(certificateFromHorizon(c))) };
      },
      async count() {
        const headers = headersFor(call.creds, "horizon");
        const res = await call.client.searchCertificates({ query, pageIndex: 1, pageSize: 1, withCount: true }, { headers });
        return res.count ?? undefined;
      },
    },
  ];
}
