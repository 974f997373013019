import { CertificateState, type RevocationReason } from "../../model/enums.js";
import type { CertificateRevocationReason } from "./wire.js";

const CZ_STATES: Record<string, CertificateState> = {
  requested: CertificateState.REQUESTED,
  rejected: CertificateState.REJECTED,
  pending_approval: CertificateState.PENDING_APPROVAL,
  pending_issue: CertificateState.PENDING_ISSUE,
  issued: CertificateState.ISSUED,
  pending_revoke: CertificateState.PENDING_REVOKE,
  revoked: CertificateState.REVOKED,
  failed: CertificateState.FAILED,
};

/** CZERTAINLY state code → unified state; an issued certificate past notAfter reads EXPIRED. */
export function stateFromCzertainly(code: string | undefined, notAfter: Date | undefined, now = new Date()): CertificateState {
  const state = (code && CZ_STATES[code]) || CertificateState.UNKNOWN;
  if (state === CertificateState.ISSUED && notAfter && notAfter < now) return CertificateState.EXPIRED;
  return state;
}

/** Unified state → the CZERTAINLY codes a search filter needs (EXPIRED is issued + notAfter past). */
export function czertainlyCodesFor(state: CertificateState): string[] {
  if (state === CertificateState.EXPIRED) return ["issued"];
  return Object.entries(CZ_STATES)
    .filter(([, s]) => s === state)
    .map(([code]) => code);
}

const CZ_REASONS: Record<RevocationReason, CertificateRevocationReason> = {
  UNSPECIFIED: "unspecified",
  KEY_COMPROMISE: "keyCompromise",
  CA_COMPROMISE: "cACompromise",
  AFFILIATION_CHANGED: "affiliationChanged",
  SUPERSEDED: "superseded",
  CESSATION_OF_OPERATION: "cessationOfOperation",
  CERTIFICATE_HOLD: "certificateHold",
  PRIVILEGE_WITHDRAWN: "privilegeWithdrawn",
  AA_COMPROMISE: "aACompromise",
};

export const revocationReasonForCzertainly = (r: RevocationReason): CertificateRevocationReason => CZ_REASONS[r];
