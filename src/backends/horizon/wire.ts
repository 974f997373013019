/**
 * EVERTRUST Horizon wire types, named as Horizon's REST API reference ("Submit a request" and the certificate/request objects) names them.
 * Optional fields are the ones newer/older Horizon versions may omit.
 */

export type HzModule = "webra" | "est" | "scep" | (string & {});
export type HzWorkflow = "enroll" | "revoke" | "update" | "recover" | "migrate" | "renew" | "import";
/** Official enum plus values newer versions add (in_progress, failed). */
export type HzRequestStatus = "pending" | "approved" | "denied" | "canceled" | "completed" | "in_progress" | "failed";
export type HzSanType = "RFC822NAME" | "DNSNAME" | "URI" | "IPADDRESS" | "OTHERNAME_UPN" | "OTHERNAME_GUID" | "REGISTERED_ID";
export type HzRevocationReason = "unspecified" | "keycompromise" | "cacompromise" | "affiliationchange" | "superseded" | "cessationofoperation";

/** `{value}` wrapper used for passwords and PKCS#12 blobs. */
export interface HzSecretString {
  value: string | null;
}
export interface HzValue {
  value: string | null;
}
export interface HzIndexedDnElement {
  element: string;
  value: string | null;
}
/** Request side: `type` + array of values. */
export interface HzSanElement {
  type: HzSanType;
  value: string[] | null;
}
export interface HzLabelElement {
  label: string;
  value: string | null;
}
export interface HzMetadataElement {
  metadata: string;
  value: string | null;
}
export interface HzExtensionElement {
  type: "ms_sid" | "ms_template";
  value: string | null;
}
/** Response side label/metadata: `key` + value. */
export interface HzKeyValue {
  key: string;
  value: string;
}

export interface HzWebRaEnrollTemplate {
  keyType?: string | null;
  csr?: string | null;
  subject?: HzIndexedDnElement[] | null;
  sans?: HzSanElement[] | null;
  extensions?: HzExtensionElement[] | null;
  labels?: HzLabelElement[] | null;
  metadata?: HzMetadataElement[] | null;
  contactEmail?: HzValue | null;
  owner?: HzValue | null;
  team?: HzValue | null;
}
export interface HzUpdateTemplate {
  labels?: HzLabelElement[] | null;
  metadata?: HzMetadataElement[] | null;
  owner?: HzValue | null;
  team?: HzValue | null;
  contactEmail?: HzValue | null;
}
export interface HzImportTemplate extends HzUpdateTemplate {
  privateKey?: string | null;
}
export interface HzChallengeTemplate {
  subject?: HzIndexedDnElement[] | null;
  sans?: HzSanElement[] | null;
  labels?: HzLabelElement[] | null;
  contactEmail?: HzValue | null;
  owner?: HzValue | null;
  team?: HzValue | null;
}

interface HzSubmitBase {
  requesterComment?: string | null;
  dryRun?: boolean | null;
}
interface HzTargetsCertificate {
  certificateId?: string | null;
  certificatePem?: string | null;
}

export interface HzWebRaEnrollSubmit extends HzSubmitBase {
  profile: string;
  module: "webra";
  workflow: "enroll";
  template: HzWebRaEnrollTemplate;
  password?: HzSecretString | null;
}
export interface HzWebRaRevokeSubmit extends HzSubmitBase, HzTargetsCertificate {
  module?: "webra";
  workflow: "revoke";
  template: { revocationReason?: HzRevocationReason | null };
}
export interface HzWebRaUpdateSubmit extends HzSubmitBase, HzTargetsCertificate {
  module?: "webra";
  workflow: "update";
  template: HzUpdateTemplate;
}
export interface HzWebRaRecoverSubmit extends HzSubmitBase, HzTargetsCertificate {
  module?: "webra";
  workflow: "recover";
  password?: HzSecretString | null;
}
export interface HzWebRaMigrateSubmit extends HzSubmitBase, HzTargetsCertificate {
  profile: string;
  module: "webra";
  workflow: "migrate";
  template: HzUpdateTemplate;
}
export interface HzWebRaRenewSubmit extends HzSubmitBase, HzTargetsCertificate {
  module: "webra";
  workflow: "renew";
  template?: { csr?: string | null; keyType?: string | null } | null;
  password?: HzSecretString | null;
}
export interface HzWebRaImportSubmit extends HzSubmitBase, HzTargetsCertificate {
  module: "webra";
  workflow: "import";
  profile?: string | null;
  template?: HzImportTemplate | null;
}
export interface HzChallengeEnrollSubmit extends HzSubmitBase {
  profile: string;
  module: "est" | "scep";
  workflow: "enroll";
  dn?: string | null;
  password?: HzSecretString | null;
  template?: HzChallengeTemplate | null;
}
export type HzSubmitRequest =
  | HzWebRaEnrollSubmit
  | HzWebRaRevokeSubmit
  | HzWebRaUpdateSubmit
  | HzWebRaRecoverSubmit
  | HzWebRaMigrateSubmit
  | HzWebRaRenewSubmit
  | HzWebRaImportSubmit
  | HzChallengeEnrollSubmit;

