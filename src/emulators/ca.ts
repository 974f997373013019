import "../domain/crypto-provider.js"; // first: the Reflect polyfill and WebCrypto for @peculiar/x509
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

const ECDSA: EcKeyGenParams & EcdsaParams = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const RSA: RsaHashedKeyGenParams = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
};

export type KeyAlgorithm = "EC" | "RSA";

export interface SubjectAltNames {
  dns?: string[];
  email?: string[];
  ip?: string[];
  uri?: string[];
}

export interface IssueOptions {
  /** Subject DN to put in the certificate (defaults to the CSR's). */
  subject?: string;
  /** SANs to put in the certificate (defaults to the CSR's). */
  sans?: SubjectAltNames;
  validityDays?: number;
  notBefore?: Date;
  extendedKeyUsages?: string[];
}

export interface IssuedCertificate {
  certificate: x509.X509Certificate;
  /** base64 DER, as both products carry certificate content. */
  base64: string;
  pem: string;
}

/** Generates a key pair of the kind a CA would hand out for server-side key generation. */
export async function generateKeyPair(algorithm: KeyAlgorithm = "EC"): Promise<CryptoKeyPair> {
  const params = algorithm === "RSA" ? RSA : ECDSA;
  return (await webcrypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
}

/** Creates and self-signs a PKCS#10 request (for server-side key generation and for tests). */
export async function createCsr(subject: string, keys: CryptoKeyPair, sans: SubjectAltNames = {}): Promise<x509.Pkcs10CertificateRequest> {
  const algorithm = keys.privateKey.algorithm.name === "ECDSA" ? ECDSA : RSA;
  const extensions = sanExtension(sans);
  return x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: algorithm,
    extensions: extensions ? [extensions] : [],
  });
}

function sanExtension(sans: SubjectAltNames): x509.SubjectAlternativeNameExtension | undefined {
  const entries: x509.JsonGeneralName[] = [
    ...(sans.dns ?? []).map(value => ({ type: "dns" as const, value })),
    ...(sans.email ?? []).map(value => ({ type: "email" as const, value })),
    ...(sans.ip ?? []).map(value => ({ type: "ip" as const, value })),
    ...(sans.uri ?? []).map(value => ({ type: "url" as const, value })),
  ];
  return entries.length ? new x509.SubjectAlternativeNameExtension(entries) : undefined;
}

/** Reads the SANs of a CSR or certificate into plain lists. */
export function readSans(item: x509.Pkcs10CertificateRequest | x509.X509Certificate): SubjectAltNames {
  const ext = item.getExtension("2.5.29.17") as x509.SubjectAlternativeNameExtension | null;
  const out: Required<SubjectAltNames> = { dns: [], email: [], ip: [], uri: [] };
  for (const n of ext?.names.toJSON() ?? []) {
    if (n.type === "dns") out.dns.push(n.value);
    else if (n.type === "email") out.email.push(n.value);
    else if (n.type === "ip") out.ip.push(n.value);
    else if (n.type === "url") out.uri.push(n.value);
  }
  return out;
}

/** Parses a CSR given as PEM or base64 DER; throws on anything else. */
export function parseCsr(input: string): x509.Pkcs10CertificateRequest {
  const trimmed = input.trim();
  return new x509.Pkcs10CertificateRequest(trimmed.startsWith("-----") ? trimmed : Buffer.from(trimmed, "base64"));
}

/** Parses a certificate given as PEM or base64 DER; throws on anything else. */
export function parseCertificate(input: string): x509.X509Certificate {
  const trimmed = input.trim();
  return new x509.X509Certificate(trimmed.startsWith("-----") ? trimmed : Buffer.from(trimmed, "base64"));
}

const DAY = 86_400_000;

/** A CA as an emulator data file keeps it (base64 DER certificates, PKCS#8 issuing key). */
export interface ExportedCa {
  name: string;
  root: string;
  issuing: string;
  issuingKey: string;
  serialCounter: number;
}

/**
 * An in-process two-level CA (root → issuing) that signs real leaf certificates.
 * Keys are ECDSA P-256: fast to make, and what the x509 library's own suite uses.
 */
export class EmulatorCa {
  private serialCounter = 0;

  private constructor(
    readonly name: string,
    readonly root: x509.X509Certificate,
    readonly issuing: x509.X509Certificate,
    private readonly issuingKeys: CryptoKeyPair,
  ) {}

