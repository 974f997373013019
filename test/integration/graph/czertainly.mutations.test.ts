import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsr } from "../../../src/emulators/ca.js";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";

const PAYLOAD = `replayed certificate { id backend backendId state pem serialNumber subject { commonName } raProfile { name } }`;

describe("CZERTAINLY operations through the gateway", () => {
  let stack: TestStack;
  let profiles: Record<string, string> = {};
  const issue = async (profile: string, cn: string, extra: Record<string, unknown> = {}) => {
    const { pem, csr } = await makeCsr(cn);
    const res = await stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { ${PAYLOAD} } }`, {
      i: { raProfileId: profiles[profile], csr: pem, ...extra },
    });
    return { res, csr, pem };
  };
  const mutate = (name: string, type: string, input: Record<string, unknown>) =>
    stack.gql(`mutation($i: ${type}!) { ${name}(input: $i) { ${PAYLOAD} } }`, { i: input });

  beforeAll(async () => {
    stack = await startTestStack();
    profiles = await stack.raProfileIds();
  });
  afterAll(() => stack.close());

  it("issues synchronously from a real CSR: ISSUED, the CSR's key, signed by the emulator CA", async () => {
    const { res, csr } = await issue("sync-profile", "sync.cz.example");
    expect(res.errors).toBeUndefined();
    const cert = res.data.issue.certificate;
    expect(cert).toMatchObject({
      backend: "CZERTAINLY",
      state: "ISSUED",
      subject: { commonName: "sync.cz.example" },
      raProfile: { name: "sync-profile" },
    });
    const parsed = new x509.X509Certificate(cert.pem);
    expect(Buffer.from(parsed.publicKey.rawData).equals(Buffer.from(csr.publicKey.rawData))).toBe(true);
    expect(await stack.cz.ca.verifies(parsed)).toBe(true);
  });

  it("async issuance: issue → PENDING_ISSUE → finalize with the issued certificate → ISSUED", async () => {
    const { res, pem } = await issue("async-profile", "async.cz.example");
    expect(res.errors).toBeUndefined();
    const pending = res.data.issue.certificate;
    expect(pending.state).toBe("PENDING_ISSUE");
    expect(pending.pem).toBeNull();

    // The CA answers out of band; the operator uploads what it issued.
    const issuedOutOfBand = await stack.cz.ca.signCsr(parseCsr(pem));
    const wrongKey = await stack.cz.ca.signCsr((await makeCsr("async.cz.example")).csr);
    const refused = await mutate("finalize", "FinalizeInput", { certificateId: pending.id, certificate: wrongKey.pem });
    expect(refused.errors?.[0]?.extensions?.code).toMatch(/VALIDATION_FAILED|INVALID_STATE/);

    const done = await mutate("finalize", "FinalizeInput", { certificateId: pending.id, certificate: issuedOutOfBand.pem });
    expect(done.errors).toBeUndefined();
    expect(done.data.finalize.certificate.state).toBe("ISSUED");
    expect(done.data.finalize.certificate.serialNumber).toBe(issuedOutOfBand.certificate.serialNumber.toLowerCase());

    const again = await mutate("finalize", "FinalizeInput", { certificateId: pending.id, certificate: issuedOutOfBand.pem });
    expect(again.errors?.[0]?.extensions?.code).toBe("INVALID_STATE");
  });

  it("async revocation: revoke → PENDING_REVOKE → confirmRevoke → REVOKED; confirm is refused otherwise", async () => {
    const { res, pem } = await issue("async-profile", "revoke.cz.example");
    const id = res.data.issue.certificate.id;
    await mutate("finalize", "FinalizeInput", { certificateId: id, certificate: (await stack.cz.ca.signCsr(parseCsr(pem))).pem });

    const early = await mutate("confirmRevoke", "CertificateActionInput", { certificateId: id });
    expect(early.errors?.[0]?.extensions?.code).toBe("INVALID_STATE");
    expect(early.errors?.[0]?.extensions?.messages?.join(" ")).toMatch(/PENDING_REVOKE/);

    const revoking = await mutate("revoke", "RevokeInput", { certificateId: id, reason: "KEY_COMPROMISE" });
    expect(revoking.errors).toBeUndefined();
    expect(revoking.data.revoke.certificate.state).toBe("PENDING_REVOKE");
    const confirmed = await mutate("confirmRevoke", "CertificateActionInput", { certificateId: id });
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data.confirmRevoke.certificate.state).toBe("REVOKED");
  });

  it("cancelPending: PENDING_ISSUE → FAILED, PENDING_REVOKE → ISSUED, refused on ISSUED", async () => {
    const a = await issue("async-profile", "cancel-issue.cz.example");
    const failed = await stack.gql(`mutation($i: CancelPendingInput!) { cancelPending(input: $i) { ${PAYLOAD} } }`, {
      i: { id: a.res.data.issue.certificate.id, reason: "wrong subject" },
    });
    expect(failed.errors).toBeUndefined();
    expect(failed.data.cancelPending.certificate.state).toBe("FAILED");

    const b = await issue("async-profile", "cancel-revoke.cz.example");
    const bid = b.res.data.issue.certificate.id;
    await mutate("finalize", "FinalizeInput", { certificateId: bid, certificate: (await stack.cz.ca.signCsr(parseCsr(b.pem))).pem });
    await mutate("revoke", "RevokeInput", { certificateId: bid });
    const back = await stack.gql(`mutation($i: CancelPendingInput!) { cancelPending(input: $i) { ${PAYLOAD} } }`, { i: { id: bid } });
    expect(back.errors).toBeUndefined();
    expect(back.data.cancelPending.certificate.state).toBe("ISSUED");

    const refused = await stack.gql(`mutation($i: CancelPendingInput!) { cancelPending(input: $i) { ${PAYLOAD} } }`, { i: { id: bid } });
    expect(refused.errors?.[0]?.extensions?.code).toBe("INVALID_STATE");

    const tooLong = await stack.gql(`mutation($i: CancelPendingInput!) { cancelPending(input: $i) { replayed } }`, {
      i: { id: bid, reason: "x".repeat(1001) },
    });
    expect(tooLong.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("renews (the original stays issued) and rekeys (new key, same subject; same key refused)", async () => {
    const { res, pem } = await issue("sync-profile", "renew.cz.example");
    const id = res.data.issue.certificate.id;
    const renewed = await mutate("renew", "RenewInput", { certificateId: id, csr: pem });
    expect(renewed.errors).toBeUndefined();
    expect(renewed.data.renew.certificate.id).not.toBe(id);
    expect(renewed.data.renew.certificate.state).toBe("ISSUED");
    const original = await stack.gql(`query($id: ID!) { certificate(id: $id) { state } }`, { id });
    expect(original.data.certificate.state).toBe("ISSUED");

    const sameKey = await mutate("rekey", "RekeyInput", { certificateId: id, csr: pem });
    expect(sameKey.errors?.[0]?.extensions?.code).toMatch(/VALIDATION_FAILED|INVALID_STATE|BAD_USER_INPUT/);
    const rekeyed = await mutate("rekey", "RekeyInput", { certificateId: id, csr: (await makeCsr("renew.cz.example")).pem });
    expect(rekeyed.errors).toBeUndefined();
    expect(rekeyed.data.rekey.certificate.subject.commonName).toBe("renew.cz.example");
  });

  it("validates attributes and refuses an issue that lacks the required ones", async () => {
    const check = await stack.gql(`mutation($i: ValidateAttributesInput!) { validateIssueAttributes(input: $i) { valid messages } }`, {
      i: { raProfileId: profiles["attrs-profile"], attributes: [] },
    });
    expect(check.errors).toBeUndefined();
    expect(check.data.validateIssueAttributes.valid).toBe(false);
    expect(check.data.validateIssueAttributes.messages.length).toBeGreaterThan(0);

    const refused = await issue("attrs-profile", "attrs.cz.example");
    expect(refused.res.errors?.[0]?.extensions?.code).toBe("VALIDATION_FAILED");
    expect(refused.res.errors?.[0]?.extensions?.messages.length).toBeGreaterThan(0);
  });

  it("a retried or raced issue with one idempotency key issues exactly one certificate", async () => {
    const { pem } = await makeCsr("once.cz.example");
    stack.cz.clearLog();
    const input = { raProfileId: profiles["sync-profile"], csr: pem, idempotencyKey: "issue-once-1" };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { ${PAYLOAD} } }`, { i: input })),
    );
    const retry = await stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { ${PAYLOAD} } }`, { i: input });
    const ids = new Set([...results, retry].map(r => r.data.issue.certificate.id));
    expect(ids.size).toBe(1);
    expect([...results, retry].filter(r => !r.data.issue.replayed)).toHaveLength(1);
    expect(stack.cz.requests.filter(r => r.method === "POST" && /\/raProfiles\/[^/]+\/certificates$/.test(r.path))).toHaveLength(1);

    const conflict = await stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { replayed } }`, {
      i: { ...input, csr: (await makeCsr("other.cz.example")).pem },
    });
    expect(conflict.errors?.[0]?.extensions?.code).toBe("IDEMPOTENCY_CONFLICT");
  });

  it("routes CZERTAINLY-only operations clearly and validates before calling Core", async () => {
    stack.cz.clearLog();
    const hz = await stack.gql(`{ certificates(first: 1, filter: { backends: [HORIZON] }) { nodes { id } } }`);
    const onHorizon = await mutate("finalize", "FinalizeInput", {
      certificateId: hz.data.certificates.nodes[0].id,
      certificate: (await stack.cz.ca.signCsr((await makeCsr("x.example")).csr)).pem,
    });
    expect(onHorizon.errors?.[0]?.extensions?.code).toBe("UNSUPPORTED_BY_BACKEND");
    const badCert = await mutate("finalize", "FinalizeInput", { certificateId: hz.data.certificates.nodes[0].id, certificate: "not a certificate" });
    expect(badCert.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const both = await stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { replayed } }`, {
      i: { raProfileId: profiles["sync-profile"], horizonProfile: "auto-profile" },
    });
    expect(both.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(stack.cz.requests.filter(r => r.method === "POST")).toHaveLength(0);
  });
});