export interface HzTriggerResult {
  name: string;
  event: string;
  triggerType: string;
  lastExecutionDate: number;
  status: "success" | "failure";
  retryable: boolean;
  retries?: number;
  nextExecutionDate?: number;
  nextDelay?: string;
  detail?: string;
}

export interface HzCertificate {
  _id: string;
  certificate: string;
  dn: string;
  issuer: string;
  serial: string;
  notBefore: number;
  notAfter: number;
  thumbprint: string;
  publicKeyThumbprint: string;
  keyType: string;
  signingAlgorithm: string;
  selfSigned: boolean;
  revoked: boolean;
  escrowed: boolean;
  module: string;
  holderId: string;
  subjectAlternateNames: { sanType: HzSanType; value: string }[];
  metadata: HzKeyValue[];
  revocationDate?: number | null;
  revocationReason?: string | null;
  profile?: string | null;
  owner?: string | null;
  team?: string | null;
  contactEmail?: string | null;
  labels?: HzKeyValue[];
  extensions?: HzKeyValue[];
  triggerResults?: HzTriggerResult[];
}

export interface HzCertificatePermissions {
  revoke: boolean;
  requestRevoke: boolean;
  update: boolean;
  requestUpdate: boolean;
  migrate: boolean;
  requestMigrate: boolean;
  recover?: boolean | null;
  requestRecover?: boolean | null;
  renew?: boolean | null;
  requestRenew?: boolean | null;
  enroll?: boolean | null;
  requestEnroll?: boolean | null;
}
/** GET /api/v1/certificates/{id} and the batch lookup wrap the certificate. */
export interface HzCertificateWithPermissions {
  certificate: HzCertificate;
  permissions: HzCertificatePermissions;
}

export interface HzRequest {
  _id: string;
  module: HzModule;
  workflow: HzWorkflow;
  status: HzRequestStatus;
  profile: string;
  registrationDate: number;
  lastModificationDate: number;
  removeAt: number;
  expirationDate?: number;
  holderId?: string;
  globalHolderIdCount?: number | null;
  profileHolderIdCount?: number | null;
  dn?: string;
  requester?: string | null;
  approver?: string | null;
  team?: string | null;
  contact?: string | null;
  requesterComment?: string | null;
  approverComment?: string | null;
  labels?: HzKeyValue[];
  metadata?: HzKeyValue[];
  triggerResults?: HzTriggerResult[];
  dryRun?: boolean | null;
  template?: Record<string, unknown> | null;
  certificate?: HzCertificate | null;
  certificateId?: string | null;
  certificatePem?: string | null;
  pkcs12?: HzSecretString | null;
  password?: HzSecretString | null;
  error?: string;
}

export interface HzRequestAction {
  _id: string;
  module: HzModule;
  workflow: HzWorkflow;
  approverComment?: string | null;
  template?: Record<string, unknown> | null;
  dryRun?: boolean | null;
}
export interface HzSortElement {
  element: string;
  order: "Asc" | "Desc" | "KeyAsc" | "KeyDesc";
}
export interface HzSearchQuery {
  query?: string;
  fields?: string[];
  sortedBy?: HzSortElement[];
  /** 1-based. */
  pageIndex?: number;
  pageSize?: number;
  withCount?: boolean;
}
export interface HzRequestSearchQuery extends HzSearchQuery {
  scope?: "search" | "manage" | "self";
}
export interface HzSearchResults<T> {
  results: T[];
  pageIndex: number;
  pageSize: number;
  count?: number;
  hasMore: boolean;
}
export type HzRequestSearchResult = Partial<HzRequest> & { _id: string; permissions: { approve?: boolean; cancel?: boolean } };
export type HzCertificateSearchResult = Partial<HzCertificate> & { _id: string };

export interface HzProblem {
  error: string;
  message: string;
  title: string;
  detail?: string | null;
  status?: number;
}
export interface HzPrincipal {
  identity: { identifier: string; name?: string };
  permissions: string[];
}
