import { createHash } from "node:crypto";
import * as x509 from "@peculiar/x509";
import forge from "node-forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSans } from "../../../src/emulators/ca.js";
import { startHorizonEmulator, type HorizonEmulator } from "../../../src/emulators/horizon/horizon.emulator.js";
import type { HorizonClient } from "../../../src/backends/horizon/client.js";
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
    const r = await c.admin.submit({ module: "webra", workflow: "enroll", profile: "auto-profile", template: { csr: await csrPem("app1.test", ["app1.test", "www.app1.test"]) } });
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
      module: "webra", workflow: "enroll", profile: "auto-profile",
      template: { csr: await csrPem("csr.test"), subject: [{ element: "cn.1", value: "tpl.test" }, { element: "o.1", value: "Tpl Org" }], sans: [{ type: "DNSNAME", value: ["tpl.test"] }, { type: "RFC822NAME", value: ["a@tpl.test"] }], labels: [{ label: "env", value: "prod" }], team: { value: "infra" } },
    });
    const cert = await verifiesAgainstCa(r.certificate!.certificate);
    expect(cert.subject).toBe("CN=tpl.test, O=Tpl Org");
    expect(readSans(cert)).toEqual(expect.objectContaining({ dns: ["tpl.test"], email: ["a@tpl.test"] }));
    expect(r.certificate!.labels).toEqual([{ key: "env", value: "prod" }]);
    expect(r.certificate!.team).toBe("infra");
  });

  it("centralized enroll (random password) returns a PKCS#12 whose key matches the certificate", async () => {
    const r = await c.admin.submit({ module: "webra", workflow: "enroll", profile: "auto-profile", template: { keyType: "rsa-2048", subject: [{ element: "cn.1", value: "central.test" }], sans: [{ type: "DNSNAME", value: ["central.test"] }] } });
    expect(r.status).toBe("completed");
    const password = r.password!.value!;
    expect(password.length).toBeGreaterThan(8);
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(Buffer.from(r.pkcs12!.value!, "base64").toString("binary")), password);
    const key = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!]![0]!.key as forge.pki.rsa.PrivateKey;
    // forge cannot hash ECDSA signatures, so it leaves the certificate as raw ASN.1.
    const certBag = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!]![0]!;
    const certDer = Buffer.from(forge.asn1.toDer(certBag.asn1!).getBytes(), "binary");
    const cert = new x509.X509Certificate(certDer);
    expect(cert.toString("pem").trim()).toBe(r.certificate!.certificate.trim());
    const keySpki = forge.asn1.toDer(forge.pki.publicKeyToAsn1(forge.pki.setRsaPublicKey(key.n, key.e))).getBytes();
    expect(Buffer.from(keySpki, "binary").equals(Buffer.from(cert.publicKey.rawData))).toBe(true);
    expect(r.certificate!.keyType).toBe("rsa-2048");
    expect(r.certificate!.escrowed).toBe(true);
    await verifiesAgainstCa(r.certificate!.certificate);
    // A wrong password does not open it.
    expect(() => forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(Buffer.from(r.pkcs12!.value!, "base64").toString("binary")), "wrong")).toThrow();
  });

  it("centralized enroll in manual password mode uses the given password", async () => {
    const r = await c.admin.submit({ module: "webra", workflow: "enroll", profile: "central-profile", password: { value: "S3cret!pass" }, template: { subject: [{ element: "cn.1", value: "manual.test" }] } });
    expect(r.password?.value).toBe("S3cret!pass");
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(Buffer.from(r.pkcs12!.value!, "base64").toString("binary")), "S3cret!pass");
    expect(p12.safeContents.length).toBeGreaterThan(0);
  });

  it("dryRun validates without storing anything", async () => {
    const before = hz.state.certificates.size;
    const r = await c.admin.submit({ module: "webra", workflow: "enroll", profile: "auto-profile", dryRun: true, template: { csr: await csrPem("dry.test") } });
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
