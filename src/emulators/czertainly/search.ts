import type { CertificateDto, CertificateResponseDto, SearchFilterRequestDto } from "../../backends/czertainly/wire.js";
import { badRequest, validation } from "./errors.js";
import type { CzertainlyState } from "./model.js";
import { certificateDto } from "./views.js";

/** The property filter fields the emulator supports (Core FilterField names) and how to read them. */
const FIELDS: Record<string, (c: CertificateDto) => unknown> = {
  COMMON_NAME: c => c.commonName,
  SERIAL_NUMBER: c => c.serialNumber,
  RA_PROFILE_NAME: c => c.raProfile?.name,
  GROUP_NAME: c => c.groups?.map(g => g.name),
  OWNER: c => c.owner,
  CERTIFICATE_STATE: c => c.state,
  CERTIFICATE_VALIDATION_STATUS: c => c.validationStatus,
  COMPLIANCE_STATUS: c => c.complianceStatus,
  ISSUER_COMMON_NAME: c => c.issuerCommonName,
  SUBJECTDN: c => c.subjectDn,
  ISSUERDN: c => c.issuerDn,
  FINGERPRINT: c => c.fingerprint,
  NOT_AFTER: c => c.notAfter,
  NOT_BEFORE: c => c.notBefore,
  PUBLIC_KEY_ALGORITHM: c => c.publicKeyAlgorithm,
  KEY_SIZE: c => c.keySize,
  PRIVATE_KEY: c => c.privateKeyAvailability,
};

const lower = (v: unknown) => String(v ?? "").toLowerCase();
const asDate = (v: unknown) => (typeof v === "string" && !/^\d+$/.test(v) ? Date.parse(v) : Number(v));

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number") return a - Number(b);
  const da = asDate(a);
  const db = asDate(b);
  if (!Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  return lower(a).localeCompare(lower(b));
}

function matches(value: unknown, condition: string, target: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  const targets = Array.isArray(target) ? target : [target];
  const present = values.filter(v => v !== undefined && v !== null && v !== "");
  const any = (test: (v: unknown, t: unknown) => boolean) => present.some(v => targets.some(t => test(v, t)));
  switch (condition) {
    case "EQUALS":
      return any((v, t) => lower(v) === lower(t));
    case "NOT_EQUALS":
      return !any((v, t) => lower(v) === lower(t));
    case "CONTAINS":
      return any((v, t) => lower(v).includes(lower(t)));
    case "NOT_CONTAINS":
      return !any((v, t) => lower(v).includes(lower(t)));
    case "STARTS_WITH":
      return any((v, t) => lower(v).startsWith(lower(t)));
    case "ENDS_WITH":
      return any((v, t) => lower(v).endsWith(lower(t)));
    case "GREATER":
      return any((v, t) => compare(v, t) > 0);
    case "GREATER_OR_EQUAL":
      return any((v, t) => compare(v, t) >= 0);
    case "LESSER":
      return any((v, t) => compare(v, t) < 0);
    case "LESSER_OR_EQUAL":
      return any((v, t) => compare(v, t) <= 0);
    case "EMPTY":
      return present.length === 0;
    case "NOT_EMPTY":
      return present.length > 0;
    default:
      throw validation(`Unsupported filter condition ${condition}`);
  }
}

/** POST /v1/certificates: Core's search (property filters, 1-based pages, newest first). */
export function searchCertificates(state: CzertainlyState, raw: unknown): CertificateResponseDto {
  const body = (raw ?? {}) as { filters?: SearchFilterRequestDto[]; itemsPerPage?: number; pageNumber?: number };
  if (typeof body !== "object" || Array.isArray(body)) throw badRequest("Unable to read HTTP message");
  const itemsPerPage = body.itemsPerPage ?? 10;
  const pageNumber = body.pageNumber ?? 1;
  if (!Number.isInteger(itemsPerPage) || itemsPerPage < 1 || itemsPerPage > 1000) throw badRequest("itemsPerPage must be between 1 and 1000");
  if (!Number.isInteger(pageNumber) || pageNumber < 1) throw badRequest("pageNumber must be 1 or more");
  const filters = body.filters ?? [];
  if (!Array.isArray(filters)) throw badRequest("Unable to read HTTP message");
  for (const f of filters) {
    if (f?.fieldSource !== "property") throw validation(`Filter field source ${String(f?.fieldSource)} is not supported by the emulator`);
    if (!FIELDS[f.fieldIdentifier]) throw validation(`Unknown filter field ${String(f.fieldIdentifier)}`);
  }
  const rows = [...state.certificates.values()]
    .sort((a, b) => b.created.localeCompare(a.created) || a.uuid.localeCompare(b.uuid))
    .map(c => certificateDto(state, c))
    .filter(dto => filters.every(f => matches(FIELDS[f.fieldIdentifier]!(dto), f.condition, f.value)));
  const start = (pageNumber - 1) * itemsPerPage;
  return {
    certificates: rows.slice(start, start + itemsPerPage),
    itemsPerPage,
    pageNumber,
    totalPages: Math.max(1, Math.ceil(rows.length / itemsPerPage)),
    totalItems: rows.length,
  };
}
