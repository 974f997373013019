import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHorizonEmulator, type HorizonEmulator } from "../../../src/emulators/horizon/horizon.emulator.js";
import { DAY_MS } from "../../../src/emulators/horizon/model.js";
import type { HorizonClient } from "../../../src/backends/horizon/client.js";
import type { HzCertificate } from "../../../src/backends/horizon/wire.js";
import { clientsFor, csrPem, failure } from "./horizon-support.js";

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

async function enrolled(cn: string, profile = "auto-profile"): Promise<HzCertificate> {
  const r = await c.admin.submit({ module: "webra", workflow: "enroll", profile, template: { csr: await csrPem(cn) } });
  return r.certificate!;
}
async function centralized(cn: string): Promise<HzCertificate> {
  const r = await c.admin.submit({
    module: "webra",
    workflow: "enroll",
    profile: "auto-profile",
    template: { subject: [{ element: "cn.1", value: cn }] },
  });
  return r.certificate!;
}

describe("Horizon emulator: webra workflows on existing certificates", () => {
  it("revoke by id and by PEM; a second revoke is WEBRA-REVOKE-005 invalid_state", async () => {
    const a = await enrolled("rev1.test");
    const r = await c.admin.submit({ workflow: "revoke", certificateId: a._id, template: { revocationReason: "keycompromise" } });
    expect(r.status).toBe("completed");
    expect(r.certificate).toMatchObject({ revoked: true, revocationReason: "keycompromise" });
    expect(r.certificate!.revocationDate).toBeGreaterThan(0);
    const b = await enrolled("rev2.test");
    expect((await c.admin.submit({ workflow: "revoke", certificatePem: b.certificate, template: {} })).certificate?._id).toBe(b._id);
    const e = await failure(c.admin.submit({ workflow: "revoke", certificateId: a._id, template: {} }));
    expect([e.status, e.backendCode, e.kind]).toEqual([400, "WEBRA-REVOKE-005", "invalid_state"]);
    expect((await c.admin.getCertificate(a._id))?.certificate.revoked).toBe(true);
  });

  it("update edits owner/team/labels; unknown team → CERT-TEAM-001, bad metadata → CERT-ELEM-001", async () => {
    const a = await enrolled("upd.test");
    const r = await c.admin.submit({
      workflow: "update",
      certificateId: a._id,
      template: { owner: { value: "bob" }, team: { value: "web" }, labels: [{ label: "tier", value: "gold" }] },
    });
    expect(r.certificate).toMatchObject({ owner: "bob", team: "web", labels: [{ key: "tier", value: "gold" }] });
    expect((await failure(c.admin.submit({ workflow: "update", certificateId: a._id, template: { team: { value: "ghosts" } } }))).backendCode).toBe(
      "CERT-TEAM-001",
    );
    expect(
      (await failure(c.admin.submit({ workflow: "update", certificateId: a._id, template: { metadata: [{ metadata: "nope", value: "1" }] } })))
        .backendCode,
    ).toBe("CERT-ELEM-001");
  });

  it("recover returns the escrowed key; non-escrowed → WEBRA-RECOVER-003", async () => {
    const a = await centralized("rec.test");
    const r = await c.admin.submit({ workflow: "recover", certificateId: a._id, password: { value: "recover-pass" } });
    expect(r.pkcs12?.value).toBeTruthy();
    expect(r.password?.value).toBe("recover-pass");
    const d = await enrolled("norec.test");
    expect((await failure(c.admin.submit({ workflow: "recover", certificateId: d._id }))).backendCode).toBe("WEBRA-RECOVER-003");
    expect((await failure(c.admin.submit({ workflow: "recover" }))).backendCode).toBe("WEBRA-RECOVER-001");
    expect((await failure(c.admin.submit({ workflow: "recover", certificateId: "nope" }))).backendCode).toBe("WEBRA-RECOVER-004");
  });

  it("migrate moves to another WebRA profile; invalid target → WEBRA-MIGRATE-007", async () => {
    const a = await enrolled("mig.test");
    const r = await c.admin.submit({ module: "webra", workflow: "migrate", profile: "central-profile", certificateId: a._id, template: {} });
    expect(r.profile).toBe("central-profile");
    expect(r.certificate?.profile).toBe("central-profile");
    expect(
      (await failure(c.admin.submit({ module: "webra", workflow: "migrate", profile: "est-profile", certificateId: a._id, template: {} })))
        .backendCode,
    ).toBe("WEBRA-MIGRATE-007");
    expect((await failure(c.admin.submit({ module: "webra", workflow: "migrate", profile: "auto-profile", template: {} }))).backendCode).toBe(
      "WEBRA-MIGRATE-001",
    );
  });

  it("renew with a CSR issues a new certificate for the same subject, linked by metadata", async () => {
    const a = await enrolled("ren.test");
    const r = await c.admin.submit({ module: "webra", workflow: "renew", certificateId: a._id, template: { csr: await csrPem("other.test") } });
    const n = r.certificate!;
    expect(n._id).not.toBe(a._id);
    expect(n.dn).toBe(a.dn);
    expect(n.holderId).toBe(a.holderId);
    expect(n.metadata).toContainEqual({ key: "previous_certificate_id", value: a._id });
    const spki = (pem: string): Buffer => Buffer.from(new x509.X509Certificate(pem).publicKey.rawData);
    expect(spki(n.certificate).equals(spki(a.certificate))).toBe(false);
    const old = await c.admin.getCertificate(a._id);
    expect(old?.certificate.metadata).toContainEqual({ key: "renewed_certificate_id", value: n._id });
  });

  it("renew errors: RENEW-001 no cert, RENEW-004 disabled, RENEW-005 too early, RENEW-006 revoked", async () => {
    expect((await failure(c.admin.submit({ module: "webra", workflow: "renew" }))).backendCode).toBe("WEBRA-RENEW-001");
    const central = (
      await c.admin.submit({
        module: "webra",
        workflow: "enroll",
        profile: "central-profile",
        password: { value: "x" },
        template: { subject: [{ element: "cn.1", value: "c.test" }] },
      })
    ).certificate!;
    expect((await failure(c.admin.submit({ module: "webra", workflow: "renew", certificateId: central._id }))).backendCode).toBe("WEBRA-RENEW-004");
    const early = await c.approver.approve(
      await (async () => {
        const p = await c.admin.submit({
          module: "webra",
          workflow: "enroll",
          profile: "approval-profile",
          template: { csr: await csrPem("early.test") },
        });
        return { _id: p._id, module: p.module, workflow: p.workflow };
      })(),
    );
    const e5 = await failure(
      c.admin.submit({ module: "webra", workflow: "renew", certificateId: early.certificate!._id, template: { csr: await csrPem("early.test") } }),
    );
    expect([e5.backendCode, e5.kind]).toEqual(["WEBRA-RENEW-005", "invalid_state"]);
    const rv = await enrolled("rv.test");
    await c.admin.submit({ workflow: "revoke", certificateId: rv._id, template: {} });
    expect((await failure(c.admin.submit({ module: "webra", workflow: "renew", certificateId: rv._id }))).backendCode).toBe("WEBRA-RENEW-006");
  });

  it("import registers an external certificate; missing cert → IMPORT-004; bad PEM → IMPORT-001", async () => {
    const ext = await hz.ca.signPublicKey(new x509.X509Certificate(hz.ca.issuing.rawData).publicKey, "CN=imported.test", { dns: ["imported.test"] });
    const r = await c.admin.submit({
      module: "webra",
      workflow: "import",
      profile: "auto-profile",
      certificatePem: ext.pem,
      template: { owner: { value: "carol" } },
    });
    expect(r.certificate).toMatchObject({ dn: "CN=imported.test", owner: "carol", profile: "auto-profile" });
    expect((await c.admin.getCertificates([r.certificate!._id]))[0]?.certificate.serial).toBe(ext.certificate.serialNumber);
    expect((await failure(c.admin.submit({ module: "webra", workflow: "import" }))).backendCode).toBe("WEBRA-IMPORT-004");
    expect((await failure(c.admin.submit({ module: "webra", workflow: "import", certificatePem: "garbage" }))).backendCode).toBe("WEBRA-IMPORT-001");
  });
});

