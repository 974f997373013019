import { CertificateState } from "../model/enums.js";

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
