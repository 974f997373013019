import { createHash, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { type EmulatorCa, parseCertificate, readSans, type SubjectAltNames } from "../ca.js";
import type { HzCertificate, HzIndexedDnElement, HzSanElement, HzSanType } from "../../backends/horizon/wire.js";
import { bad } from "./problems.js";

/** Seed DN element types → attribute names/OIDs @peculiar/x509 understands. */
const DN_ATTRS: Record<string, string> = {
  cn: "CN",
  e: "E",
  ou: "OU",
  o: "O",
  c: "C",
  st: "ST",
  l: "L",
  dc: "DC",
  t: "T",
  uid: "0.9.2342.19200300.100.1.1",
  serialNumber: "2.5.4.5",
  surname: "2.5.4.4",
  givenName: "2.5.4.42",
  street: "2.5.4.9",
  description: "2.5.4.13",
  organizationIdentifier: "2.5.4.97",
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
    if (!key || !Array.isArray(san.value))
      throw bad("WEBRA-ENROLL-005", "Invalid subject alternate name parameter(s)", `unsupported SAN ${san.type}`);
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
  if (alg.name === "ECDSA")
    return `ec-${({ "P-256": "secp256r1", "P-384": "secp384r1", "P-521": "secp521r1" } as Record<string, string>)[alg.namedCurve ?? ""] ?? alg.namedCurve}`;
  return `rsa-${alg.modulusLength ?? 2048}`;
}

/** DN + sorted SANs hash: the same holder gets the same id across renewals. */
export function holderIdOf(dn: string, sans: { value: string }[]): string {
  return createHash("sha256")
    .update([dn, ...sans.map(s => s.value).sort()].join("|"))
    .digest("hex")
    .slice(0, 40);
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

export interface CentralizedResult {
  pem: string;
  privateKeyPem: string;
}

/** Key types the emulator can generate for a centralized enrollment (Horizon names) → WebCrypto parameters. */
const KEY_GEN: Record<string, RsaHashedKeyGenParams | EcKeyGenParams> = {
  "rsa-2048": { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  "rsa-3072": { name: "RSASSA-PKCS1-v1_5", modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  "rsa-4096": { name: "RSASSA-PKCS1-v1_5", modulusLength: 4096, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  "ec-secp256r1": { name: "ECDSA", namedCurve: "P-256" },
  "ec-secp384r1": { name: "ECDSA", namedCurve: "P-384" },
  "ec-secp521r1": { name: "ECDSA", namedCurve: "P-521" },
};

/** Whether the emulator can generate this key type server-side. */
export function canGenerate(keyType: string): boolean {
  return Object.hasOwn(KEY_GEN, keyType);
}

/** Server-side key generation (any type of `KEY_GEN`: RSA or EC), then a certificate for its public key. */
export async function issueCentralized(
  ca: EmulatorCa,
  subject: string,
  sans: SubjectAltNames,
  validityDays: number,
  notBefore: Date,
  keyType: string,
): Promise<CentralizedResult> {
  const params = KEY_GEN[keyType];
  if (!params) throw new Error(`cannot generate ${keyType}`);
  const keys = (await webcrypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
  const spki = await webcrypto.subtle.exportKey("spki", keys.publicKey);
  const issued = await ca.signPublicKey(new x509.PublicKey(spki), subject, sans, { validityDays, notBefore });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { pem: issued.pem, privateKeyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") };
}

const PBE = {
  contentEncryptionAlgorithm: { name: "AES-CBC", length: 256 } as pkijs.ContentEncryptionAesCbcParams,
  hmacHashAlgorithm: "SHA-256",
  iterationCount: 2048,
};

/**
 * base64 PKCS#12 holding the key (shrouded) and its certificate, as OpenSSL 3 writes one by default:
 * PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), a SHA-256 MAC, 2048 iterations. Any key type (pkijs).
 * The certificate goes in as its original DER, never re-encoded, so the issuer's signature still verifies.
 */
export async function buildPkcs12(privateKeyPem: string, certPem: string, password: string): Promise<string> {
  const pwd = new TextEncoder().encode(password).buffer as ArrayBuffer;
  const certDer = parseCertificate(certPem).rawData;
  const localKeyId = new Uint8Array(createHash("sha1").update(Buffer.from(certDer)).digest());
  const attributes = () => [
    new pkijs.Attribute({ type: "1.2.840.113549.1.9.20", values: [new asn1js.BmpString({ value: "horizon" })] }), // friendlyName
    new pkijs.Attribute({ type: "1.2.840.113549.1.9.21", values: [new asn1js.OctetString({ valueHex: localKeyId })] }), // localKeyId
  ];
  const keyBag = new pkijs.PKCS8ShroudedKeyBag({ parsedValue: pkijs.PrivateKeyInfo.fromBER(x509.PemConverter.decodeFirst(privateKeyPem)) });
  await keyBag.makeInternalValues({ password: pwd, ...PBE });
  const pfx = new pkijs.PFX({
    parsedValue: {
      integrityMode: 0, // password-based integrity (MAC)
      authenticatedSafe: new pkijs.AuthenticatedSafe({
        parsedValue: {
          safeContents: [
            // the certificate in an encrypted SafeContents, the key in a plain one (it is shrouded itself): OpenSSL's layout
            {
              privacyMode: 1,
              value: new pkijs.SafeContents({
                safeBags: [
                  new pkijs.SafeBag({
                    bagId: "1.2.840.113549.1.12.10.1.3",
                    bagValue: new pkijs.CertBag({ parsedValue: pkijs.Certificate.fromBER(certDer) }),
                    bagAttributes: attributes(),
                  }),
                ],
              }),
            },
            {
              privacyMode: 0,
              value: new pkijs.SafeContents({
                safeBags: [new pkijs.SafeBag({ bagId: "1.2.840.113549.1.12.10.1.2", bagValue: keyBag, bagAttributes: attributes() })],
              }),
            },
          ],
        },
      }),
    },
  });
  await pfx.parsedValue!.authenticatedSafe!.makeInternalValues({ safeContents: [{ password: pwd, ...PBE }, {}] });
  await pfx.makeInternalValues({
    password: pwd,
    iterations: PBE.iterationCount,
    pbkdf2HashAlgorithm: { name: "SHA-256" },
    hmacHashAlgorithm: "SHA-256",
  });
  return Buffer.from(pfx.toSchema().toBER(false)).toString("base64");
}

export function randomPassword(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(12))).toString("base64url");
}
