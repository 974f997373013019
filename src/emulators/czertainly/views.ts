import { createHash } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type {
  CertificateDetailDto,
  CertificateDto,
  KeyDetailDto,
  KeyDto,
  RaProfileDto,
  AuthorityInstanceDto,
} from "../../backends/czertainly/wire.js";
import { readSans } from "../ca.js";
import { type CzertainlyState, type EmulatedKey, type StoredCertificate, TOKEN } from "./model.js";

/** What Core derives from the certificate (or, before issuance, from the request). */
interface Derived {
  commonName: string;
  subjectDn: string;
  issuerDn?: string;
  issuerCommonName?: string;
  serialNumber?: string;
  fingerprint?: string;
  notBefore?: string;
  notAfter?: string;
  publicKeyAlgorithm: string;
  keySize: number;
  signatureAlgorithm?: string;
  keyUsage: string[];
  extendedKeyUsage: string[];
  subjectAlternativeNames: Record<string, string[]>;
  publicKey: string;
}

const cache = new Map<string, Derived>();

const cn = (dn: string) => /(?:^|,\s*)CN=([^,]+)/.exec(dn)?.[1] ?? "";

function keyInfo(publicKey: x509.PublicKey): { publicKeyAlgorithm: string; keySize: number } {
  const alg = publicKey.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  if (alg.name === "ECDSA") return { publicKeyAlgorithm: "ECDSA", keySize: Number(/\d+/.exec(alg.namedCurve ?? "P-256")?.[0] ?? 256) };
  return { publicKeyAlgorithm: "RSA", keySize: alg.modulusLength ?? 2048 };
}

const KEY_USAGE_NAMES: [number, string][] = [
  [x509.KeyUsageFlags.digitalSignature, "digitalSignature"],
  [x509.KeyUsageFlags.nonRepudiation, "nonRepudiation"],
  [x509.KeyUsageFlags.keyEncipherment, "keyEncipherment"],
  [x509.KeyUsageFlags.dataEncipherment, "dataEncipherment"],
  [x509.KeyUsageFlags.keyAgreement, "keyAgreement"],
  [x509.KeyUsageFlags.keyCertSign, "keyCertSign"],
  [x509.KeyUsageFlags.cRLSign, "cRLSign"],
  [x509.KeyUsageFlags.encipherOnly, "encipherOnly"],
  [x509.KeyUsageFlags.decipherOnly, "decipherOnly"],
];

function sanMap(item: x509.X509Certificate | x509.Pkcs10CertificateRequest): Record<string, string[]> {
  const s = readSans(item);
  const out: Record<string, string[]> = {};
  if (s.dns?.length) out.dNSName = s.dns;
  if (s.email?.length) out.rfc822Name = s.email;
  if (s.ip?.length) out.iPAddress = s.ip;
  if (s.uri?.length) out.uniformResourceIdentifier = s.uri;
  return out;
}

function derive(cert: StoredCertificate): Derived {
  const source = cert.content ?? cert.csr ?? "";
  const hit = cache.get(source);
  if (hit) return hit;
  let d: Derived;
  if (cert.content) {
    const c = new x509.X509Certificate(Buffer.from(cert.content, "base64"));
    const ku = c.getExtension(x509.KeyUsagesExtension);
    const eku = c.getExtension(x509.ExtendedKeyUsageExtension);
    const sigHash = (c.signatureAlgorithm as { hash?: { name?: string } }).hash?.name?.replace("-", "") ?? "SHA256";
    d = {
      commonName: cn(c.subject),
      subjectDn: c.subject,
      issuerDn: c.issuer,
      issuerCommonName: cn(c.issuer),
      serialNumber: c.serialNumber.toLowerCase(),
      fingerprint: createHash("sha256").update(Buffer.from(c.rawData)).digest("hex"),
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      ...keyInfo(c.publicKey),
      signatureAlgorithm: `${sigHash}with${c.signatureAlgorithm.name === "ECDSA" ? "ECDSA" : "RSA"}`,
      keyUsage: ku ? KEY_USAGE_NAMES.filter(([flag]) => (ku.usages & flag) !== 0).map(([, name]) => name) : [],
      extendedKeyUsage: eku ? eku.usages.map(String) : [],
      subjectAlternativeNames: sanMap(c),
      publicKey: Buffer.from(c.publicKey.rawData).toString("base64"),
    };
  } else {
    const r = new x509.Pkcs10CertificateRequest(Buffer.from(cert.csr ?? "", "base64"));
    d = {
      commonName: cn(r.subject),
      subjectDn: r.subject,
      ...keyInfo(r.publicKey),
      keyUsage: [],
      extendedKeyUsage: [],
      subjectAlternativeNames: sanMap(r),
      publicKey: Buffer.from(r.publicKey.rawData).toString("base64"),
    };
  }
  if (cache.size > 5_000) cache.clear();
  cache.set(source, d);
  return d;
}

/** The SubjectPublicKeyInfo (base64) of a stored certificate or its request. */
export const publicKeyOf = (cert: StoredCertificate): string => derive(cert).publicKey;
export const derivedOf = derive;

