import { fromGlobalId } from "../../domain/ids.js";
import { readWindow, type Window } from "../../domain/paging.js";
import { czertainlyCodesFor } from "./states.js";
import { Certificate } from "../../model/certificate.type.js";
import { CertificateState } from "../../model/enums.js";
import type { CertificateFilter } from "../../model/inputs/certificates.args.js";
import { headersFor } from "../credentials.js";
import type { CzertainlyCall } from "./call.js";
import { certificateFromCzertainly, type CzCertificateLike } from "./mapper.js";
import type { SearchFilterRequestDto } from "./wire.js";

const HAS_CONTENT = new Set(["issued", "revoked", "pending_revoke"]);

/** The certificate filter as Core's search filters (properties), applied by Core itself. */
export async function czertainlyFilters(call: CzertainlyCall, filter: CertificateFilter | undefined) {
  const filters: SearchFilterRequestDto[] = [];
  const prop = (fieldIdentifier: string, condition: string, value?: unknown) =>
    filters.push({ fieldSource: "property", fieldIdentifier, condition, value });
  if (filter?.states?.length) prop("CERTIFICATE_STATE", "EQUALS", [...new Set(filter.states.flatMap(czertainlyCodesFor))]);
  const onlyExpired = filter?.states?.length === 1 && filter.states[0] === CertificateState.EXPIRED;
  const onlyIssued = filter?.states?.length === 1 && filter.states[0] === CertificateState.ISSUED;
  const now = new Date().toISOString();
  if (onlyExpired) prop("NOT_AFTER", "LESSER", now);
  if (onlyIssued) prop("NOT_AFTER", "GREATER", now);
  if (filter?.subjectContains) prop("SUBJECTDN", "CONTAINS", filter.subjectContains);
  if (filter?.expiringBefore) prop("NOT_AFTER", "LESSER", filter.expiringBefore.toISOString());
  if (filter?.raProfileId) {
    const { backendId } = fromGlobalId(filter.raProfileId, "RaProfile");
    const profile = await call.loaders.czRaProfile.load(backendId);
    prop("RA_PROFILE_NAME", "EQUALS", [profile?.name ?? backendId]);
  }
  return filters;
}

/** How many certificates match: one search with a page of one. */
export async function countCzertainlyCertificates(call: CzertainlyCall, filter: CertificateFilter | undefined): Promise<number | undefined> {
  const filters = await czertainlyFilters(call, filter);
  const headers = headersFor(call.creds, "czertainly");
  const res = await call.client.searchCertificates({ filters, itemsPerPage: 1, pageNumber: 1 }, { headers });
  return res.totalItems;
}

/** A window of matching certificates; the list DTO carries no content, so one batch call fetches it. */
export async function searchCzertainlyCertificates(
  call: CzertainlyCall,
  filter: CertificateFilter | undefined,
  offset: number,
  size: number,
): Promise<Window<Certificate>> {
  const filters = await czertainlyFilters(call, filter);
  const headers = headersFor(call.creds, "czertainly");
  const window = await readWindow<CzCertificateLike>(async (pageNumber, itemsPerPage) => {
    const res = await call.client.searchCertificates({ filters, itemsPerPage, pageNumber }, { headers });
    return { items: res.certificates as CzCertificateLike[], total: res.totalItems };
  }, offset, size);
  const withContent = window.items.filter(c => HAS_CONTENT.has(c.state ?? ""));
  const contents = await call.loaders.czContent.loadMany(withContent.map(c => c.uuid));
  const contentByUuid = new Map(withContent.map((c, i) => [c.uuid, contents[i]]));
  return {
    ...window,
    items: window.items.map(c => {
      const content = contentByUuid.get(c.uuid);
      return new Certificate(certificateFromCzertainly(c, typeof content === "string" ? content : undefined));
    }),
  };
}