describe("Horizon emulator: more workflow edges", () => {
  it("centralized enroll on an approval profile: PKCS#12 appears on GET after approval", async () => {
    const p = await c.requester.submit({
      module: "webra",
      workflow: "enroll",
      profile: "approval-profile",
      template: { subject: [{ element: "cn.1", value: "pc.test" }] },
    });
    expect(p.status).toBe("pending");
    expect(p.pkcs12 ?? null).toBeNull();
    await c.approver.approve({ _id: p._id, module: "webra", workflow: "enroll" });
    const got = await c.requester.getRequest(p._id);
    expect(got?.status).toBe("completed");
    expect(got?.pkcs12?.value).toBeTruthy();
    expect(got?.password?.value).toBeTruthy();
    expect(got?.certificate?.keyType).toBe("rsa-2048");
  });
  it("import of a certificate whose key is already escrowed → WEBRA-IMPORT-003 invalid_state", async () => {
    const a = await centralized("esc.test");
    const e = await failure(
      c.admin.submit({
        module: "webra",
        workflow: "import",
        profile: "auto-profile",
        certificatePem: a.certificate,
        template: { privateKey: "-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----" },
      }),
    );
    expect([e.backendCode, e.kind]).toEqual(["WEBRA-IMPORT-003", "invalid_state"]);
  });
  it("update of an unknown certificate → 404 REQ-009", async () => {
    const e = await failure(c.admin.submit({ workflow: "update", certificateId: "missing", template: {} }));
    expect([e.status, e.backendCode, e.kind]).toEqual([404, "REQ-009", "not_found"]);
  });
  it("approve with dryRun leaves the request pending; approver template edits apply", async () => {
    const p = await c.requester.submit({
      module: "webra",
      workflow: "enroll",
      profile: "approval-profile",
      template: { csr: await csrPem("edit.test") },
    });
    expect((await c.approver.approve({ _id: p._id, module: "webra", workflow: "enroll", dryRun: true })).status).toBe("pending");
    const done = await c.approver.approve({
      _id: p._id,
      module: "webra",
      workflow: "enroll",
      template: { ...p.template, owner: { value: "approver-set" } },
    });
    expect(done.certificate?.owner).toBe("approver-set");
  });
});

