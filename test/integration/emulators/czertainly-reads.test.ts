import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCzertainlyEmulator, type CzertainlyEmulator } from "../../../src/emulators/czertainly/czertainly.emulator.js";
import { createCzertainlyClient } from "../../../src/backends/czertainly/client.js";
import { UpstreamError } from "../../../src/backends/upstream-error.js";
import { makeCsr } from "../../support/csr.js";
import { coreApi, verifiesAgainstChain } from "./czertainly-support.js";

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("CZERTAINLY emulator: demo inventory, reads, attributes, legacy v1", () => {
  let cz: CzertainlyEmulator;
  let api: ReturnType<typeof coreApi>;
  beforeAll(async () => {
    cz = await startCzertainlyEmulator({ port: 0 });
    api = coreApi(cz);
  });
  afterAll(() => cz.close());

  it("seeds two v2 authorities plus a legacy one, RA profiles of every mode, and a few dozen certificates in every state", async () => {
    const authorities = (await api.get("/v1/authorities")).body;
    expect(authorities.map((a: any) => a.name)).toEqual(["ejbca-ng", "ms-adcs", "ejbca-legacy"]);
    const profiles = (await api.get("/v1/raProfiles")).body;
    expect(profiles.map((p: any) => p.name)).toEqual(expect.arrayContaining(["sync-profile", "async-profile", "attrs-profile", "legacy-profile"]));
    expect((await api.get("/v1/raProfiles?enabled=false")).body.map((p: any) => p.name)).toEqual(["disabled-profile"]);
    const all = (await api.post("/v1/certificates", { itemsPerPage: 1000 })).body;
    expect(all.totalItems).toBeGreaterThanOrEqual(30);
    const states = new Set(all.certificates.map((c: any) => c.state));
    for (const s of ["issued", "revoked", "pending_issue", "pending_revoke", "failed", "requested"]) expect(states).toContain(s);
  });

  it("searches with property filters and 1-based pages, newest first", async () => {
    const page1 = (await api.post("/v1/certificates", { itemsPerPage: 5, pageNumber: 1 })).body;
    const page2 = (await api.post("/v1/certificates", { itemsPerPage: 5, pageNumber: 2 })).body;
    expect(page1).toMatchObject({ itemsPerPage: 5, pageNumber: 1, totalPages: Math.ceil(page1.totalItems / 5) });
    expect(page1.certificates).toHaveLength(5);
    expect(new Set([...page1.certificates, ...page2.certificates].map((c: any) => c.uuid)).size).toBe(10);
    expect(page1.certificates[0].certificateContent).toBeUndefined(); // list items carry no content

    const pending = (
      await api.post("/v1/certificates", {
        itemsPerPage: 100,
        filters: [{ fieldSource: "property", fieldIdentifier: "CERTIFICATE_STATE", condition: "EQUALS", value: ["pending_issue", "pending_revoke"] }],
      })
    ).body;
    expect(pending.certificates.length).toBeGreaterThan(0);
    expect(pending.certificates.every((c: any) => ["pending_issue", "pending_revoke"].includes(c.state))).toBe(true);

    const text = (
      await api.post("/v1/certificates", {
        filters: [
          { fieldSource: "property", fieldIdentifier: "SUBJECTDN", condition: "CONTAINS", value: "attrs.demo" },
          { fieldSource: "property", fieldIdentifier: "RA_PROFILE_NAME", condition: "EQUALS", value: ["attrs-profile"] },
        ],
      })
    ).body;
    expect(text.totalItems).toBe(3);
    const expired = (
      await api.post("/v1/certificates", {
        filters: [{ fieldSource: "property", fieldIdentifier: "NOT_AFTER", condition: "LESSER", value: new Date().toISOString() }],
      })
    ).body;
    expect(expired.certificates.map((c: any) => c.commonName)).toEqual(["old.demo.example"]);

    expect((await api.post("/v1/certificates", { itemsPerPage: 1001 })).status).toBe(400);
    expect(
      (await api.post("/v1/certificates", { filters: [{ fieldSource: "property", fieldIdentifier: "NOPE", condition: "EQUALS" }] })).status,
    ).toBe(422);
  });

  it("returns the content of many certificates in one call; every issued one verifies against the chain", async () => {
    const issued = (
      await api.post("/v1/certificates", {
        itemsPerPage: 1000,
        filters: [{ fieldSource: "property", fieldIdentifier: "CERTIFICATE_STATE", condition: "EQUALS", value: ["issued", "revoked"] }],
      })
    ).body.certificates;
    const uuids = issued.map((c: any) => c.uuid);
    cz.clearLog();
    const contents = (await api.post("/v1/certificates/content", uuids)).body;
    expect(cz.requests).toHaveLength(1);
    expect(contents.map((c: any) => c.uuid)).toEqual(uuids);
    for (const c of contents) expect(await verifiesAgainstChain(cz, c.certificateContent)).toBe(true);
    expect((await api.post("/v1/certificates/content", { not: "a list" })).status).toBe(400);
  });

  it.skipIf(!hasOpenssl)("certificate content is DER that openssl reads and verifies against the emulator chain", async () => {
    const { detail } = await api.issue("sync-profile", "openssl.emu.example");
    const dir = mkdtempSync(join(tmpdir(), "cz-openssl-"));
    writeFileSync(join(dir, "leaf.der"), Buffer.from(detail.certificateContent, "base64"));
    writeFileSync(join(dir, "root.pem"), cz.ca.root.toString("pem"));
    writeFileSync(join(dir, "issuing.pem"), cz.ca.issuing.toString("pem"));
    const text = execFileSync("openssl", ["x509", "-inform", "DER", "-in", join(dir, "leaf.der"), "-noout", "-subject", "-serial"]).toString();
    expect(text).toMatch(/openssl\.emu\.example/);
    execFileSync("openssl", ["x509", "-inform", "DER", "-in", join(dir, "leaf.der"), "-out", join(dir, "leaf.pem")]);
    const verify = execFileSync("openssl", [
      "verify",
      "-CAfile",
      join(dir, "root.pem"),
      "-untrusted",
      join(dir, "issuing.pem"),
      join(dir, "leaf.pem"),
    ]).toString();
    expect(verify).toMatch(/OK/);
  });

  it("answers Core's error formats: 400 malformed uuid, 404 unknown object, 404 no handler", async () => {
    expect(await api.get("/v1/certificates/not-a-uuid")).toMatchObject({ status: 400, body: { message: "Invalid UUID string: not-a-uuid" } });
    const missing = await api.get("/v1/certificates/00000000-0000-4000-8000-000000000000");
    expect(missing).toMatchObject({
      status: 404,
      body: { message: "Object of type 'Certificate' identified by 00000000-0000-4000-8000-000000000000 is not found." },
    });
    expect((await api.get("/v1/keys/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await api.get("/v1/nothing/here")).status).toBe(404);
  });

  it("lists and validates issue/revoke attributes per RA profile (422 with a list of messages)", async () => {
    const ops = api.ops("attrs-profile");
    const defs = (await api.get(`${ops}/attributes/issue`)).body;
    expect(defs.find((d: any) => d.name === "department")).toMatchObject({
      type: "data",
      contentType: "string",
      properties: { required: true },
      constraints: [{ type: "regExp" }],
    });
    expect((await api.get(`/v1/authorities/${cz.authorities.ejbca}/raProfiles/${cz.profiles["attrs-profile"]}`)).body.name).toBe("attrs-profile");
    expect((await api.get(`${api.ops("sync-profile")}/attributes/issue`)).body).toEqual([]);

    const attr = (name: string, data: unknown) => ({ name, contentType: "string", content: [{ data }] });
    expect(await api.post(`${ops}/attributes/issue/validate`, [attr("department", "Finance")])).toMatchObject({ status: 200, body: undefined });
    const invalid = await api.post(`${ops}/attributes/issue/validate`, [attr("department", "F1!"), attr("validityDays", 9999)]);
    expect(invalid.status).toBe(422);
    expect(invalid.body).toEqual(["Department must be 2 to 32 letters or spaces", "Validity must be between 1 and 825 days"]);
    const missing = await api.post(`${ops}/attributes/issue/validate`, []);
    expect(missing.body).toEqual([expect.stringMatching(/Required attribute 'department'/)]);
    expect((await api.post(`${ops}/attributes/revoke/validate`, [attr("ticket", "nope")])).body).toEqual(["Ticket must look like CHG-123"]);

    const refused = await api.post(`${ops}/certificates`, { request: (await makeCsr("noattrs.example")).base64, attributes: [] });
    expect(refused.status).toBe(422);
    const accepted = await api.issue("attrs-profile", "attrs.emu.example", [
      attr("department", "Research"),
      { name: "validityDays", contentType: "integer", content: [{ data: 30 }] },
    ]);
    expect(accepted.detail.state).toBe("issued");
    const days = (new Date(accepted.detail.notAfter).getTime() - new Date(accepted.detail.notBefore).getTime()) / 86_400_000;
    expect(days).toBe(30);
  });

  it("keys: detail with items and associations; key pairs on the token", async () => {
    const pairs = (await api.get("/v1/keys/pairs")).body;
    expect(pairs.length).toBeGreaterThanOrEqual(6);
    const detail = (await api.get(`/v1/keys/${pairs[0].uuid}`)).body;
    expect(detail).toMatchObject({ uuid: pairs[0].uuid, tokenProfileName: "soft-token-profile", items: [{ type: "Private" }, { type: "Public" }] });
  });

  it("legacy v1: end entities by RA profile name, issue with username/password, revoke by serial and issuer", async () => {
    const base = "/v1/operations/legacy-profile";
    expect((await api.get(`${base}/endentity`)).body).toEqual([expect.objectContaining({ username: "demo-user", status: "NEW" })]);
    expect((await api.post(`${base}/endentity`, { username: "alice", password: "pw-1", subjectDN: "CN=alice,O=Demo", raProfile: {} })).status).toBe(
      200,
    );
    expect((await api.post(`${base}/endentity`, { username: "alice", password: "pw-1", subjectDN: "CN=alice,O=Demo" })).status).toBe(400);
    expect(
      (await api.post(`${base}/endentity/alice`, { password: "pw-2", subjectDN: "CN=alice,O=Demo", email: "alice@demo.example", status: "NEW" }))
        .status,
    ).toBe(200);
    expect((await api.get(`${base}/endentity/alice`)).body).toMatchObject({ username: "alice", email: "alice@demo.example", status: "NEW" });
    expect((await api.get(`${base}/endentity/nobody`)).status).toBe(404);

    const csr = await makeCsr("ignored-cn");
    expect((await api.post(`${base}/certificate/issue`, { username: "alice", password: "pw-1", pkcs10: csr.base64 })).status).toBe(400);
    const issued = await api.post(`${base}/certificate/issue`, { username: "alice", password: "pw-2", pkcs10: csr.base64 });
    expect(issued.status).toBe(200);
    expect(await verifiesAgainstChain(cz, issued.body.certificateData)).toBe(true);
    const { X509Certificate } = await import("@peculiar/x509");
    const cert = new X509Certificate(Buffer.from(issued.body.certificateData, "base64"));
    expect(cert.subject).toBe("CN=alice, O=Demo");
    expect((await api.get(`${base}/endentity/alice`)).body.status).toBe("GENERATED");

    const revoke = await api.post(`${base}/certificate/revoke`, { certificateSN: cert.serialNumber, issuerDN: cert.issuer, reason: "superseded" });
    expect(revoke.status).toBe(200);
    const found = (
      await api.post("/v1/certificates", {
        filters: [{ fieldSource: "property", fieldIdentifier: "SERIAL_NUMBER", condition: "EQUALS", value: cert.serialNumber }],
      })
    ).body;
    expect(found.certificates[0]).toMatchObject({ state: "revoked", raProfile: { name: "legacy-profile" } });
    expect((await api.post(`${base}/certificate/revoke`, { certificateSN: "01", issuerDN: cert.issuer, reason: "superseded" })).status).toBe(404);
    expect((await api.get("/v1/operations/sync-profile/endentity")).status).toBe(404);
    expect((await api.get("/v1/operations/disabled-profile/endentity")).status).toBe(404);
  });

  it("the gateway's client reads it: 422 lists become validation messages, 2.18 endpoints are present", async () => {
    const client = createCzertainlyClient({ url: `${cz.url}/api`, readRetries: 0 });
    try {
      const profiles = await client.listRaProfiles();
      const attrs = profiles.find(p => p.name === "attrs-profile")!;
      const err = await client.validateIssueAttributes(attrs.authorityInstanceUuid, attrs.uuid, []).catch(e => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect(err).toMatchObject({ kind: "validation", status: 422 });
      expect(err.messages[0]).toMatch(/department/);
      const sync = profiles.find(p => p.name === "sync-profile")!;
      const unknown = await client.confirmRevoke(sync.authorityInstanceUuid, sync.uuid, "00000000-0000-4000-8000-000000000000").catch(e => e);
      expect(unknown).toMatchObject({ kind: "not_found" }); // "identified by": a real 404, not an old Core
      expect(await client.getCertificate("00000000-0000-4000-8000-000000000000")).toBeNull();
    } finally {
      await client.close();
    }
  });
});
