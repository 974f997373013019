import { registerEnumType } from "type-graphql";

export enum Backend {
  CZERTAINLY = "CZERTAINLY",
  HORIZON = "HORIZON",
}
registerEnumType(Backend, {
  name: "Backend",
  description: "Which certificate-management backend holds an object.",
  valuesConfig: {
    CZERTAINLY: { description: "CZERTAINLY Core, the RA backend." },
    HORIZON: { description: "EVERTRUST Horizon, the WebRA backend." },
  },
});

/** One state vocabulary for certificates of both backends. */
export enum CertificateState {
  REQUESTED = "REQUESTED",
  PENDING_APPROVAL = "PENDING_APPROVAL",
  PENDING_ISSUE = "PENDING_ISSUE",
  ISSUED = "ISSUED",
  PENDING_REVOKE = "PENDING_REVOKE",
  REVOKED = "REVOKED",
  EXPIRED = "EXPIRED",
  FAILED = "FAILED",
  REJECTED = "REJECTED",
  UNKNOWN = "UNKNOWN",
}
registerEnumType(CertificateState, {
  name: "CertificateState",
  description:
    "Lifecycle state, unified: CZERTAINLY states map one to one; Horizon certificates are ISSUED, REVOKED or EXPIRED. " +
    "EXPIRED means an issued certificate past its notAfter.",
});

export enum RequestStatus {
  PENDING = "PENDING",
  APPROVED = "APPROVED",
  DENIED = "DENIED",
  CANCELED = "CANCELED",
  COMPLETED = "COMPLETED",
  IN_PROGRESS = "IN_PROGRESS",
  FAILED = "FAILED",
  UNKNOWN = "UNKNOWN",
}
registerEnumType(RequestStatus, {
  name: "RequestStatus",
  description: "Status of a Horizon request: PENDING waits for approval; DENIED, CANCELED, COMPLETED and FAILED are final.",
});

export enum RevocationReason {
  UNSPECIFIED = "UNSPECIFIED",
  KEY_COMPROMISE = "KEY_COMPROMISE",
  CA_COMPROMISE = "CA_COMPROMISE",
  AFFILIATION_CHANGED = "AFFILIATION_CHANGED",
  SUPERSEDED = "SUPERSEDED",
  CESSATION_OF_OPERATION = "CESSATION_OF_OPERATION",
  CERTIFICATE_HOLD = "CERTIFICATE_HOLD",
  PRIVILEGE_WITHDRAWN = "PRIVILEGE_WITHDRAWN",
  AA_COMPROMISE = "AA_COMPROMISE",
}
registerEnumType(RevocationReason, { name: "RevocationReason", description: "RFC 5280 revocation reasons." });
