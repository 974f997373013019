import { fromGlobalId } from "../../domain/ids.js";
import { readWindow, type Window } from "../../domain/paging.js";
import { Certificate } from "../../model/certificate.type.js";
import { Backend, CertificateState } from "../../model/enums.js";
import type { CertificateFilter } from "../../model/inputs/certificates.args.js";
import type { CertificateSearch } from "../adapter.js";
import { headersFor } from "../credentials.js";
import type { CzertainlyCall } from "./call.js";
import { certificateFromCzertainly, type CzCertificateLike } from "./mapper.js";
import { czertainlyCodesFor } from "./states.js";
import type { SearchFilterRequestDto } from "./wire.js";

const HAS_CONTENT = new Set(["issued", "revoked", "pending_revoke"]);

type CzFilter = SearchFilterRequestDto;
const czProp = (fieldIdentifier: string, condition: string, value?: unknown): CzFilter => ({
  fieldSource: "property",
  fieldIdentifier,
  condition,
  value,
});

/**
 * The state part of a CZERTAINLY search, as disjoint sets of filters that Core ANDs: Core has no OR
 * between fields, and ISSUED/EXPIRED are both the code `issued`, told apart by NOT_AFTER. So
 * `[EXPIRED, REVOKED]` is two searches, `state = revoked` and `state = issued AND notAfter < now`,
 * whose pages follow one another. `[]` means no CZERTAINLY state matches (skip the backend);
 * one empty set means no state filter.
 */
export function czertainlyStateSets(states: readonly CertificateState[] | undefined, now: Date): CzFilter[][] {
  if (!states?.length) return [[]];
  const issued = states.includes(CertificateState.ISSUED);
  const expired = states.includes(CertificateState.EXPIRED);
  const others = [...new Set(states.filter(s => s !== CertificateState.ISSUED && s !== CertificateState.EXPIRED).flatMap(czertainlyCodesFor))];
  if (issued && expired) return [[czProp("CERTIFICATE_STATE", "EQUALS", [...others, ...czertainlyCodesFor(CertificateState.ISSUED)])]];
  const sets: CzFilter[][] = [];
  if (others.length) sets.push([czProp("CERTIFICATE_STATE", "EQUALS", others)]);
  // An issued certificate reads EXPIRED once notAfter < now (stateFromCzertainly), ISSUED until then.
  if (issued) sets.push([czProp("CERTIFICATE_STATE", "EQUALS", ["issued"]), czProp("NOT_AFTER", "GREATER_OR_EQUAL", now.toISOString())]);
  if (expired) sets.push([czProp("CERTIFICATE_STATE", "EQUALS", ["issued"]), czProp("NOT_AFTER", "LESSER", now.toISOString())]);
  return sets;
}

/** The filters every CZERTAINLY search of this query shares (everything but the states). */
async function czertainlyBaseFilters(call: CzertainlyCall, filter: CertificateFilter | undefined): Promise<CzFilter[]> {
  const filters: CzFilter[] = [];
  if (filter?.subjectContains) filters.push(czProp("SUBJECTDN", "CONTAINS", filter.subjectContains));
  if (filter?.expiringBefore) filters.push(czProp("NOT_AFTER", "LESSER", filter.expiringBefore.toISOString()));
  if (filter?.raProfileId) {
    const { backendId } = fromGlobalId(filter.raProfileId, "RaProfile");
    const profile = await call.loaders.czRaProfile.load(backendId);
    filters.push(czProp("RA_PROFILE_NAME", "EQUALS", [profile?.name ?? backendId]));
  }
  return filters;
}

/** A window of one search; the list DTO carries no content, so one batch call fetches it. */
async function czertainlyWindow(call: CzertainlyCall, filters: CzFilter[], offset: number, size: number): Promise<Window<Certificate>> {
  const headers = headersFor(call.creds, "czertainly");
  const window = await readWindow<CzCertificateLike>(
    async (pageNumber, itemsPerPage) => {
      const res = await call.client.searchCertificates({ filters, itemsPerPage, pageNumber }, { headers });
      return { items: res.certificates as CzCertificateLike[], total: res.totalItems };
    },
    offset,
    size,
  );
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

/** One Core search per state set (czertainlyStateSets); cursors name them `CZERTAINLY`, `CZERTAINLY#1`, … */
export function czertainlySearches(call: CzertainlyCall, filter: CertificateFilter | undefined, now = new Date()): CertificateSearch[] {
  let base: Promise<CzFilter[]> | undefined;
  const shared = () => (base ??= czertainlyBaseFilters(call, filter));
  return czertainlyStateSets(filter?.states, now).map((stateFilters, i) => {
    const filters = async () => [...stateFilters, ...(await shared())];
    return {
      key: i === 0 ? Backend.CZERTAINLY : `${Backend.CZERTAINLY}#${i}`,
      window: async (offset, size) => czertainlyWindow(call, await filters(), offset, size),
      async count() {
        const headers = headersFor(call.creds, "czertainly");
        return (await call.client.searchCertificates({ filters: await filters(), itemsPerPage: 1, pageNumber: 1 }, { headers })).totalItems;
      },
    };
  });
}
