import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../../support/stack.js";

const CERT_FIELDS = `
  id backend backendId state serialNumber notBefore notAfter fingerprintSha256 fingerprintSha1 pem
  subject { dn commonName } issuer { dn commonName }
  publicKey { algorithm size curve } signatureAlgorithm keyUsage extendedKeyUsage
  subjectAlternativeNames { dns } basicConstraints { ca }
`;

describe("the unified graph over both emulators", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.cz.faults.down = false;
    stack.hz.faults.down = false;
    stack.cz.clearLog();
    stack.hz.clearLog();
  });

  it("lists certificates of both backends in one query, with fields decoded from the X.509 itself", async () => {
    const res = await stack.gql(
      `{ certificates(first: 100) { totalCount edges { cursor node { ${CERT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(res.errors).toBeUndefined();
    const nodes = res.data.certificates.edges.map((e: any) => e.node);
    const backends = new Set(nodes.map((n: any) => n.backend));
    expect(backends).toEqual(new Set(["CZERTAINLY", "HORIZON"]));
    expect(res.data.certificates.totalCount).toBeGreaterThanOrEqual(nodes.length);

    const issued = nodes.filter((n: any) => n.pem);
    expect(issued.length).toBeGreaterThan(10);
    for (const n of issued) {
      const der = Buffer.from(n.pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
      expect(n.fingerprintSha256).toBe(createHash("sha256").update(der).digest("hex"));
      expect(n.fingerprintSha1).toBe(createHash("sha1").update(der).digest("hex"));
      expect(n.subject.commonName).toBeTruthy();
      expect(n.issuer.commonName).toMatch(/Issuing CA/);
      expect(n.publicKey.algorithm).toMatch(/^(EC|RSA)$/);
      expect(n.keyUsage.length).toBeGreaterThan(0);
      expect(n.basicConstraints.ca).toBe(false);
      expect(new Date(n.notAfter).getTime()).toBeGreaterThan(new Date(n.notBefore).getTime());
    }
  });

  it("pages with cursors from CZERTAINLY into Horizon without gaps or repeats", async () => {
    const all = await stack.gql(`{ certificates(first: 100) { edges { node { id } } } }`);
    const expected = all.data.certificates.edges.map((e: any) => e.node.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 50; i++) {
      const page: any = await stack.gql(
        `query($after: String) { certificates(first: 7, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      expect(page.errors).toBeUndefined();
      seen.push(...page.data.certificates.edges.map((e: any) => e.node.id));
      if (!page.data.certificates.pageInfo.hasNextPage) break;
      after = page.data.certificates.pageInfo.endCursor;
    }
    expect(seen.slice(0, expected.length)).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("filters by backend, state and subject text in the backends", async () => {
    const revoked = await stack.gql(`{ certificates(first: 100, filter: { states: [REVOKED] }) { edges { node { backend state } } } }`);
    expect(revoked.errors).toBeUndefined();
    const nodes = revoked.data.certificates.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((n: any) => n.state === "REVOKED")).toBe(true);

    stack.cz.clearLog();
    const onlyHz = await stack.gql(`{ certificates(first: 5, filter: { backends: [HORIZON] }) { edges { node { backend } } } }`);
    expect(onlyHz.data.certificates.edges.every((e: any) => e.node.backend === "HORIZON")).toBe(true);
    expect(stack.cz.count("POST", "/api/v1/certificates")).toBe(0);

    const pending = await stack.gql(`{ certificates(first: 50, filter: { states: [PENDING_ISSUE] }) { edges { node { backend state pem } } } }`);
    expect(pending.data.certificates.edges.every((e: any) => e.node.backend === "CZERTAINLY" && e.node.pem === null)).toBe(true);
  });

  it("gives partial data and a typed error when one backend is down, never a 500", async () => {
    stack.hz.faults.down = true;
    const res = await stack.gql(`{ certificates(first: 100) { edges { node { backend } } } }`);
    expect(res.status).toBe(200);
    expect(res.data.certificates.edges.length).toBeGreaterThan(0);
    expect(res.data.certificates.edges.every((e: any) => e.node.backend === "CZERTAINLY")).toBe(true);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", backend: "horizon" });
    expect(res.errors![0]!.path).toEqual(["certificates"]);
    expect(JSON.stringify(res.errors)).not.toMatch(/Service unavailable|stack/i);
  });

  it("answers node(id), nodes(ids) and certificate(id) for both backends, null for unknown ids", async () => {
    const page = await stack.gql(
      `{ cz: certificates(first: 1, filter: { backends: [CZERTAINLY] }) { nodes { id } } hz: certificates(first: 1, filter: { backends: [HORIZON] }) { nodes { id } } }`,
    );
    const czId = page.data.cz.nodes[0].id;
    const hzId = page.data.hz.nodes[0].id;
    const res = await stack.gql(
      `query($ids: [ID!]!, $one: ID!) { nodes(ids: $ids) { id ... on Certificate { backend } } certificate(id: $one) { id } }`,
      {
        ids: [czId, hzId],
        one: hzId,
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.nodes.map((n: any) => n.backend)).toEqual(["CZERTAINLY", "HORIZON"]);
    expect(res.data.certificate.id).toBe(hzId);

    const unknownHz = Buffer.from("Certificate:HORIZON:000000000000000000000000").toString("base64url");
    const unknownCz = Buffer.from("Certificate:CZERTAINLY:00000000-0000-4000-8000-000000000000").toString("base64url");
    const missing = await stack.gql(`query($a: ID!, $b: ID!) { a: certificate(id: $a) { id } b: certificate(id: $b) { id } }`, {
      a: unknownHz,
      b: unknownCz,
    });
    expect(missing.errors).toBeUndefined();
    expect(missing.data).toEqual({ a: null, b: null });

    const invalid = await stack.gql(`{ certificate(id: "not-an-id") { id } }`);
    expect(invalid.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("serves RA profiles with their authority, attributes and Horizon requests with their certificate", async () => {
    const res = await stack.gql(`{
      raProfiles { id name enabled legacyAuthority authority { name } }
      requests(first: 10) { totalCount nodes { id status workflow profile certificate { id } } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.raProfiles.length).toBeGreaterThanOrEqual(3);
    expect(res.data.raProfiles.every((p: any) => p.authority?.name)).toBe(true);
    expect(res.data.requests.nodes.length).toBeGreaterThan(0);

    const withAttrs = res.data.raProfiles.find((p: any) => p.name === "attrs-profile");
    const attrs = await stack.gql(
      `query($id: ID!) { issueAttributes(raProfileId: $id) { name required contentType } revokeAttributes(raProfileId: $id) { name } }`,
      { id: withAttrs.id },
    );
    expect(attrs.errors).toBeUndefined();
    expect(attrs.data.issueAttributes.some((a: any) => a.required)).toBe(true);
  });
});