function keyDto(key: EmulatedKey): KeyDto {
  const item = (uuid: string, type: "Private" | "Public") => ({
    uuid,
    name: `${key.name}-${type.toLowerCase()}`,
    type,
    keyAlgorithm: key.algorithm,
    format: type === "Private" ? "PrivateKeyInfo" : "SubjectPublicKeyInfo",
    length: key.length,
    usage: type === "Private" ? ["sign"] : ["verify"],
    enabled: key.state === "active",
    state: key.state,
  });
  return {
    uuid: key.uuid,
    name: key.name,
    description: "Key pair generated on the emulated soft token",
    creationTime: key.creationTime,
    tokenProfileUuid: TOKEN.profileUuid,
    tokenProfileName: TOKEN.profileName,
    tokenInstanceUuid: TOKEN.instanceUuid,
    tokenInstanceName: TOKEN.instanceName,
    owner: "emulator",
    items: [item(key.privateItemUuid, "Private"), item(key.publicItemUuid, "Public")],
  };
}

export function keyDetailDto(state: CzertainlyState, key: EmulatedKey): KeyDetailDto {
  return {
    ...keyDto(key),
    associations: key.certificateUuids.map(uuid => ({
      uuid,
      name: state.certificates.get(uuid) ? derive(state.certificates.get(uuid)!).commonName : uuid,
      resource: "certificates",
    })),
  };
}

export function certificateDto(state: CzertainlyState, cert: StoredCertificate): CertificateDto {
  const d = derive(cert);
  const profile = state.raProfiles.get(cert.raProfileUuid);
  return {
    uuid: cert.uuid,
    commonName: d.commonName,
    subjectDn: d.subjectDn,
    ...(d.serialNumber
      ? { serialNumber: d.serialNumber, fingerprint: d.fingerprint, issuerDn: d.issuerDn, issuerCommonName: d.issuerCommonName }
      : {}),
    ...(d.notBefore ? { notBefore: d.notBefore, notAfter: d.notAfter, signatureAlgorithm: d.signatureAlgorithm } : {}),
    publicKeyAlgorithm: d.publicKeyAlgorithm,
    keySize: d.keySize,
    state: cert.state,
    validationStatus: validationStatus(cert, d),
    complianceStatus: "ok",
    ...(profile
      ? { raProfile: { uuid: profile.uuid, name: profile.name, enabled: profile.enabled, authorityInstanceUuid: profile.authorityUuid } }
      : {}),
    groups: cert.groups,
    ...(cert.owner ? { owner: cert.owner, ownerUuid: "0b9a6e9e-7b6c-4c1e-9c7f-1f2e3d4c5b6a" } : {}),
    certificateType: "X.509",
    privateKeyAvailability: Boolean(cert.keyUuid),
    hybridCertificate: false,
    archived: false,
  };
}

function validationStatus(cert: StoredCertificate, d: Derived): string {
  if (cert.state === "revoked") return "revoked";
  if (!d.notAfter) return "not_checked";
  const left = new Date(d.notAfter).getTime() - Date.now();
  if (left < 0) return "expired";
  return left < 30 * 86_400_000 ? "expiring" : "valid";
}

export function certificateDetailDto(state: CzertainlyState, cert: StoredCertificate): CertificateDetailDto {
  const d = derive(cert);
  const key = cert.keyUuid ? state.keys.get(cert.keyUuid) : undefined;
  return {
    ...certificateDto(state, cert),
    ...(cert.content ? { certificateContent: cert.content } : {}),
    keyUsage: d.keyUsage,
    extendedKeyUsage: d.extendedKeyUsage,
    subjectType: "endEntity",
    subjectAlternativeNames: d.subjectAlternativeNames,
    ...(key ? { key: keyDto(key) } : {}),
    ...(cert.csr
      ? {
          certificateRequest: {
            uuid: cert.csrUuid,
            certificateRequestFormat: "pkcs10" as const,
            content: cert.csr,
            commonName: d.commonName,
            subjectDn: d.subjectDn,
            ...(cert.keyUuid ? { keyUuid: cert.keyUuid } : {}),
          },
        }
      : {}),
    issueAttributes: cert.issueAttributes,
    revokeAttributes: cert.revokeAttributes,
  };
}

export function raProfileDto(state: CzertainlyState, uuid: string): RaProfileDto | undefined {
  const p = state.raProfiles.get(uuid);
  if (!p) return undefined;
  const a = state.authorities.get(p.authorityUuid);
  return {
    uuid: p.uuid,
    name: p.name,
    description: p.description,
    authorityInstanceUuid: p.authorityUuid,
    authorityInstanceName: a?.name,
    legacyAuthority: a?.legacy ?? false,
    enabled: p.enabled,
  };
}

export function authorityDto(state: CzertainlyState, uuid: string): AuthorityInstanceDto | undefined {
  const a = state.authorities.get(uuid);
  return a && { uuid: a.uuid, name: a.name, status: "connected", connectorUuid: a.connectorUuid, connectorName: a.connectorName, kind: a.kind };
}
