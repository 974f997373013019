import type { CertificateRevocationReason } from "../backends/czertainly/wire.js";
import { CertificateState, RequestStatus, RevocationReason } from "../model/enums.js";

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

/** Horizon certificates exist only once issued: revoked, expired or issued. */
export function stateFromHorizon(revoked: boolean | undefined, notAfter: Date | undefined, now = new Date()): CertificateState {
  if (revoked) return CertificateState.REVOKED;
  if (notAfter && notAfter < now) return CertificateState.EXPIRED;
  return CertificateState.ISSUED;
}

const HZ_STATUS: Record<string, RequestStatus> = {
  pending: RequestStatus.PENDING,
  approved: RequestStatus.APPROVED,
  denied: RequestStatus.DENIED,
  canceled: RequestStatus.CANCELED,
  cancelled: RequestStatus.CANCELED,
  completed: RequestStatus.COMPLETED,
  in_progress: RequestStatus.IN_PROGRESS,
  processing: RequestStatus.IN_PROGRESS,
  failed: RequestStatus.FAILED,
};

export function requestStatusFromHorizon(status: string | undefined): RequestStatus {
  return (status && HZ_STATUS[status.toLowerCase()]) || RequestStatus.UNKNOWN;
}

const FINAL_CERT_STATES = new Set([
  CertificateState.ISSUED,
  CertificateState.REVOKED,
  CertificateState.FAILED,
  CertificateState.REJECTED,
  CertificateState.EXPIRED,
]);

/** Whether a certificate state will not change without a new operation (watchers stop there). */
export function isSettledCertificateState(state: CertificateState): boolean {
  return FINAL_CERT_STATES.has(state);
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

const HZ_REASONS: Record<RevocationReason, string> = {
  UNSPECIFIED: "unspecified",
  KEY_COMPROMISE: "keycompromise",
  CA_COMPROMISE: "cacompromise",
  AFFILIATION_CHANGED: "affiliationchange",
  SUPERSEDED: "superseded",
  CESSATION_OF_OPERATION: "cessationofoperation",
  CERTIFICATE_HOLD: "certificatehold",
  PRIVILEGE_WITHDRAWN: "privilegewithdrawn",
  AA_COMPROMISE: "aacompromise",
};

export const revocationReasonForCzertainly = (r: RevocationReason): CertificateRevocationReason => CZ_REASONS[r];
export const revocationReasonForHorizon = (r: RevocationReason): string => HZ_REASONS[r];
