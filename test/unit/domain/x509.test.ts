import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EmulatorCa } from "../../../src/emulators/ca.js";
import { CertificateDecodeError, clearDecodeCache, decodeCertificate, decodeStats, derBytes } from "../../../src/domain/x509.js";
import { makeCsr } from "../../support/csr.js";

describe("decodeCertificate", () => {
  it("decodes identity, validity, key and extensions from a real certificate", async () => {
    const ca = await EmulatorCa.create("Unit");
    const { csr } = await makeCsr("www.example.com", {
      sans: { dns: ["www.example.com", "example.com"], ip: ["10.0.0.1"] },
      extraDn: "O=Example Corp,C=CZ",
    });
    const issued = await ca.signCsr(csr, { validityDays: 30 });
    const d = decodeCertificate(issued.base64);
    expect(d.subject.commonName).toBe("www.example.com");
    expect(d.subject.organization).toBe("Example Corp");
    expect(d.subject.country).toBe("CZ");
    expect(d.issuer.commonName).toBe("Unit Issuing CA");
    expect(d.serialNumber).toBe(issued.certificate.serialNumber.toLowerCase());
    expect(d.sans.dns).toEqual(["www.example.com", "example.com"]);
    expect(d.sans.ip).toEqual(["10.0.0.1"]);
    expect(d.publicKeyAlgorithm).toBe("EC");
    expect(d.publicKeyCurve).toBe("P-256");
    expect(d.signatureAlgorithm).toBe("SHA256withECDSA");
    expect(d.keyUsage).toEqual(["digitalSignature", "keyEncipherment"]);
    expect(d.extendedKeyUsage).toEqual(["serverAuth", "clientAuth"]);
    expect(d.basicConstraints).toEqual({ ca: false, pathLength: undefined });
    expect(d.fingerprintSha256).toBe(createHash("sha256").update(Buffer.from(issued.base64, "base64")).digest("hex"));
    expect(d.notAfter.getTime() - d.notBefore.getTime()).toBe(30 * 86_400_000);
  });

  it("reads PEM and base64 DER alike and decodes each certificate once", async () => {
    const ca = await EmulatorCa.create("Cache");
    const issued = await ca.signCsr((await makeCsr("cache.example.com")).csr);
    clearDecodeCache();
    const before = { ...decodeStats };
    const fromPem = decodeCertificate(issued.pem);
    const fromDer = decodeCertificate(issued.base64);
    expect(fromDer).toBe(fromPem);
    expect(decodeStats.misses - before.misses).toBe(1);
    expect(decodeStats.hits - before.hits).toBe(1);
  });

  it("decodes RSA keys with their size", async () => {
    const ca = await EmulatorCa.create("Rsa");
    const issued = await ca.signCsr((await makeCsr("rsa.example.com", { algorithm: "RSA" })).csr);
    const d = decodeCertificate(issued.pem);
    expect(d.publicKeyAlgorithm).toBe("RSA");
    expect(d.publicKeySize).toBe(2048);
  });

  it("throws CertificateDecodeError on content that is not a certificate", () => {
    expect(() => decodeCertificate("bm90IGEgY2VydGlmaWNhdGU=")).toThrow(CertificateDecodeError);
    expect(() => decodeCertificate("")).toThrow(CertificateDecodeError);
  });
});

describe("derBytes (the one PEM/DER reader)", () => {
  it("reads exactly one PEM block or base64 DER, and nothing else", async () => {
    const ca = await EmulatorCa.create("Pem");
    const { csr } = await makeCsr("pem.example");
    const issued = await ca.signCsr(csr);
    const der = Buffer.from(issued.base64, "base64");
    expect(Buffer.from(derBytes(issued.pem)!).equals(der)).toBe(true);
    expect(Buffer.from(derBytes(`\n  ${issued.pem.replace(/\n/g, "\r\n")}  \n`)!).equals(der)).toBe(true);
    expect(Buffer.from(derBytes(issued.base64)!).equals(der)).toBe(true);
    expect(Buffer.from(derBytes(issued.base64.replace(/(.{64})/g, "$1\n"))!).equals(der)).toBe(true);
    const chain = `${issued.pem.trim()}\n${ca.issuing.toString("pem")}`;
    for (const bad of [
      chain, // two blocks
      `text before\n${issued.pem}`,
      `${issued.pem.trim()}\ntext after`,
      issued.pem.replace("-----END CERTIFICATE-----", "-----END CERTIFICATE REQUEST-----"),
      "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----",
      "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
      "not base64: at all",
      "",
    ])
      expect(derBytes(bad), JSON.stringify(bad.slice(0, 60))).toBeUndefined();
    expect(() => decodeCertificate(chain)).toThrow(CertificateDecodeError);
  });
});

describe("decodeDnString", () => {
  it("splits a DN given as text (a pending certificate's request subject)", async () => {
    const { decodeDnString } = await import("../../../src/domain/x509.js");
    expect(decodeDnString("CN=pending.example, O=Demo Corp, C=CZ")).toMatchObject({
      commonName: "pending.example",
      organization: "Demo Corp",
      country: "CZ",
    });
    expect(decodeDnString("not a dn").dn).toBe("not a dn");
  });
});
