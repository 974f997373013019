import type { CertificateRecord } from "../../model/certificate.type.js";
import { Backend } from "../../model/enums.js";
import { Key } from "../../model/key.type.js";
import { Authority, EndEntity, RaProfile } from "../../model/ra-profile.type.js";
import { toGlobalId } from "../../domain/ids.js";
import { stateFromCzertainly } from "./states.js";

/** The CZERTAINLY certificate fields the graph reads (CertificateDto / CertificateDetailDto). */
export interface CzCertificateLike {
  uuid: string;
  state?: string;
  subjectDn?: string;
  issuerDn?: string;
  serialNumber?: string;
  notBefore?: string;
  notAfter?: string;
  fingerprint?: string;
  certificateContent?: string;
  owner?: string;
  groups?: { name: string }[];
  raProfile?: { uuid?: string; name?: string; authorityInstanceUuid?: string };
  key?: { uuid?: string };
  complianceStatus?: string;
  validationStatus?: string;
}

const date = (v: string | number | undefined): Date | undefined => {
  if (v === undefined || v === null || v === "") return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

/** Maps a CZERTAINLY certificate (list item or detail) to the unified record; `content` may come from the batch content call. */
export function certificateFromCzertainly(dto: CzCertificateLike, content?: string): CertificateRecord {
  const notAfter = date(dto.notAfter);
  return {
    id: toGlobalId("Certificate", Backend.CZERTAINLY, dto.uuid),
    backend: Backend.CZERTAINLY,
    backendId: dto.uuid,
    state: stateFromCzertainly(dto.state, notAfter),
    content: dto.certificateContent || content || undefined,
    subjectDn: dto.subjectDn,
    issuerDn: dto.issuerDn,
    serialNumber: dto.serialNumber,
    notBefore: date(dto.notBefore),
    notAfter,
    fingerprintSha256: dto.fingerprint?.toLowerCase(),
    owner: dto.owner,
    groups: (dto.groups ?? []).map(g => g.name),
    labels: [],
    raProfileUuid: dto.raProfile?.uuid,
    authorityUuid: dto.raProfile?.authorityInstanceUuid,
    keyUuid: dto.key?.uuid,
    complianceStatus: dto.complianceStatus,
    validationStatus: dto.validationStatus,
  };
}

export interface CzKeyLike {
  uuid: string;
  name?: string;
  description?: string;
  creationTime?: string;
  tokenProfileName?: string;
  tokenInstanceName?: string;
  owner?: string;
  items?: {
    uuid: string;
    name?: string;
    type?: string;
    keyAlgorithm?: string;
    format?: string;
    length?: number;
    state?: string;
    usage?: string[];
    enabled?: boolean;
  }[];
}

export function keyFromCzertainly(dto: CzKeyLike): Key {
  return Object.assign(new Key(), {
    id: toGlobalId("Key", Backend.CZERTAINLY, dto.uuid),
    backend: Backend.CZERTAINLY,
    backendId: dto.uuid,
    name: dto.name,
    description: dto.description,
    creationTime: date(dto.creationTime),
    tokenProfileName: dto.tokenProfileName,
    tokenInstanceName: dto.tokenInstanceName,
    owner: dto.owner,
    items: (dto.items ?? []).map(i => ({
      uuid: i.uuid,
      name: i.name,
      type: i.type,
      algorithm: i.keyAlgorithm,
      format: i.format,
      length: i.length,
      state: i.state,
      usage: i.usage ?? [],
      enabled: i.enabled,
    })),
  });
}

export interface CzRaProfileLike {
  uuid: string;
  name: string;
  description?: string;
  enabled?: boolean;
  legacyAuthority?: boolean;
  authorityInstanceUuid?: string;
  authorityInstanceName?: string;
}

export function raProfileFromCzertainly(dto: CzRaProfileLike): RaProfile {
  return Object.assign(new RaProfile(), {
    id: toGlobalId("RaProfile", Backend.CZERTAINLY, dto.uuid),
    backend: Backend.CZERTAINLY,
    backendId: dto.uuid,
    name: dto.name,
    description: dto.description,
    enabled: dto.enabled ?? true,
    legacyAuthority: dto.legacyAuthority ?? false,
    authorityUuid: dto.authorityInstanceUuid,
    authorityName: dto.authorityInstanceName,
  });
}

export interface CzAuthorityLike {
  uuid: string;
  name: string;
  status?: string;
  kind?: string;
  connectorName?: string;
}

export function authorityFromCzertainly(dto: CzAuthorityLike): Authority {
  return Object.assign(new Authority(), {
    id: toGlobalId("Authority", Backend.CZERTAINLY, dto.uuid),
    backend: Backend.CZERTAINLY,
    backendId: dto.uuid,
    name: dto.name,
    status: dto.status,
    kind: dto.kind,
    connectorName: dto.connectorName,
  });
}

export interface CzEndEntityLike {
  username: string;
  subjectDN: string;
  email?: string;
  subjectAltName?: string;
  status: string;
}

export function endEntityFromCzertainly(dto: CzEndEntityLike): EndEntity {
  return Object.assign(new EndEntity(), {
    username: dto.username,
    subjectDn: dto.subjectDN,
    email: dto.email,
    subjectAltName: dto.subjectAltName,
    status: dto.status,
  });
}