  static async create(name: string): Promise<EmulatorCa> {
    const rootKeys = await generateKeyPair("EC");
    const now = new Date(Date.now() - DAY);
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: "01",
      name: `CN=${name} Root CA,O=PKI Graph Emulators`,
      notBefore: now,
      notAfter: new Date(now.getTime() + 3650 * DAY),
      signingAlgorithm: ECDSA,
      keys: rootKeys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
    const issuingKeys = await generateKeyPair("EC");
    const issuing = await x509.X509CertificateGenerator.create({
      serialNumber: "02",
      subject: `CN=${name} Issuing CA,O=PKI Graph Emulators`,
      issuer: root.subject,
      notBefore: now,
      notAfter: new Date(now.getTime() + 1825 * DAY),
      signingAlgorithm: ECDSA,
      publicKey: issuingKeys.publicKey,
      signingKey: rootKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(issuingKeys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
    return new EmulatorCa(name, root, issuing, issuingKeys);
  }

  /** Everything needed to bring the same CA back after a restart (emulator data files only). */
  async export(): Promise<ExportedCa> {
    const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", this.issuingKeys.privateKey as webcrypto.CryptoKey);
    return {
      name: this.name,
      root: this.root.toString("base64"),
      issuing: this.issuing.toString("base64"),
      issuingKey: Buffer.from(pkcs8).toString("base64"),
      serialCounter: this.serialCounter,
    };
  }

  static async restore(data: ExportedCa): Promise<EmulatorCa> {
    const issuing = new x509.X509Certificate(Buffer.from(data.issuing, "base64"));
    const privateKey = await webcrypto.subtle.importKey("pkcs8", Buffer.from(data.issuingKey, "base64"), ECDSA, true, ["sign"]);
    const publicKey = await issuing.publicKey.export(ECDSA, ["verify"], webcrypto as unknown as Crypto);
    const ca = new EmulatorCa(data.name, new x509.X509Certificate(Buffer.from(data.root, "base64")), issuing, {
      privateKey: privateKey as unknown as CryptoKey,
      publicKey,
    });
    ca.serialCounter = data.serialCounter;
    return ca;
  }

  /** The chain as PEM, issuing CA first. */
  get chainPem(): string {
    return [this.issuing.toString("pem"), this.root.toString("pem")].join("\n");
  }

  private nextSerial(): string {
    this.serialCounter++;
    // 16 random bytes with a counter suffix: unique, positive, as real CAs do.
    const random = Buffer.from(webcrypto.getRandomValues(new Uint8Array(12))).toString("hex");
    return `4${random.slice(1)}${this.serialCounter.toString(16).padStart(8, "0")}`;
  }

  /** Verifies a CSR's self-signature and signs a certificate for its public key. */
  async signCsr(csr: x509.Pkcs10CertificateRequest, opts: IssueOptions = {}): Promise<IssuedCertificate> {
    if (!(await csr.verify())) throw new Error("CSR signature does not verify");
    return this.signPublicKey(csr.publicKey, opts.subject ?? csr.subject, opts.sans ?? readSans(csr), opts);
  }

  /** Signs a certificate for a given public key. */
  async signPublicKey(publicKey: x509.PublicKey, subject: string, sans: SubjectAltNames, opts: IssueOptions = {}): Promise<IssuedCertificate> {
    const notBefore = opts.notBefore ?? new Date(Date.now() - 60_000);
    const cryptoKey = await publicKey.export(
      publicKey.algorithm.name === "ECDSA" ? { ...ECDSA, namedCurve: (publicKey.algorithm as EcKeyAlgorithm).namedCurve } : RSA,
      ["verify"],
      webcrypto as unknown as Crypto,
    );
    const san = sanExtension(sans);
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: this.nextSerial(),
      subject,
      issuer: this.issuing.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + (opts.validityDays ?? 365) * DAY),
      signingAlgorithm: ECDSA,
      publicKey: cryptoKey,
      signingKey: this.issuingKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension(opts.extendedKeyUsages ?? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        await x509.SubjectKeyIdentifierExtension.create(cryptoKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.issuingKeys.publicKey),
        ...(san ? [san] : []),
      ],
    });
    return {
      certificate,
      base64: Buffer.from(certificate.rawData).toString("base64"),
      pem: certificate.toString("pem"),
    };
  }

  /** Whether a certificate was signed by this CA's issuing key. */
  async verifies(certificate: x509.X509Certificate): Promise<boolean> {
    return certificate.verify({ publicKey: this.issuing.publicKey, signatureOnly: true });
  }
}
