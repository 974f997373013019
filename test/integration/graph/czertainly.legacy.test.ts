import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";

const CERT = `certificate { id backend state pem serialNumber issuer { dn } subject { commonName dn } raProfile { name } }`;

describe("CZERTAINLY legacy v1, REQUESTED issuance and revoke attributes through the gateway", () => {
  let stack: TestStack;
  let profiles: Record<string, string> = {};
  beforeAll(async () => {
    stack = await startTestStack();
    profiles = await stack.raProfileIds();
  });
  afterAll(() => stack.close());

  it("lists, adds and edits end entities of a legacy RA profile", async () => {
    const list = await stack.gql(`query($p: ID!) { endEntities(raProfileId: $p) { username subjectDn status } }`, { p: profiles["legacy-profile"] });
    expect(list.errors).toBeUndefined();
    expect(list.data.endEntities).toContainEqual({ username: "demo-user", subjectDn: "CN=demo-user,O=Demo Corp,C=CZ", status: "NEW" });

    const entity = { raProfileId: profiles["legacy-profile"], username: "graph-user", password: "graph-pass-1", subjectDn: "CN=graph-user,O=Graph" };
    const added = await stack.gql(`mutation($i: EndEntityInput!) { addEndEntity(input: $i) { endEntity { username status } } }`, { i: entity });
    expect(added.errors).toBeUndefined();
    expect(added.data.addEndEntity.endEntity).toEqual({ username: "graph-user", status: "NEW" });

    const edited = await stack.gql(`mutation($i: EndEntityInput!) { editEndEntity(input: $i) { endEntity { email status } } }`, {
      i: { ...entity, password: "graph-pass-2", email: "graph@demo.example", status: "NEW" },
    });
    expect(edited.errors).toBeUndefined();
    expect(edited.data.editEndEntity.endEntity).toEqual({ email: "graph@demo.example", status: "NEW" });

    const notLegacy = await stack.gql(`query($p: ID!) { endEntities(raProfileId: $p) { username } }`, { p: profiles["sync-profile"] });
    expect(notLegacy.errors?.[0]?.extensions?.code).toBeTruthy();
    expect(notLegacy.errors?.[0]?.extensions?.code).not.toBe("INTERNAL_SERVER_ERROR");
  });

  it("legacy issue (username/password + CSR) and legacy revoke by serial and issuer", async () => {
    await stack.gql(`mutation($i: EndEntityInput!) { addEndEntity(input: $i) { endEntity { username } } }`, {
      i: { raProfileId: profiles["legacy-profile"], username: "legacy-graph", password: "pw-legacy", subjectDn: "CN=legacy-graph,O=Graph" },
    });
    const { pem, csr } = await makeCsr("legacy-graph");
    const wrong = await stack.gql(`mutation($i: LegacyIssueInput!) { legacyIssue(input: $i) { ${CERT} } }`, {
      i: { raProfileId: profiles["legacy-profile"], username: "legacy-graph", password: "not-it", csr: pem },
    });
    expect(wrong.errors?.[0]?.extensions?.code).toBeTruthy();
    expect(JSON.stringify(wrong)).not.toContain("not-it");

    const issued = await stack.gql(`mutation($i: LegacyIssueInput!) { legacyIssue(input: $i) { ${CERT} } }`, {
      i: { raProfileId: profiles["legacy-profile"], username: "legacy-graph", password: "pw-legacy", csr: pem },
    });
    expect(issued.errors).toBeUndefined();
    const cert = issued.data.legacyIssue.certificate;
    expect(cert).toMatchObject({
      backend: "CZERTAINLY",
      state: "ISSUED",
      subject: { commonName: "legacy-graph" },
      raProfile: { name: "legacy-profile" },
    });
    const parsed = new x509.X509Certificate(cert.pem);
    expect(Buffer.from(parsed.publicKey.rawData).equals(Buffer.from(csr.publicKey.rawData))).toBe(true);
    expect(await stack.cz.ca.verifies(parsed)).toBe(true);

    const revoked = await stack.gql(`mutation($i: LegacyRevokeInput!) { legacyRevoke(input: $i) }`, {
      i: { raProfileId: profiles["legacy-profile"], serialNumber: cert.serialNumber, issuerDn: parsed.issuer, reason: "SUPERSEDED" },
    });
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data.legacyRevoke).toBe(true);
    const after = await stack.gql(`query($id: ID!) { certificate(id: $id) { state } }`, { id: cert.id });
    expect(after.data.certificate.state).toBe("REVOKED");
  });

  it("issues a REQUESTED certificate; refuses it once issued", async () => {
    const found = await stack.gql(
      `{ certificates(first: 5, filter: { backends: [CZERTAINLY], states: [REQUESTED] }) { nodes { id state subject { commonName } } } }`,
    );
    expect(found.errors).toBeUndefined();
    const requested = found.data.certificates.nodes[0];
    expect(requested).toMatchObject({ state: "REQUESTED", subject: { commonName: "queued.demo.example" } });
    const issued = await stack.gql(`mutation($i: CertificateActionInput!) { issueRequested(input: $i) { ${CERT} } }`, {
      i: { certificateId: requested.id },
    });
    expect(issued.errors).toBeUndefined();
    expect(issued.data.issueRequested.certificate).toMatchObject({ id: requested.id, state: "ISSUED" });
    expect(await stack.cz.ca.verifies(new x509.X509Certificate(issued.data.issueRequested.certificate.pem))).toBe(true);
    const again = await stack.gql(`mutation($i: CertificateActionInput!) { issueRequested(input: $i) { replayed } }`, {
      i: { certificateId: requested.id },
    });
    expect(again.errors?.[0]?.extensions?.code).toMatch(/INVALID_STATE|VALIDATION_FAILED/);
  });

  it("validates revoke attributes and refuses a revoke whose attributes the RA profile rejects", async () => {
    const attrsProfile = profiles["attrs-profile"];
    const check = await stack.gql(`mutation($i: ValidateAttributesInput!) { validateRevokeAttributes(input: $i) { valid messages } }`, {
      i: { raProfileId: attrsProfile, attributes: [{ name: "ticket", values: ["nope"] }] },
    });
    expect(check.errors).toBeUndefined();
    expect(check.data.validateRevokeAttributes).toEqual({ valid: false, messages: ["Ticket must look like CHG-123"] });

    const { pem } = await makeCsr("revoke-attrs.cz.example");
    const issued = await stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { certificate { id state } } }`, {
      i: { raProfileId: attrsProfile, csr: pem, attributes: [{ name: "department", values: ["Security"] }] },
    });
    expect(issued.errors).toBeUndefined();
    const id = issued.data.issue.certificate.id;
    const refused = await stack.gql(`mutation($i: RevokeInput!) { revoke(input: $i) { certificate { state } } }`, {
      i: { certificateId: id, reason: "KEY_COMPROMISE", attributes: [{ name: "ticket", values: ["nope"] }] },
    });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "VALIDATION_FAILED", messages: ["Ticket must look like CHG-123"] });
    const done = await stack.gql(`mutation($i: RevokeInput!) { revoke(input: $i) { certificate { state } } }`, {
      i: { certificateId: id, reason: "KEY_COMPROMISE", attributes: [{ name: "ticket", values: ["CHG-42"] }] },
    });
    expect(done.errors).toBeUndefined();
    expect(done.data.revoke.certificate.state).toBe("REVOKED");
  });
});
