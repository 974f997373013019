import type { CertificateRecord } from "../../model/certificate.type.js";
import { Backend } from "../../model/enums.js";
import type { RequestRecord } from "../../model/request.type.js";
import { toGlobalId } from "../../domain/ids.js";
import { requestStatusFromHorizon, stateFromHorizon } from "./states.js";

type KeyValue = { key: string; value?: string | null };

/** The Horizon Certificate fields the graph reads (seed §Certificate). */
export interface HzCertificateLike {
  _id: string;
  certificate?: string;
  dn?: string;
  issuer?: string;
  serial?: string;
  notBefore?: number;
  notAfter?: number;
  thumbprint?: string;
  revoked?: boolean;
  revocationDate?: number | null;
  revocationReason?: string | null;
  owner?: string | null;
  team?: string | null;
  profile?: string | null;
  module?: string;
  holderId?: string;
  labels?: KeyValue[] | null;
}

const ms = (v: number | null | undefined): Date | undefined => (typeof v === "number" ? new Date(v) : undefined);
const labels = (l: KeyValue[] | null | undefined) => (l ?? []).map(x => ({ key: x.key, value: x.value ?? undefined }));

export function certificateFromHorizon(c: HzCertificateLike): CertificateRecord {
  const notAfter = ms(c.notAfter);
  return {
    id: toGlobalId("Certificate", Backend.HORIZON, c._id),
    backend: Backend.HORIZON,
    backendId: c._id,
    state: stateFromHorizon(c.revoked, notAfter),
    content: c.certificate || undefined,
    subjectDn: c.dn,
    issuerDn: c.issuer,
    serialNumber: c.serial,
    notBefore: ms(c.notBefore),
    notAfter,
    owner: c.owner ?? undefined,
    groups: [],
    labels: labels(c.labels),
    profile: c.profile ?? undefined,
    team: c.team ?? undefined,
    module: c.module,
    holderId: c.holderId,
    revocationDate: ms(c.revocationDate),
    revocationReason: c.revocationReason ?? undefined,
  };
}

/** The Horizon Request fields the graph reads (seed 201 / GET /api/v1/requests/{id}). */
export interface HzRequestLike {
  _id: string;
  status?: string;
  module?: string;
  workflow?: string;
  profile?: string;
  dn?: string | null;
  holderId?: string | null;
  requester?: string | null;
  approver?: string | null;
  team?: string | null;
  contact?: string | null;
  requesterComment?: string | null;
  approverComment?: string | null;
  registrationDate?: number;
  lastModificationDate?: number;
  expirationDate?: number | null;
  labels?: KeyValue[] | null;
  metadata?: KeyValue[] | null;
  certificate?: { _id?: string } | null;
  certificateId?: string | null;
  globalHolderIdCount?: number | null;
  profileHolderIdCount?: number | null;
  error?: string | null;
  dryRun?: boolean | null;
}

export function requestFromHorizon(r: HzRequestLike): RequestRecord {
  return {
    id: toGlobalId("Request", Backend.HORIZON, r._id),
    backendId: r._id,
    status: requestStatusFromHorizon(r.status),
    module: r.module ?? "webra",
    workflow: r.workflow ?? "enroll",
    profile: r.profile,
    dn: r.dn ?? undefined,
    holderId: r.holderId ?? undefined,
    requester: r.requester ?? undefined,
    approver: r.approver ?? undefined,
    team: r.team ?? undefined,
    contact: r.contact ?? undefined,
    requesterComment: r.requesterComment ?? undefined,
    approverComment: r.approverComment ?? undefined,
    registrationDate: ms(r.registrationDate),
    lastModificationDate: ms(r.lastModificationDate),
    expirationDate: ms(r.expirationDate),
    labels: labels(r.labels),
    metadata: labels(r.metadata),
    certificateBackendId: r.certificate?._id ?? r.certificateId ?? undefined,
    globalHolderIdCount: r.globalHolderIdCount ?? undefined,
    profileHolderIdCount: r.profileHolderIdCount ?? undefined,
    error: r.error ?? undefined,
    dryRun: r.dryRun ?? undefined,
  };
}