describe("Horizon emulator: validation codes", () => {
  const enroll = (profile: string, template: object, extra: object = {}) =>
    failure(c.admin.submit({ module: "webra", workflow: "enroll", profile, template, ...extra } as never));
  it.each([
    ["WEBRA-ENROLL-001", "central-profile", { csr: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----" }],
    ["WEBRA-ENROLL-002", "auto-profile", { keyType: "ec-secp384r1", subject: [{ element: "cn.1", value: "x" }] }],
    ["WEBRA-ENROLL-003", "auto-profile", { csr: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----" }],
    ["WEBRA-ENROLL-004", "auto-profile", { subject: [{ element: "zz.1", value: "x" }] }],
    ["WEBRA-ENROLL-005", "auto-profile", { subject: [{ element: "cn.1", value: "x" }], sans: [{ type: "OTHERNAME_UPN", value: ["a@b"] }] }],
    ["WEBRA-ENROLL-006", "auto-profile", { subject: [{ element: "cn.1", value: "x" }], labels: [{ label: "", value: "v" }] }],
    ["WEBRA-ENROLL-012", "central-profile", { subject: [{ element: "cn.1", value: "x" }] }],
  ])("%s", async (code, profile, template) => {
    const e = await enroll(profile, template);
    expect([e.status, e.backendCode, e.kind]).toEqual([400, code, "validation"]);
    expect(e.messages.length).toBeGreaterThan(0);
  });
  it("unknown or disabled profile → 404 REQ-010", async () => {
    expect((await enroll("nope", {})).backendCode).toBe("REQ-010");
    expect((await enroll("disabled-profile", {})).status).toBe(404);
  });
  it("revoke codes 001/003/004/006, REQ-002 for an unknown workflow", async () => {
    expect((await failure(c.admin.submit({ workflow: "revoke", template: {} }))).backendCode).toBe("WEBRA-REVOKE-001");
    expect((await failure(c.admin.submit({ workflow: "revoke", certificateId: "missing", template: {} }))).backendCode).toBe("WEBRA-REVOKE-004");
    const a = await enrolled("rc.test");
    expect(
      (await failure(c.admin.submit({ workflow: "revoke", certificateId: a._id, template: { revocationReason: "bored" as never } }))).backendCode,
    ).toBe("WEBRA-REVOKE-003");
    expect((await failure(c.admin.submit({ workflow: "revoke", certificateId: a._id } as never))).backendCode).toBe("WEBRA-REVOKE-006");
    expect((await failure(c.admin.submit({ module: "webra", workflow: "fly" } as never))).backendCode).toBe("REQ-002");
  });
  it("EST / SCEP codes", async () => {
    const ch = (module: "est" | "scep", profile: string, extra: object = {}) =>
      failure(c.admin.submit({ module, workflow: "enroll", profile, ...extra }));
    expect((await ch("est", "est-profile")).backendCode).toBe("EST-ENROLL-002");
    expect((await ch("est", "est-profile", { dn: "garbage" })).backendCode).toBe("EST-ENROLL-003");
    expect((await ch("est", "scep-profile")).backendCode).toBe("EST-ENROLL-005");
    expect((await ch("scep", "scep-profile", { dn: "CN=a" })).backendCode).toBe("SCEP-ENROLL-001");
    expect((await ch("scep", "est-profile", { dn: "CN=a" })).backendCode).toBe("SCEP-ENROLL-005");
    hz.state.profiles.set("est-noprevalidation", { ...hz.state.profiles.get("est-profile")!, name: "est-noprevalidation", dnWhitelist: false });
    expect((await ch("est", "est-noprevalidation", { dn: "CN=a" })).backendCode).toBe("EST-ENROLL-001");
  });
});

describe("Horizon emulator: certificate reads", () => {
  it("demo seed: search by status, profile, dn contains, id in, notAfter before; batch lookup", async () => {
    const all = await c.admin.searchCertificates({ pageSize: 1000, withCount: true });
    expect(all.count).toBeGreaterThanOrEqual(30);
    const revoked = await c.admin.searchCertificates({ query: "status is revoked", withCount: true });
    expect(revoked.count).toBeGreaterThan(0);
    expect(revoked.results.every(r => r.revoked)).toBe(true);
    const soon = await c.admin.searchCertificates({ query: "status is valid and valid.until before 21d", withCount: true });
    expect(soon.count).toBeGreaterThan(0);
    expect(soon.results.every(r => r.notAfter! < Date.now() + 21 * DAY_MS && r.notAfter! > Date.now())).toBe(true);
    const demo = await c.admin.searchCertificates({
      query: 'dn contains "demo.example" and profile equals "auto-profile"',
      fields: ["dn"],
      sortedBy: [{ element: "dn", order: "Asc" }],
    });
    expect(demo.results.length).toBeGreaterThan(0);
    expect(demo.results.map(r => r.dn)).toEqual([...demo.results.map(r => r.dn)].sort());
    expect(Object.keys(demo.results[0]!).sort()).toEqual(["_id", "dn"]);
    const ids = all.results.slice(0, 3).map(r => r._id);
    const byIds = await c.admin.searchCertificates({ query: `id in [${ids.map(i => `"${i}"`).join(", ")}]` });
    expect(byIds.results.map(r => r._id).sort()).toEqual([...ids].sort());
    const batch = await c.admin.getCertificates([...ids, "unknown"]);
    expect(batch.map(b => b.certificate._id)).toEqual(ids);
    expect(await c.admin.getCertificate("unknown")).toBeNull();
  });
  it("every demo certificate verifies against the emulator CA", async () => {
    const all = await c.admin.searchCertificates({ query: 'dn contains "demo.example"', pageSize: 100 });
    for (const r of all.results) {
      const cert = new x509.X509Certificate(r.certificate!);
      expect(await cert.verify({ publicKey: hz.ca.issuing.publicKey, signatureOnly: true })).toBe(true);
    }
  });
  it("reset restores the demo seed", async () => {
    await c.admin.submit({ module: "webra", workflow: "enroll", profile: "auto-profile", template: { csr: await csrPem("tmp.test") } });
    await hz.reset();
    expect(hz.state.certificates.size).toBe(30);
    expect([...hz.state.requests.values()].filter(r => r.wire.status === "pending")).toHaveLength(3);
  });
});
