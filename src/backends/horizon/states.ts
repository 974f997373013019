import { CertificateState, RequestStatus, type RevocationReason } from "../../model/enums.js";

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

export const revocationReasonForHorizon = (r: RevocationReason): string => HZ_REASONS[r];
