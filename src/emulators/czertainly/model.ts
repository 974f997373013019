import type {
  BaseAttribute,
  CertificateEventHistoryDto,
  CertificateRevocationReason,
  CertificateStateCode,
  EndEntityStatus,
  RequestAttribute,
} from "../../backends/czertainly/wire.js";

/** How an RA profile's authority answers, so every branch of Core's state machine can be exercised. */
export interface ProfileBehaviour {
  /** sync: the connector answers 200 (issued / revoked); async: 202 (pending_issue / pending_revoke). */
  mode: "sync" | "async";
  /** Whether the connector accepts aborting a pending operation (else cancel answers 422). */
  cancellable: boolean;
  /** Async only: the CA completes pending operations on its own after this delay. */
  autoCompleteAfterMs?: number;
}

export interface EmulatedAuthority {
  uuid: string;
  name: string;
  kind: string;
  connectorUuid: string;
  connectorName: string;
  legacy: boolean;
}

export interface EmulatedRaProfile {
  uuid: string;
  name: string;
  description: string;
  authorityUuid: string;
  enabled: boolean;
  behaviour: ProfileBehaviour;
  issueAttributes: BaseAttribute[];
  revokeAttributes: BaseAttribute[];
}

/** A managed key pair on the emulated token (Core's cryptographic key with a private and a public item). */
export interface EmulatedKey {
  uuid: string;
  name: string;
  creationTime: string;
  algorithm: "ECDSA" | "RSA";
  length: number;
  privateItemUuid: string;
  publicItemUuid: string;
  state: "active" | "destroyed";
  /** PKCS#8 / SPKI base64; kept so a data file restores keys that can still sign CSRs. */
  pkcs8: string;
  spki: string;
  certificateUuids: string[];
}

export interface PendingRevocation {
  reason: CertificateRevocationReason;
  attributes: RequestAttribute[];
  destroyKey: boolean;
}

export interface StoredCertificate {
  uuid: string;
  state: CertificateStateCode;
  raProfileUuid: string;
  created: string;
  /** base64 DER of the issued certificate (absent until issued). */
  content?: string;
  /** base64 DER PKCS#10 request. */
  csr?: string;
  csrUuid: string;
  keyUuid?: string;
  owner?: string;
  groups: { uuid: string; name: string }[];
  issueAttributes: RequestAttribute[];
  revokeAttributes: RequestAttribute[];
  pendingRevocation?: PendingRevocation;
  revocationReason?: CertificateRevocationReason;
  predecessorUuid?: string;
  relation?: "renewal" | "rekey";
  history: CertificateEventHistoryDto[];
}

export interface EmulatedEndEntity {
  raProfileName: string;
  username: string;
  password: string;
  subjectDN: string;
  email?: string;
  subjectAltName?: string;
  extensionData?: { name: string; value: string }[];
  status: EndEntityStatus;
}

export interface CzertainlyState {
  authorities: Map<string, EmulatedAuthority>;
  raProfiles: Map<string, EmulatedRaProfile>;
  certificates: Map<string, StoredCertificate>;
  keys: Map<string, EmulatedKey>;
  endEntities: EmulatedEndEntity[];
}

export const TOKEN = {
  instanceUuid: "6f1c0b5e-0d1e-4c47-9a51-7a8f2f6f0a01",
  instanceName: "soft-token",
  profileUuid: "8a3b7a2e-5c39-4f0e-9d55-0b9e6a7c2d11",
  profileName: "soft-token-profile",
};

/** Core's labels for states in messages ("Current state: Issued"). */
export const STATE_LABEL: Record<CertificateStateCode, string> = {
  requested: "Requested",
  rejected: "Rejected",
  pending_approval: "Pending Approval",
  pending_issue: "Pending Issue",
  pending_revoke: "Pending Revoke",
  failed: "Failed",
  issued: "Issued",
  revoked: "Revoked",
};
