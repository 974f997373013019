/**
 * CZERTAINLY Core 2.18 wire types (the DTOs of OmniTrustILM/interfaces@2.18.0).
 * Core drops null fields; dates are ISO strings.
 */

export type CertificateStateCode =
  "requested" | "rejected" | "pending_approval" | "pending_issue" | "pending_revoke" | "failed" | "issued" | "revoked";

export type CertificateRevocationReason =
  | "unspecified"
  | "keyCompromise"
  | "cACompromise"
  | "affiliationChanged"
  | "superseded"
  | "cessationOfOperation"
  | "certificateHold"
  | "privilegeWithdrawn"
  | "aACompromise";

export interface SimplifiedRaProfileDto {
  uuid: string;
  name: string;
  enabled?: boolean;
  authorityInstanceUuid?: string;
}

export interface GroupDto {
  uuid: string;
  name: string;
  description?: string;
}

export interface KeyItemDto {
  uuid: string;
  name?: string;
  type?: "Secret" | "Public" | "Private" | "Split";
  keyAlgorithm?: string;
  format?: string;
  length?: number;
  usage?: string[];
  enabled?: boolean;
  state?: string;
}

export interface KeyDto {
  uuid: string;
  name: string;
  description?: string;
  creationTime?: string;
  tokenProfileUuid?: string;
  tokenProfileName?: string;
  tokenInstanceUuid?: string;
  tokenInstanceName?: string;
  owner?: string;
  items: KeyItemDto[];
}

export interface KeyDetailDto extends KeyDto {
  associations?: { uuid: string; name: string; resource: string }[];
}

/** List item of POST /v1/certificates. */
export interface CertificateDto {
  uuid: string;
  commonName: string;
  serialNumber?: string;
  fingerprint?: string;
  issuerCommonName?: string;
  issuerDn?: string;
  subjectDn: string;
  notBefore?: string;
  notAfter?: string;
  publicKeyAlgorithm: string;
  signatureAlgorithm?: string;
  keySize: number;
  state: CertificateStateCode;
  validationStatus: string;
  complianceStatus: string;
  raProfile?: SimplifiedRaProfileDto;
  groups?: GroupDto[];
  owner?: string;
  ownerUuid?: string;
  certificateType: "X.509" | "SSH";
  privateKeyAvailability: boolean;
  hybridCertificate: boolean;
  archived?: boolean;
}

export interface CertificateRequestDto {
  uuid: string;
  certificateRequestFormat: "pkcs10" | "crmf";
  content: string;
  commonName?: string;
  subjectDn?: string;
  keyUuid?: string;
}

/** GET /v1/certificates/{uuid}. */
export interface CertificateDetailDto extends CertificateDto {
  certificateContent?: string;
  extendedKeyUsage?: string[];
  keyUsage?: string[];
  subjectType?: string;
  subjectAlternativeNames?: Record<string, string[]>;
  key?: KeyDto;
  certificateRequest?: CertificateRequestDto;
  issueAttributes?: RequestAttribute[];
  revokeAttributes?: RequestAttribute[];
}

export interface SearchFilterRequestDto {
  fieldSource: "meta" | "custom" | "data" | "property";
  fieldIdentifier: string;
  condition: string;
  value?: unknown;
}

export interface CertificateSearchRequestDto {
  filters?: SearchFilterRequestDto[];
  itemsPerPage?: number;
  pageNumber?: number;
  includeArchived?: boolean;
}

export interface CertificateResponseDto {
  certificates: CertificateDto[];
  itemsPerPage: number;
  pageNumber: number;
  totalPages: number;
  totalItems: number;
}

export interface CertificateContentDto {
  uuid: string;
  commonName?: string;
  serialNumber?: string;
  certificateContent?: string;
}

export interface CertificateEventHistoryDto {
  uuid: string;
  certificateUuid: string;
  created: string;
  createdBy?: string;
  event: string;
  status: "SUCCESS" | "FAILED";
  message?: string;
  additionalInformation?: Record<string, unknown>;
}

