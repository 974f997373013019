import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCsr } from "../../support/csr.js";
import { openPkcs12 } from "../../support/pkcs12.js";
import { startTestStack, type TestStack } from "../../support/stack.js";

const PAYLOAD = `
  replayed pkcs12 generatedPassword
  request { id status final workflow module profile requester certificate { id state pem subject { commonName } } }
  certificate { id backend state serialNumber pem subject { commonName } subjectAlternativeNames { dns } }
`;

describe("Horizon operations through the gateway", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it("enrolls with a CSR on an auto profile and returns the completed certificate", async () => {
    const { pem, csr } = await makeCsr("auto.graph.example");
    const res = await stack.gql(`mutation($input: IssueInput!) { issue(input: $input) { ${PAYLOAD} } }`, {
      input: {
        horizonProfile: "auto-profile",
        csr: pem,
        subject: [{ element: "cn.1", value: "auto.graph.example" }],
        sans: [{ type: "DNSNAME", values: ["auto.graph.example"] }],
      },
    });
    expect(res.errors).toBeUndefined();
    const out = res.data.issue;
    expect(out.request.status).toBe("COMPLETED");
    expect(out.request.final).toBe(true);
    expect(out.certificate.backend).toBe("HORIZON");
    expect(out.certificate.state).toBe("ISSUED");
    expect(out.certificate.subject.commonName).toBe("auto.graph.example");
    // The certified key is the CSR's key.
    const issued = new x509.X509Certificate(out.certificate.pem);
    expect(Buffer.from(issued.publicKey.rawData).equals(Buffer.from(csr.publicKey.rawData))).toBe(true);
    expect(await stack.hz.ca.verifies(issued)).toBe(true);
  });

  it("walks a request through approval: pending → approved → completed, then the certificate is queryable", async () => {
    const { pem } = await makeCsr("approval.graph.example");
    const submitted = await stack.gql(`mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { ${PAYLOAD} } }`, {
      input: {
        webraEnroll: {
          profile: "approval-profile",
          csr: pem,
          subject: [{ element: "cn.1", value: "approval.graph.example" }],
        },
        comment: "please",
      },
    });
    expect(submitted.errors).toBeUndefined();
    const request = submitted.data.submitRequest.request;
    expect(request.status).toBe("PENDING");
    expect(request.final).toBe(false);
    expect(submitted.data.submitRequest.certificate).toBeNull();

    const approved = await stack.gql(`mutation($input: RequestDecisionInput!) { approveRequest(input: $input) { ${PAYLOAD} } }`, {
      input: { requestId: request.id, comment: "ok" },
    });
    expect(approved.errors).toBeUndefined();
    expect(approved.data.approveRequest.request.status).toBe("COMPLETED");
    const cert = approved.data.approveRequest.certificate;
    expect(cert.subject.commonName).toBe("approval.graph.example");

    const read = await stack.gql(`query($id: ID!) { request(id: $id) { status certificate { id state } } }`, { id: request.id });
    expect(read.data.request).toEqual({ status: "COMPLETED", certificate: { id: cert.id, state: "ISSUED" } });
  });

  it("denies and cancels pending requests, and refuses to approve a final one", async () => {
    const submit = async (cn: string) => {
      const { pem } = await makeCsr(cn);
      const r = await stack.gql(`mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { request { id status } } }`, {
        i: { webraEnroll: { profile: "approval-profile", csr: pem, subject: [{ element: "cn.1", value: cn }] } },
      });
      return r.data.submitRequest.request.id as string;
    };
    const toDeny = await submit("deny.graph.example");
    const denied = await stack.gql(`mutation($i: RequestDecisionInput!) { denyRequest(input: $i) { request { status approverComment } } }`, {
      i: { requestId: toDeny, comment: "no" },
    });
    expect(denied.data.denyRequest.request.status).toBe("DENIED");

    const toCancel = await submit("cancel.graph.example");
    const canceled = await stack.gql(`mutation($i: CancelPendingInput!) { cancelPending(input: $i) { request { status } } }`, {
      i: { id: toCancel },
    });
    expect(canceled.errors).toBeUndefined();
    expect(canceled.data.cancelPending.request.status).toBe("CANCELED");

    const again = await stack.gql(`mutation($i: RequestDecisionInput!) { approveRequest(input: $i) { request { status } } }`, {
      i: { requestId: toDeny },
    });
    expect(again.data).toBeNull();
    expect(again.errors?.[0]?.extensions?.backend).toBe("horizon");
    expect(again.errors?.[0]?.extensions?.backendCode).toMatch(/^REQ-/);
  });

  it("returns a centralized PKCS#12 once, never echoes the password, and opens with it", async () => {
    const password = "S3cret-p12-pass";
    const input = {
      horizonProfile: "central-profile",
      keyType: "rsa-2048",
      subject: [{ element: "cn.1", value: "central.graph.example" }],
      password,
      idempotencyKey: "central-once",
    };
    const first = await stack.gql(`mutation($input: IssueInput!) { issue(input: $input) { ${PAYLOAD} } }`, { input });
    expect(first.errors).toBeUndefined();
    expect(JSON.stringify(first)).not.toContain(password);
    const p12b64 = first.data.issue.pkcs12 as string;
    expect(p12b64).toBeTruthy();
    const p12 = await openPkcs12(p12b64, password);
    const inP12 = p12.certificate;
    expect(inP12.subject).toContain("central.graph.example");
    // The key in the file is the certificate's: OpenSSL derives the same public key from it.
    expect(p12.publicKeySpki.equals(Buffer.from(inP12.publicKey.rawData))).toBe(true);

    const replay = await stack.gql(`mutation($input: IssueInput!) { issue(input: $input) { ${PAYLOAD} } }`, { input });
    expect(replay.data.issue.replayed).toBe(true);
    expect(replay.data.issue.pkcs12).toBeNull();
    expect(replay.data.issue.certificate.id).toBe(first.data.issue.certificate.id);
  });

  it("submits est and scep challenges, revoke, update and renew requests", async () => {
    const est = await stack.gql(
      `mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { request { module workflow status } generatedPassword } }`,
      {
        i: { estEnroll: { profile: "est-profile", dn: "CN=device-1.est.example" } },
      },
    );
    expect(est.errors).toBeUndefined();
    expect(est.data.submitRequest.request.module).toBe("est");

    const scep = await stack.gql(`mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { request { module workflow } } }`, {
      i: { scepEnroll: { profile: "scep-profile", password: "challenge-123" } },
    });
    expect(scep.errors).toBeUndefined();
    expect(scep.data.submitRequest.request.module).toBe("scep");

    const { pem } = await makeCsr("lifecycle.graph.example");
    const issued = await stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { certificate { id } } }`, {
      i: { horizonProfile: "auto-profile", csr: pem, subject: [{ element: "cn.1", value: "lifecycle.graph.example" }] },
    });
    const certId = issued.data.issue.certificate.id;

    const update = await stack.gql(
      `mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { request { workflow status } certificate { owner } } }`,
      {
        i: { webraUpdate: { certificateId: certId, owner: "alice" } },
      },
    );
    expect(update.errors).toBeUndefined();
    expect(update.data.submitRequest.request.workflow).toBe("update");

    const renewed = await stack.gql(`mutation($i: RenewInput!) { renew(input: $i) { request { workflow status } certificate { id state } } }`, {
      i: { certificateId: certId, csr: (await makeCsr("lifecycle.graph.example")).pem },
    });
    expect(renewed.errors).toBeUndefined();
    expect(renewed.data.renew.request.workflow).toBe("renew");
    expect(renewed.data.renew.certificate.id).not.toBe(certId);

    const revoked = await stack.gql(
      `mutation($i: RevokeInput!) { revoke(input: $i) { request { workflow status } certificate { id state revocationReason } } }`,
      {
        i: { certificateId: renewed.data.renew.certificate.id, reason: "KEY_COMPROMISE" },
      },
    );
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data.revoke.certificate.state).toBe("REVOKED");
  });

  it("validates input before calling Horizon: a CSR that does not parse, two variants, an unknown id", async () => {
    stack.hz.clearLog();
    const badCsr = await stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { replayed } }`, {
      i: { horizonProfile: "auto-profile", csr: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----" },
    });
    expect(badCsr.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(badCsr.errors?.[0]?.message).toMatch(/csr/);
    const two = await stack.gql(`mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { replayed } }`, {
      i: { estEnroll: { profile: "est-profile" }, scepEnroll: { profile: "scep-profile" } },
    });
    expect(two.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const badId = await stack.gql(`mutation($i: RevokeInput!) { revoke(input: $i) { replayed } }`, { i: { certificateId: "nope" } });
    expect(badId.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(stack.hz.count("POST", "/api/v1/requests/submit")).toBe(0);
  });
});
