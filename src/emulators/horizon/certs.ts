import { createHash, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import forge from "node-forge";
import { type EmulatorCa, generateKeyPair, parseCertificate, readSans, type SubjectAltNames } from "../ca.js";
import type { HzCertificate, HzIndexedDnElement, HzSanElement, HzSanType } from "../../backends/horizon/wire.js";
import { bad } from "./problems.js";

/** Seed DN element types → attribute names/OIDs @peculiar/x509 understands. */
const DN_ATTRS: Record<string, string> = {
  cn: "CN", e: "E", ou: "OU", o: "O", c: "C", st: "ST", l: "L", dc: "DC", t: "T",
  uid: "0.9.2342.19200300.100.1.1", serialNumber: "2.5.4.5", surname: "2.5.4.4", givenName: "2.5.4.42",
  street: "2.5.4.9", description: "2.5.4.13", organizationIdentifier: "2.5.4.97",
};
const ELEMENT_RE = /^([A-Za-z]+)\.([1-9]\d*)$/;

/** Builds "CN=…,O=…" from `[{element:"cn.1", value}]`; WEBRA-ENROLL-004 on a bad element. */
export function subjectFromTemplate(elements: HzIndexedDnElement[]): string {
  const parts: string[] = [];
  for (const el of elements) {
    const m = ELEMENT_RE.exec(el.element ?? "");
    const attr = m ? DN_ATTRS[m[1]!] : undefined;
    if (!attr) throw bad("WEBRA-ENROLL-004", "Invalid subject parameter(s)", `unknown DN element ${el.element}`);
    if (el.value === null || el.value === "") continue;
    parts.push(`${attr}=${el.value.replace(/([,+"\\<>;=])/g, "\\$1")}`);
  }
  if (parts.length === 0) throw bad("WEBRA-ENROLL-004", "Invalid subject parameter(s)", "empty subject");
  return parts.join(",");
}

const SAN_KEYS: Partial<Record<HzSanType, keyof SubjectAltNames>> = { DNSNAME: "dns", RFC822NAME: "email", IPADDRESS: "ip", URI: "uri" };

/** Template SANs → CA SANs; WEBRA-ENROLL-005 for types the emulator CA cannot encode. */
export function sansFromTemplate(sans: HzSanElement[]): SubjectAltNames {
  const out: SubjectAltNames = {};
  for (const san of sans) {
    const key = SAN_KEYS[san.type];
    if (!key || !Array.isArray(san.value)) throw bad("WEBRA-ENROLL-005", "Invalid subject alternate name parameter(s)", `unsupported SAN ${san.type}`);
    (out[key] ??= []).push(...san.value);
  }
  return out;
}

function wireSans(cert: x509.X509Certificate): HzCertificate["subjectAlternateNames"] {
  const s = readSans(cert);
  const pick = (type: HzSanType, values?: string[]) => (values ?? []).map(value => ({ sanType: type, value }));
  return [...pick("DNSNAME", s.dns), ...pick("RFC822NAME", s.email), ...pick("IPADDRESS", s.ip), ...pick("URI", s.uri)];
}

/** Horizon key type names: rsa-2048, ec-secp256r1… */
export function keyTypeOf(cert: x509.X509Certificate): string {
  const alg = cert.publicKey.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  if (alg.name === "ECDSA") return `ec-${({ "P-256": "secp256r1", "P-384": "secp384r1", "P-521": "secp521r1" } as Record<string, string>)[alg.namedCurve ?? ""] ?? alg.namedCurve}`;
  return `rsa-${alg.modulusLength ?? 2048}`;
}

/** DN + sorted SANs hash: the same holder gets the same id across renewals. */
export function holderIdOf(dn: string, sans: { value: string }[]): string {
  return createHash("sha256").update([dn, ...sans.map(s => s.value).sort()].join("|")).digest("hex").slice(0, 40);
}

/** The Certificate object for a real X.509 certificate. */
export function toWireCertificate(id: string, pem: string, extra: Partial<HzCertificate>): HzCertificate {
  const cert = parseCertificate(pem);
  const der = Buffer.from(cert.rawData);
  const sans = wireSans(cert);
  return {
    _id: id,
    certificate: cert.toString("pem"),
    dn: cert.subject,
    issuer: cert.issuer,
    serial: cert.serialNumber,
    notBefore: cert.notBefore.getTime(),
    notAfter: cert.notAfter.getTime(),
    thumbprint: createHash("sha1").update(der).digest("hex"),
    publicKeyThumbprint: createHash("sha256").update(Buffer.from(cert.publicKey.rawData)).digest("hex"),
    keyType: keyTypeOf(cert),
    signingAlgorithm: "SHA256WITHECDSA",
    selfSigned: cert.subject === cert.issuer,
    revoked: false,
    escrowed: false,
    module: "webra",
    holderId: holderIdOf(cert.subject, sans),
    subjectAlternateNames: sans,
    metadata: [],
    labels: [],
    ...extra,
  };
}

export interface CentralizedResult { pem: string; privateKeyPem: string }

/** Server-side key generation (RSA-2048: node-forge's PKCS#12 writer only handles RSA keys). */
export async function issueCentralized(ca: EmulatorCa, subject: string, sans: SubjectAltNames, validityDays: number, notBefore: Date): Promise<CentralizedResult> {
  const keys = await generateKeyPair("RSA");
  const spki = await webcrypto.subtle.exportKey("spki", keys.publicKey);
  const issued = await ca.signPublicKey(new x509.PublicKey(spki), subject, sans, { validityDays, notBefore });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  const privateKeyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/(.{64})/g, "$1\n")}\n-----END PRIVATE KEY-----\n`;
  return { pem: issued.pem, privateKeyPem };
}

/**
 * base64 PKCS#12 (3DES, as most readers accept) holding the key and its certificate.
 * forge re-encodes certificates it parses (adding NULL params to ECDSA algorithm ids, which breaks the
 * issuer's signature), so the original DER is handed to it through a temporary certificateToAsn1 hook.
 */
export function buildPkcs12(privateKeyPem: string, certPem: string, password: string): string {
  const key = forge.pki.privateKeyFromPem(privateKeyPem);
  const original = forge.asn1.fromDer(Buffer.from(parseCertificate(certPem).rawData).toString("binary"));
  const marker = {} as forge.pki.Certificate;
  const pki = forge.pki as unknown as { certificateToAsn1(c: forge.pki.Certificate): forge.asn1.Asn1 };
  const toAsn1 = pki.certificateToAsn1;
  pki.certificateToAsn1 = c => (c === marker ? original : toAsn1(c));
  try {
    const asn1 = forge.pkcs12.toPkcs12Asn1(key, [marker], password, { algorithm: "3des", friendlyName: "horizon" });
    return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary").toString("base64");
  } finally {
    pki.certificateToAsn1 = toAsn1;
  }
}

export function randomPassword(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(12))).toString("base64url");
}
