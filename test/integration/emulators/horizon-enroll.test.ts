import { createHash, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSans } from "../../../src/emulators/ca.js";
import { startHorizonEmulator, type HorizonEmulator } from "../../../src/emulators/horizon/horizon.emulator.js";
import type { HorizonClient } from "../../../src/backends/horizon/client.js";
import { openPkcs12 } from "../../support/pkcs12.js";
import { clientsFor, csrPem } from "./horizon-support.js";

let hz: HorizonEmulator;
let c: ReturnType<typeof clientsFor>;
beforeAll(async () => {
  hz = await startHorizonEmulator({ port: 0 });
  c = clientsFor(hz);
});
afterAll(async () => {
  await Promise.all(Object.values(c).map((x: HorizonClient) => x.close()));
  await hz.close();
});

async function verifiesAgainstCa(pem: string): Promise<x509.X509Certificate> {
  const cert = new x509.X509Certificate(pem);
  expect(await cert.verify({ publicKey: hz.ca.issuing.publicKey, signatureOnly: true })).toBe(true);
  return cert;
}

describe("Horizon emulator: webra enroll", () => {
  it("decentralized enroll on an auto profile completes with a real certificate", async () => {
    const r = await c.admin.submit({
      module: "webra",
      workflow: "enroll",
      profile: "auto-profile",
      template: { csr: await csrPem("app1.test", ["app1.test", "www.app1.test"]) },
    });
    expect(r.status).toBe("completed");
    const w = r.certificate!;
    const cert = await verifiesAgainstCa(w.certificate);
    expect(w.dn).toBe(cert.subject);
    expect(w.dn).toContain("CN=app1.test");
    expect(w.issuer).toBe(hz.ca.issuing.subject);
    expect(w.serial).toBe(cert.serialNumber);
    expect(w.thumbprint).toBe(createHash("sha1").update(Buffer.from(cert.rawData)).digest("hex"));
    expect(w.notAfter).toBe(cert.notAfter.getTime());
    expect(w.keyType).toBe("ec-secp256r1");
    expect(w.subjectAlternateNames.map(s => s.value).sort()).toEqual(["app1.test", "www.app1.test"]);
    expect(w.revoked).toBe(false);
    const got = await c.admin.getCertificate(w._id);
    expect(got?.certificate.thumbprint).toBe(w.thumbprint);
    expect(got?.permissions.revoke).toBe(true);
  });

  it("template subject and SANs override the CSR's", async () => {
    const r = await c.admin.submit({
      module: "webra",
      workflow: "enroll",
      profile: "auto-profile",
      template: {
        csr: await csrPem("csr.test"),
        subject: [
          { element: "cn.1", value: "tpl.test" },
          { element: "o.1", value: "Tpl Org" },
        ],
        sans: [
          { type: "DNSNAME", value: ["tpl.test"] },
          { type: "RFC822NAME", value: ["a@tpl.test"] },
        ],
        labels: [{ label: "env", value: "prod" }],
        team: { value: "infra" },
      },
    });
    const cert = await verifiesAgainstCa(r.certificate!.certificate);
    expect(cert.subject).toBe("CN=tpl.test, O=Tpl Org");
    expect(readSans(cert)).toEqual(expect.objectContaining({ dns: ["tpl.test"], email: ["a@tpl.test"] }));
    expect(r.certificate!.labels).toEqual([{ key: "env", value: "prod" }]);
    expect(r.certificate!.team).toBe("infra");
  });

  it("centralized enroll (random password) returns a PKCS#12 whose key matches the certificate", async () => {
    const r = await c.admin.submit({
      module: "webra",
      workflow: "enroll",
      profile: "auto-profile",
      template: { keyType: "rsa-2048", subject: [{ element: "cn.1", value: "central.test" }], sans: [{ type: "DNSNAME", value: ["central.test"] }] },
    });
    expect(r.status).toBe("completed");
    const password = r.password!.value!;
    expect(password.length).toBeGreaterThan(8);
    const p12 = await openPkcs12(r.pkcs12!.value!, password);
    const cert = p12.certificate;
    expect(cert.toString("pem").trim()).toBe(r.certificate!.certificate.trim());
    expect(p12.publicKeySpki.equals(Buffer.from(cert.publicKey.rawData))).toBe(true);
    expect(r.certificate!.keyType).toBe("rsa-2048");
    expect(r.certificate!.escrowed).toBe(true);
    await verifiesAgainstCa(r.certificate!.certificate);
    // A wrong password does not open it.
    await expect(openPkcs12(r.pkcs12!.value!, "wrong")).rejects.toThrow(/openssl pkcs12 failed/);
  });

  it("centralized enroll in manual password mode uses the given password", async () => {
    const r = await c.admin.submit({
      module: "webra",
      workflow: "enroll",
      profile: "central-profile",
      password: { value: "S3cret!pass" },
      template: { subject: [{ element: "cn.1", value: "manual.test" }] },
    });
    expect(r.password?.value).toBe("S3cret!pass");
    const p12 = await openPkcs12(r.pkcs12!.value!, "S3cret!pass");
    expect(p12.certificate.toString("pem").trim()).toBe(r.certificate!.certificate.trim());
  });

  it.each([
    ["ec-secp256r1", "ECDSA", "P-256"],
    ["rsa-2048", "RSASSA-PKCS1-v1_5", undefined],
  ])("centralized enroll with keyType %s generates that key and a PKCS#12 OpenSSL opens", async (keyType, algorithm, curve) => {
    const r = await c.admin.submit({
      module: "webra",
      workflow: "enroll",
      profile: "auto-profile",
      template: { keyType, subject: [{ element: "cn.1", value: `${keyType}.test` }] },
    });
    expect(r.status).toBe("completed");
    expect(r.certificate!.keyType).toBe(keyType);
    const p12 = await openPkcs12(r.pkcs12!.value!, r.password!.value!);
    expect(p12.certificate.toString("pem").trim()).toBe(r.certificate!.certificate.trim());
    expect(p12.publicKeySpki.equals(Buffer.from(p12.certificate.publicKey.rawData))).toBe(true);
    const alg = p12.certificate.publicKey.algorithm as EcKeyAlgorithm;
    expect([alg.name, alg.namedCurve]).toEqual([algorithm, curve]);
    // The key is usable: it signs, and the certificate's public key verifies the signature.
    const data = Buffer.from("proof of possession");
    const sign = alg.name === "ECDSA" ? { name: "ECDSA", namedCurve: curve!, hash: "SHA-256" } : { name: alg.name, hash: "SHA-256" };
    const priv = await webcrypto.subtle.importKey("pkcs8", p12.privateKeyPkcs8, sign, false, ["sign"]);
    const sig = await webcrypto.subtle.sign(sign, priv, data);
    expect(
      await p12.certificate.publicKey.export(sign, ["verify"], webcrypto as unknown as Crypto).then(k => webcrypto.subtle.verify(sign, k, sig, data)),
    ).toBe(true);
    await verifiesAgainstCa(r.certificate!.certificate);
  });

  it("a centralized renewal keeps the key type of the certificate it renews", async () => {
    const first = await c.admin.submit({
      module: "webra",
      workflow: "enroll",
      profile: "auto-profile",
      template: { keyType: "ec-secp256r1", subject: [{ element: "cn.1", value: "renew-ec.test" }] },
    });
    const renewed = await c.admin.submit({ module: "webra", workflow: "renew", certificateId: first.certificate!._id });
    expect(renewed.status).toBe("completed");
    expect(renewed.certificate!.keyType).toBe("ec-secp256r1");
    const p12 = await openPkcs12(renewed.pkcs12!.value!, renewed.password!.value!);
    expect(p12.publicKeySpki.equals(Buffer.from(p12.certificate.publicKey.rawData))).toBe(true);
  });

  it("dryRun validates without storing anything", async () => {
    const before = hz.state.certificates.size;
    const r = await c.admin.submit({
      module: "webra",
      workflow: "enroll",
      profile: "auto-profile",
      dryRun: true,
      template: { csr: await csrPem("dry.test") },
    });
    expect(r.dryRun).toBe(true);
    expect(r.certificate ?? null).toBeNull();
    expect(hz.state.certificates.size).toBe(before);
    expect(await c.admin.getRequest(r._id)).toBeNull();
  });
});

describe("Horizon emulator: est / scep challenges", () => {
  it("est enroll with a whitelisted DN returns a challenge", async () => {
    const r = await c.admin.submit({ module: "est", workflow: "enroll", profile: "est-profile", dn: "CN=device1,O=IoT" });
    expect(r.status).toBe("completed");
    expect(r.password?.value).toBeTruthy();
    expect(r.dn).toBe("CN=device1, O=IoT");
    expect(r.certificate ?? null).toBeNull();
  });
  it("scep enroll without whitelisting returns the given challenge", async () => {
    const r = await c.admin.submit({ module: "scep", workflow: "enroll", profile: "scep-profile", password: { value: "challenge-1" } });
    expect(r.password?.value).toBe("challenge-1");
  });
});
