import "./crypto-provider.js"; // first: the Reflect polyfill and WebCrypto for @peculiar/x509
import { createHash } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  BasicConstraints,
  Certificate as AsnCertificate,
  ExtendedKeyUsage,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  KeyUsage,
  SubjectAlternativeName,
} from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import { LRUCache } from "lru-cache";

export interface DecodedName {
  dn: string;
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
  locality?: string;
  stateOrProvince?: string;
  email?: string;
}

export interface DecodedCertificate {
  subject: DecodedName;
  issuer: DecodedName;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  fingerprintSha256: string;
  fingerprintSha1: string;
  publicKeyAlgorithm: string;
  publicKeySize?: number;
  publicKeyCurve?: string;
  signatureAlgorithm: string;
  sans: { dns: string[]; email: string[]; ip: string[]; uri: string[]; other: string[] };
  keyUsage: string[];
  extendedKeyUsage: string[];
  basicConstraints?: { ca: boolean; pathLength?: number };
  pem: string;
}

/** Thrown when certificate content cannot be decoded. */
export class CertificateDecodeError extends Error {
  override readonly name = "CertificateDecodeError";
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

const EKU_NAMES: Record<string, string> = {
  "1.3.6.1.5.5.7.3.1": "serverAuth",
  "1.3.6.1.5.5.7.3.2": "clientAuth",
  "1.3.6.1.5.5.7.3.3": "codeSigning",
  "1.3.6.1.5.5.7.3.4": "emailProtection",
  "1.3.6.1.5.5.7.3.8": "timeStamping",
  "1.3.6.1.5.5.7.3.9": "ocspSigning",
  "1.3.6.1.4.1.311.20.2.2": "smartcardLogon",
};

function decodeName(name: x509.Name): DecodedName {
  const first = (type: string) => name.getField(type)[0];
  return {
    dn: name.toString(),
    commonName: first("CN"),
    organization: first("O"),
    organizationalUnit: first("OU"),
    country: first("C"),
    locality: first("L"),
    stateOrProvince: first("ST"),
    email: first("E") ?? first("1.2.840.113549.1.9.1"),
  };
}

/** A DN the backend gave as text (before issuance there is no certificate to decode); `{dn}` alone if it does not parse. */
export function decodeDnString(dn: string): DecodedName {
  try {
    return { ...decodeName(new x509.Name(dn)), dn };
  } catch {
    return { dn };
  }
}

const ONE_PEM_BLOCK = /^-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*-----END \1-----$/;

/**
 * The DER bytes of exactly one PEM block (decoded by @peculiar/x509's PemConverter) or of base64 DER;
 * undefined for anything else: several blocks, text around the block, bad base64, nothing.
 * The one PEM/DER reader of the gateway: user input (CSRs, certificates) and backend certificate content.
 */
export function derBytes(content: string): Uint8Array<ArrayBuffer> | undefined {
  const text = content.trim();
  if (text.startsWith("-----BEGIN")) {
    if (!ONE_PEM_BLOCK.test(text)) return undefined;
    try {
      const blocks = x509.PemConverter.decode(text);
      return blocks.length === 1 && blocks[0]!.byteLength > 0 ? new Uint8Array(blocks[0]!) : undefined;
    } catch {
      return undefined; // not base64 inside the armor
    }
  }
  const compact = text.replace(/\s+/g, "");
  if (!compact || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  const buf = Buffer.from(compact, "base64");
  return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
}

function publicKeyInfo(cert: x509.X509Certificate): Pick<DecodedCertificate, "publicKeyAlgorithm" | "publicKeySize" | "publicKeyCurve"> {
  const alg = cert.publicKey.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  if (alg.name === "ECDSA" || alg.name === "ECDH") {
    const curve = alg.namedCurve;
    const size = curve ? Number(curve.replace(/\D/g, "")) || undefined : undefined;
    return { publicKeyAlgorithm: "EC", publicKeyCurve: curve, publicKeySize: size };
  }
  if (alg.name.startsWith("RSA")) return { publicKeyAlgorithm: "RSA", publicKeySize: alg.modulusLength };
  return { publicKeyAlgorithm: alg.name };
}

/**
 * Reads the extensions the graph shows straight from the parsed ASN.1. Building @peculiar/x509's own
 * extension objects (`getExtension`, `extensions`) made a cold decode about twice as slow (1212 → 603 µs
 * per certificate, same output; README, Benchmarks (d)).
 */
function readExtensions(asn: AsnCertificate) {
  const sans: DecodedCertificate["sans"] = { dns: [], email: [], ip: [], uri: [], other: [] };
  let keyUsageFlags: number | undefined;
  let extendedKeyUsage: string[] = [];
  let basicConstraints: DecodedCertificate["basicConstraints"];
  for (const ext of asn.tbsCertificate.extensions ?? []) {
    const value = ext.extnValue.buffer;
    if (ext.extnID === id_ce_subjectAltName) {
      for (const n of AsnConvert.parse(value, SubjectAlternativeName)) {
        if (n.dNSName !== undefined) sans.dns.push(n.dNSName);
        else if (n.rfc822Name !== undefined) sans.email.push(n.rfc822Name);
        else if (n.iPAddress !== undefined) sans.ip.push(n.iPAddress);
        else if (n.uniformResourceIdentifier !== undefined) sans.uri.push(n.uniformResourceIdentifier);
        else if (n.registeredID !== undefined) sans.other.push(`id:${n.registeredID}`);
        else if (n.otherName !== undefined) sans.other.push(`other:${n.otherName.typeId}`);
        else if (n.directoryName !== undefined) sans.other.push(`dn:${new x509.Name(n.directoryName).toString()}`);
      }
    } else if (ext.extnID === id_ce_keyUsage) keyUsageFlags = AsnConvert.parse(value, KeyUsage).toNumber();
    else if (ext.extnID === id_ce_extKeyUsage) extendedKeyUsage = [...AsnConvert.parse(value, ExtendedKeyUsage)].map(String);
    else if (ext.extnID === id_ce_basicConstraints) {
      const bc = AsnConvert.parse(value, BasicConstraints);
      basicConstraints = { ca: bc.cA, pathLength: bc.pathLenConstraint };
    }
  }
  return { sans, keyUsageFlags, extendedKeyUsage, basicConstraints };
}

function decodeUncached(der: Uint8Array<ArrayBuffer>, sha256: string): DecodedCertificate {
  // Parsed once, here, and handed to @peculiar/x509 (its public constructor from ASN.1): the extensions are
  // then read from the same parse, without reaching into the library's protected `asn` field.
  let asn: AsnCertificate;
  let cert: x509.X509Certificate;
  try {
    asn = AsnConvert.parse(der, AsnCertificate);
    cert = new x509.X509Certificate(asn);
  } catch (cause) {
    throw new CertificateDecodeError("certificate content is not a valid X.509 certificate", { cause });
  }
  const { sans, keyUsageFlags, extendedKeyUsage, basicConstraints } = readExtensions(asn);
  const sig = cert.signatureAlgorithm as { name: string; hash?: { name: string } };
  return {
    subject: decodeName(cert.subjectName),
    issuer: decodeName(cert.issuerName),
    serialNumber: cert.serialNumber.toLowerCase(),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    fingerprintSha256: sha256,
    fingerprintSha1: createHash("sha1").update(der).digest("hex"),
    ...publicKeyInfo(cert),
    signatureAlgorithm: sig.hash ? `${sig.hash.name.replace("-", "")}with${sig.name === "ECDSA" ? "ECDSA" : "RSA"}` : sig.name,
    sans,
    keyUsage: keyUsageFlags === undefined ? [] : KEY_USAGE_NAMES.filter(([flag]) => (keyUsageFlags & flag) !== 0).map(([, name]) => name),
    extendedKeyUsage: extendedKeyUsage.map(u => EKU_NAMES[u] ?? u),
    basicConstraints,
    pem: x509.PemConverter.encode(der, "CERTIFICATE"), // the DER as received (cert.rawData would re-encode the parse)
  };
}

/** Decoded certificates by SHA-256 fingerprint; bounded (least recently used out first) so a large inventory cannot grow memory without end. */
const cache = new LRUCache<string, DecodedCertificate>({ max: 20_000 });
export const decodeStats = { hits: 0, misses: 0 };

/**
 * Decodes certificate content (PEM or base64 DER) into the fields the graph exposes.
 * Results are cached by fingerprint: the same certificate from either backend is decoded once.
 */
export function decodeCertificate(content: string): DecodedCertificate {
  if (!content.trim()) throw new CertificateDecodeError("certificate content is empty");
  const der = derBytes(content);
  if (!der) throw new CertificateDecodeError("certificate content is neither one PEM block nor base64 DER");
  const sha256 = createHash("sha256").update(der).digest("hex");
  const hit = cache.get(sha256);
  if (hit) {
    decodeStats.hits++;
    return hit;
  }
  decodeStats.misses++;
  const decoded = decodeUncached(der, sha256);
  cache.set(sha256, decoded);
  return decoded;
}

/** Empties the decode cache (benchmarks measure cold decoding with it). */
export function clearDecodeCache(): void {
  cache.clear();
}
