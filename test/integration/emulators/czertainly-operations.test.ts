import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsr } from "../../../src/emulators/ca.js";
import { startCzertainlyEmulator, type CzertainlyEmulator } from "../../../src/emulators/czertainly/czertainly.emulator.js";
import { makeCsr } from "../../support/csr.js";
import { coreApi, verifiesAgainstChain } from "./czertainly-support.js";

describe("CZERTAINLY emulator: v2 operations and the state machine", () => {
  let cz: CzertainlyEmulator;
  let api: ReturnType<typeof coreApi>;
  beforeAll(async () => {
    cz = await startCzertainlyEmulator({ port: 0, seed: "none" });
    api = coreApi(cz);
  });
  afterAll(() => cz.close());

  const state = async (uuid: string) => (await api.get(`/v1/certificates/${uuid}`)).body.state as string;
  const signed = async (csrPem: string) => cz.ca.signCsr(parseCsr(csrPem));

  it("sync issue: 200 {certificateData:'', uuid}, then ISSUED with the CSR's key, subject and SANs, verifying against the chain", async () => {
    const { reply, csr, detail } = await api.issue("sync-profile", "sync.emu.example");
    expect(reply).toEqual({ certificateData: "", uuid: expect.any(String) });
    expect(detail).toMatchObject({
      state: "issued",
      commonName: "sync.emu.example",
      subjectDn: "CN=sync.emu.example",
      raProfile: { name: "sync-profile" },
    });
    expect(detail.subjectAlternativeNames).toEqual({ dNSName: ["sync.emu.example"] });
    const cert = new x509.X509Certificate(Buffer.from(detail.certificateContent, "base64"));
    expect(Buffer.from(cert.publicKey.rawData).equals(Buffer.from(csr.csr.publicKey.rawData))).toBe(true);
    expect(detail.serialNumber).toBe(cert.serialNumber.toLowerCase());
    expect(await verifiesAgainstChain(cz, detail.certificateContent)).toBe(true);
    const history = (await api.get(`/v1/certificates/${reply.uuid}/history`)).body;
    expect(history.map((h: any) => h.event)).toEqual(["Issue Certificate", "Request Certificate"]);
  });

  it("issue without a CSR: a managed key generated on the token profile from the CSR attributes", async () => {
    const res = await api.post(`${api.ops("sync-profile")}/certificates`, {
      tokenProfileUuid: "8a3b7a2e-5c39-4f0e-9d55-0b9e6a7c2d11",
      csrAttributes: [
        { name: "commonName", contentType: "string", content: [{ data: "managed.emu.example" }] },
        { name: "organization", contentType: "string", content: [{ data: "Emu" }] },
      ],
      attributes: [],
    });
    expect(res.status).toBe(200);
    const detail = (await api.get(`/v1/certificates/${res.body.uuid}`)).body;
    expect(detail).toMatchObject({
      state: "issued",
      commonName: "managed.emu.example",
      privateKeyAvailability: true,
      key: { tokenProfileName: "soft-token-profile" },
    });
    const key = (await api.get(`/v1/keys/${detail.key.uuid}`)).body;
    expect(key.items.map((i: any) => i.type).sort()).toEqual(["Private", "Public"]);
    expect(key.associations).toEqual([expect.objectContaining({ uuid: res.body.uuid, resource: "certificates" })]);
    const cert = new x509.X509Certificate(Buffer.from(detail.certificateContent, "base64"));
    expect(Buffer.from(cert.publicKey.rawData).toString("base64")).toBe(cz.state.keys.get(detail.key.uuid)!.spki);

    const none = await api.post(`${api.ops("sync-profile")}/certificates`, { attributes: [] });
    expect(none).toMatchObject({ status: 422, body: ["Cannot submit certificate request without specifying key or uploaded request content"] });
  });

  it("refuses a CSR whose signature does not verify, and one that is not a CSR (400 {message})", async () => {
    const { base64 } = await makeCsr("tampered.emu.example");
    const der = Buffer.from(base64, "base64");
    der[der.length - 5] = der[der.length - 5]! ^ 0xff; // corrupt the signature
    const tampered = await api.post(`${api.ops("sync-profile")}/certificates`, { request: der.toString("base64"), attributes: [] });
    expect(tampered.status).toBe(400);
    expect(tampered.body.message).toMatch(/signature|not a valid/);
    const garbage = await api.post(`${api.ops("sync-profile")}/certificates`, { request: "bm90IGEgY3Ny", attributes: [] });
    expect(garbage).toMatchObject({ status: 400, body: { message: expect.stringMatching(/not a valid PKCS#10/) } });
  });

  it("async issue → PENDING_ISSUE → finalize (key must match; 409 on a known fingerprint) → ISSUED; finalize again is refused", async () => {
    const { uuid, csr, detail } = await api.issue("async-profile", "async.emu.example");
    expect(detail.state).toBe("pending_issue");
    expect(detail.certificateContent).toBeUndefined();
    const ops = api.ops("async-profile");

    const other = await signed((await makeCsr("async.emu.example")).pem);
    const mismatch = await api.post(`${ops}/certificates/${uuid}/issue/finalize`, { certificate: other.base64, customAttributes: [] });
    expect(mismatch).toMatchObject({ status: 422, body: ["Public key of the uploaded certificate does not match the certificate request"] });
    expect(await state(uuid)).toBe("pending_issue");

    const good = await signed(csr.pem);
    const done = await api.post(`${ops}/certificates/${uuid}/issue/finalize`, { certificate: good.base64, customAttributes: [] });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ uuid, state: "issued", certificateContent: good.base64 });
    expect(await verifiesAgainstChain(cz, done.body.certificateContent)).toBe(true);

    const again = await api.post(`${ops}/certificates/${uuid}/issue/finalize`, { certificate: good.base64 });
    expect(again.status).toBe(422);
    expect(again.body[0]).toMatch(/not in PENDING_ISSUE\. Current state: Issued/);

    // The same certificate uploaded to another pending request with the same key: 409.
    const twin = await api.post(`${ops}/certificates`, { request: csr.base64, attributes: [] });
    const dup = await api.post(`${ops}/certificates/${twin.body.uuid}/issue/finalize`, { certificate: good.base64 });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toMatch(/already exists with fingerprint/);
  });

  it("revoke: sync → REVOKED at once (204); async → PENDING_REVOKE → confirm → REVOKED; confirm elsewhere is refused", async () => {
    const sync = await api.issue("sync-profile", "revoke-sync.emu.example");
    const r1 = await api.post(`${api.ops("sync-profile")}/certificates/${sync.uuid}/revoke`, { reason: "keyCompromise", attributes: [] });
    expect(r1).toMatchObject({ status: 204, body: undefined });
    expect(await state(sync.uuid)).toBe("revoked");
    const twice = await api.post(`${api.ops("sync-profile")}/certificates/${sync.uuid}/revoke`, { reason: "keyCompromise", attributes: [] });
    expect(twice.status).toBe(422);

    const ops = api.ops("async-profile");
    const a = await api.issue("async-profile", "revoke-async.emu.example");
    await api.post(`${ops}/certificates/${a.uuid}/issue/finalize`, { certificate: (await signed(a.csr.pem)).base64 });
    const notPending = await api.post(`${ops}/certificates/${a.uuid}/revoke/confirm`);
    expect(notPending).toMatchObject({ status: 422, body: ["Certificate is not in PENDING_REVOKE state"] });
    expect((await api.post(`${ops}/certificates/${a.uuid}/revoke`, { reason: "superseded", attributes: [], destroyKey: false })).status).toBe(204);
    expect(await state(a.uuid)).toBe("pending_revoke");

    const guarded = await api.post(`${ops}/certificates/${a.uuid}/renew`, {});
    expect(guarded.status).toBe(422);
    expect(guarded.body[0]).toMatch(/pending operation\. Finalize or cancel the pending operation first/);

    expect((await api.post(`${ops}/certificates/${a.uuid}/revoke/confirm`)).status).toBe(204);
    expect(await state(a.uuid)).toBe("revoked");
  });

  it("cancel: PENDING_ISSUE → FAILED, PENDING_REVOKE → ISSUED, reason in history; 422 when not pending or not abortable; reason ≤ 1000", async () => {
    const ops = api.ops("async-profile");
    const a = await api.issue("async-profile", "cancel-issue.emu.example");
    const tooLong = await api.post(`${ops}/certificates/${a.uuid}/cancel`, { reason: "x".repeat(1001) });
    expect(tooLong.status).toBe(422);
    const cancelled = await api.post(`${ops}/certificates/${a.uuid}/cancel`, { reason: "ordered by mistake" });
    expect(cancelled).toMatchObject({ status: 200, body: { uuid: a.uuid, state: "failed" } });
    const history = (await api.get(`/v1/certificates/${a.uuid}/history`)).body;
    expect(history[0].message).toMatch(/cancelled: ordered by mistake/);

    const b = await api.issue("async-profile", "cancel-revoke.emu.example");
    await api.post(`${ops}/certificates/${b.uuid}/issue/finalize`, { certificate: (await signed(b.csr.pem)).base64 });
    await api.post(`${ops}/certificates/${b.uuid}/revoke`, { reason: "unspecified", attributes: [] });
    const back = await api.post(`${ops}/certificates/${b.uuid}/cancel`, {});
    expect(back.body.state).toBe("issued");
    const notPending = await api.post(`${ops}/certificates/${b.uuid}/cancel`, {});
    expect(notPending.status).toBe(422);
    expect(notPending.body[0]).toMatch(/no pending operation/);

    const stuck = await api.issue("async-nocancel-profile", "stuck.emu.example");
    const refused = await api.post(`${api.ops("async-nocancel-profile")}/certificates/${stuck.uuid}/cancel`, { reason: "try" });
    expect(refused.status).toBe(422);
    expect(refused.body[0]).toMatch(/cannot be aborted/);
    expect(await state(stuck.uuid)).toBe("pending_issue");
  });

  it("renew keeps the original ISSUED and the key; a different key is refused", async () => {
    const ops = api.ops("sync-profile");
    const orig = await api.issue("sync-profile", "renew.emu.example");
    const renewed = await api.post(`${ops}/certificates/${orig.uuid}/renew`, { replaceInLocations: false });
    expect(renewed.status).toBe(200);
    expect(renewed.body.uuid).not.toBe(orig.uuid);
    const next = (await api.get(`/v1/certificates/${renewed.body.uuid}`)).body;
    expect(next.state).toBe("issued");
    expect(await state(orig.uuid)).toBe("issued");
    const pk = (b64: string) => Buffer.from(new x509.X509Certificate(Buffer.from(b64, "base64")).publicKey.rawData).toString("hex");
    expect(pk(next.certificateContent)).toBe(pk(orig.detail.certificateContent));
    const relations = (await api.get(`/v1/certificates/${orig.uuid}/relations`)).body;
    expect(relations.successorCertificates).toEqual([{ uuid: renewed.body.uuid, relation: "renewal" }]);

    const otherKey = await api.post(`${ops}/certificates/${orig.uuid}/renew`, { request: (await makeCsr("renew.emu.example")).base64 });
    expect(otherKey.status).toBe(422);
    expect(otherKey.body[0]).toMatch(/use rekey/);

    const asyncOrig = await api.issue("async-profile", "renew-async.emu.example");
    await api.post(`${api.ops("async-profile")}/certificates/${asyncOrig.uuid}/issue/finalize`, {
      certificate: (await signed(asyncOrig.csr.pem)).base64,
    });
    const asyncRenew = await api.post(`${api.ops("async-profile")}/certificates/${asyncOrig.uuid}/renew`, {});
    expect(await state(asyncRenew.body.uuid)).toBe("pending_issue");
    expect(await state(asyncOrig.uuid)).toBe("issued");
  });

  it("rekey needs a new key and the same subject", async () => {
    const ops = api.ops("sync-profile");
    const orig = await api.issue("sync-profile", "rekey.emu.example");
    const same = await api.post(`${ops}/certificates/${orig.uuid}/rekey`, { request: orig.csr.base64 });
    expect(same.status).toBe(422);
    expect(same.body[0]).toMatch(/requires a new key/);
    const moved = await api.post(`${ops}/certificates/${orig.uuid}/rekey`, { request: (await makeCsr("elsewhere.emu.example")).base64 });
    expect(moved.status).toBe(422);
    expect(moved.body[0]).toMatch(/keep the subject/);
    const good = await api.post(`${ops}/certificates/${orig.uuid}/rekey`, { request: (await makeCsr("rekey.emu.example")).base64 });
    expect(good.status).toBe(200);
    const next = (await api.get(`/v1/certificates/${good.body.uuid}`)).body;
    expect(next).toMatchObject({ state: "issued", subjectDn: orig.detail.subjectDn });
  });

  it("issues a REQUESTED certificate; refuses it in any other state", async () => {
    const queued = [...cz.state.certificates.values()].find(c => c.state === "requested");
    // seed "none" has no queued certificate: make one the way Core's compliance hold leaves it.
    const { uuid } = queued ?? (await api.issue("sync-profile", "requested.emu.example"));
    if (!queued) cz.state.certificates.get(uuid)!.state = "requested";
    const ok = await api.post(`${api.ops("sync-profile")}/certificates/${uuid}/issue`);
    expect(ok).toMatchObject({ status: 200, body: { certificateData: "", uuid } });
    expect(await state(uuid)).toBe("issued");
    const again = await api.post(`${api.ops("sync-profile")}/certificates/${uuid}/issue`);
    expect(again.status).toBe(422);
  });

  it("guards the path: unknown profile 404, malformed uuid 400, certificate of another profile 422, disabled profile 422, legacy authority 404", async () => {
    const a = await api.issue("sync-profile", "paths.emu.example");
    const bogus = `/v2/operations/authorities/${cz.authorities.ejbca}/raProfiles/00000000-0000-4000-8000-000000000000`;
    expect((await api.post(`${bogus}/certificates`, { attributes: [] })).status).toBe(404);
    expect((await api.post(`/v2/operations/authorities/x/raProfiles/y/certificates`, {})).status).toBe(400);
    const wrong = await api.post(`${api.ops("attrs-profile")}/certificates/${a.uuid}/revoke`, { attributes: [] });
    expect(wrong.status).toBe(422);
    expect(wrong.body[0]).toMatch(/not associated with RA Profile attrs-profile/);
    const disabled = await api.post(`${api.ops("disabled-profile")}/certificates`, { request: (await makeCsr("d.example")).base64, attributes: [] });
    expect(disabled).toMatchObject({ status: 422, body: ["RA Profile disabled-profile is disabled"] });
    const legacy = await api.post(`${api.ops("legacy-profile")}/certificates`, { attributes: [] });
    expect(legacy).toMatchObject({ status: 404, body: { message: "Legacy Authority. V2 Implementation not found on the connector" } });
    expect((await api.post(`${api.ops("sync-profile")}/certificates/${a.uuid}/revoke`, { reason: "notAReason", attributes: [] })).status).toBe(400);
  });

  it("completes pending operations on its own on async-auto-profile", async () => {
    const auto = await startCzertainlyEmulator({ port: 0, seed: "none", autoCompleteAfterMs: 50 });
    try {
      const autoApi = coreApi(auto);
      const { uuid, detail } = await autoApi.issue("async-auto-profile", "auto.emu.example");
      expect(detail.state).toBe("pending_issue");
      await expect.poll(async () => (await autoApi.get(`/v1/certificates/${uuid}`)).body.state, { timeout: 5_000, interval: 50 }).toBe("issued");
      await autoApi.post(`${autoApi.ops("async-auto-profile")}/certificates/${uuid}/revoke`, { reason: "superseded", attributes: [] });
      await expect.poll(async () => (await autoApi.get(`/v1/certificates/${uuid}`)).body.state, { timeout: 5_000, interval: 50 }).toBe("revoked");
    } finally {
      await auto.close();
    }
  });
});