export interface RequestAttributeContent {
  reference?: string;
  data: unknown;
}

export interface RequestAttribute {
  uuid?: string;
  name: string;
  contentType: string;
  content: RequestAttributeContent[];
  version?: "v2" | "v3";
}

/** BaseAttribute (v2 data attribute) as listed by …/attributes/issue|revoke. */
export interface BaseAttribute {
  uuid: string;
  name: string;
  type: "data" | "info" | "group" | "custom" | "meta";
  contentType: string;
  description?: string;
  content?: RequestAttributeContent[];
  properties?: { label?: string; visible?: boolean; required?: boolean; readOnly?: boolean; list?: boolean; multiSelect?: boolean };
  constraints?: { type: "regExp" | "range" | "dateTime"; description?: string; errorMessage?: string; data: unknown }[];
}

export interface ClientCertificateSignRequestDto {
  request?: string;
  format?: "pkcs10" | "crmf";
  attributes: RequestAttribute[];
  csrAttributes?: RequestAttribute[];
  signatureAttributes?: RequestAttribute[];
  customAttributes?: RequestAttribute[];
  tokenProfileUuid?: string;
  keyUuid?: string;
}

export interface ClientCertificateRenewRequestDto {
  replaceInLocations?: boolean;
  request?: string;
  format?: "pkcs10" | "crmf";
}

export interface ClientCertificateRekeyRequestDto extends ClientCertificateRenewRequestDto {
  keyUuid?: string;
  tokenProfileUuid?: string;
  signatureAttributes?: RequestAttribute[];
}

export interface ClientCertificateRevocationDto {
  reason?: CertificateRevocationReason;
  attributes: RequestAttribute[];
  destroyKey?: boolean;
}

export interface UploadCertificateRequestDto {
  certificate: string;
  customAttributes?: RequestAttribute[];
}

export interface CancelPendingCertificateRequestDto {
  reason?: string;
}

export interface ClientCertificateDataResponseDto {
  certificateData?: string;
  uuid: string;
}

export interface RaProfileDto {
  uuid: string;
  name: string;
  description?: string;
  authorityInstanceUuid: string;
  authorityInstanceName?: string;
  legacyAuthority?: boolean;
  enabled: boolean;
}

export interface AuthorityInstanceDto {
  uuid: string;
  name: string;
  status?: string;
  connectorUuid?: string;
  connectorName?: string;
  kind?: string;
}

/** Legacy v1. */
export type EndEntityStatus =
  "NEW" | "FAILED" | "INITIALIZED" | "IN_PROCESS" | "GENERATED" | "REVOKED" | "HISTORICAL" | "KEY_RECOVERY" | "WAITING_FOR_ADD_APPROVAL";

export interface ClientEndEntityDto {
  username: string;
  subjectDN: string;
  email?: string;
  extensionData?: { name: string; value: string }[];
  subjectAltName?: string;
  status: EndEntityStatus;
}

export interface ClientAddEndEntityRequestDto {
  username: string;
  password: string;
  subjectDN: string;
  email?: string;
  subjectAltName?: string;
  extensionData?: { name: string; value: string }[];
  raProfile?: unknown;
}

export interface ClientEditEndEntityRequestDto extends Omit<ClientAddEndEntityRequestDto, "username"> {
  status: EndEntityStatus;
}

export interface LegacyClientCertificateSignRequestDto {
  username: string;
  password: string;
  pkcs10: string;
}

export interface LegacyClientCertificateRevocationDto {
  certificateSN: string;
  issuerDN: string;
  reason: CertificateRevocationReason;
}

export interface ClientCertificateSignResponseDto {
  certificateData: string;
}

/** ErrorMessageDto; 422 ValidationException bodies are a bare string[] instead. */
export interface ErrorMessageDto {
  message: string;
}
