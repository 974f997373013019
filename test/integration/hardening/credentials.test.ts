/**
 * Credentials per backend: forwarding the caller's own (Horizon X-API-ID/X-API-KEY, CZERTAINLY
 * `ssl-client-cert`) or the configured service identity. A caller without credentials gets
 * UNAUTHENTICATED without any backend being called; one the backend refuses gets FORBIDDEN;
 * the gateway never acts with more rights than the caller has.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { codesOf, expectTypedAnswer, post } from "./support.js";

const PAGE = `{ certificates(first: 100) { edges { node { id backend } } } }`;
const HZ_PAYLOAD = `replayed request { id status requester } certificate { id state }`;

describe("credentials: HORIZON_CREDENTIALS=forward and CZERTAINLY_CREDENTIALS=forward", () => {
  let stack: TestStack;
  let ADMIN: Record<string, string>;
  let APPROVER: Record<string, string>;
  let REQUESTER: Record<string, string>;
  let OPERATOR: Record<string, string>;
  let READER: Record<string, string>;
  const profiles: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startTestStack({ HORIZON_CREDENTIALS: "forward", CZERTAINLY_CREDENTIALS: "forward", RATE_LIMIT_PER_MINUTE: "0" });
    const key = (a: { apiId: string; apiKey: string }) => ({ "x-api-id": a.apiId, "x-api-key": a.apiKey });
    ADMIN = key(stack.hz.accounts.admin);
    APPROVER = key(stack.hz.accounts.approver);
    REQUESTER = key(stack.hz.accounts.requester);
    OPERATOR = { "ssl-client-cert": stack.cz.clientCert.header };
    READER = { "ssl-client-cert": stack.cz.readerCert.header };
    const res = await post(stack, `{ raProfiles { id name } }`, undefined, OPERATOR);
    expect(res.json!.errors).toBeUndefined();
    for (const p of res.json!.data.raProfiles) profiles[p.name] = p.id;
  });
  afterAll(() => stack.close());

  const clearLogs = () => {
    stack.hz.clearLog();
    stack.cz.clearLog();
  };

  it("a caller without credentials gets UNAUTHENTICATED per backend, and no backend is called", async () => {
    clearLogs();
    const page = await post(stack, PAGE);
    expectTypedAnswer(page, "no credentials");
    expect(page.json!.data).toBeNull();
    expect(page.json!.errors!.map(e => [e.extensions?.code, e.extensions?.backend]).sort()).toEqual([
      ["UNAUTHENTICATED", "czertainly"],
      ["UNAUTHENTICATED", "horizon"],
    ]);

    const profilesRes = await post(stack, `{ raProfiles { id } }`);
    expect(profilesRes.json!.errors![0]!.extensions).toMatchObject({ code: "UNAUTHENTICATED", backend: "czertainly" });
    const requests = await post(stack, `{ requests(first: 5) { edges { node { id } } } }`);
    expect(requests.json!.errors![0]!.extensions).toMatchObject({ code: "UNAUTHENTICATED", backend: "horizon" });

    const { pem } = await makeCsr("anonymous.cred.example");
    const issue = await post(stack, `mutation($i: IssueInput!) { issue(input: $i) { ${HZ_PAYLOAD} } }`, {
      i: { horizonProfile: "auto-profile", csr: pem, subject: [{ element: "cn.1", value: "anonymous.cred.example" }] },
    });
    expect(codesOf(issue)).toEqual(["UNAUTHENTICATED"]);
    const czIssue = await post(stack, `mutation($i: IssueInput!) { issue(input: $i) { certificate { id } } }`, {
      i: { raProfileId: profiles["sync-profile"], csr: pem },
    });
    expect(codesOf(czIssue)).toEqual(["UNAUTHENTICATED"]);

    expect(stack.hz.requests).toHaveLength(0);
    expect(stack.cz.requests).toHaveLength(0);
  });

  it("half the credentials are not enough: an X-API-ID without its X-API-KEY is UNAUTHENTICATED too", async () => {
    clearLogs();
    const res = await post(stack, `{ requests(first: 5) { edges { node { id } } } }`, undefined, { "x-api-id": "admin" });
    expect(res.json!.errors![0]!.extensions).toMatchObject({ code: "UNAUTHENTICATED", backend: "horizon" });
    expect(stack.hz.requests).toHaveLength(0);
  });

  it("credentials for one backend: that backend's data, and UNAUTHENTICATED for the other", async () => {
    clearLogs();
    const hzOnly = await post(stack, PAGE, undefined, ADMIN);
    expectTypedAnswer(hzOnly, "horizon only");
    expect(new Set(hzOnly.json!.data.certificates.edges.map((e: any) => e.node.backend))).toEqual(new Set(["HORIZON"]));
    expect(hzOnly.json!.errors!.map(e => e.extensions)).toEqual([expect.objectContaining({ code: "UNAUTHENTICATED", backend: "czertainly" })]);
    expect(stack.cz.requests).toHaveLength(0);

    const czOnly = await post(stack, PAGE, undefined, OPERATOR);
    expectTypedAnswer(czOnly, "czertainly only");
    expect(new Set(czOnly.json!.data.certificates.edges.map((e: any) => e.node.backend))).toEqual(new Set(["CZERTAINLY"]));
    expect(czOnly.json!.errors!.map(e => e.extensions)).toEqual([expect.objectContaining({ code: "UNAUTHENTICATED", backend: "horizon" })]);

    const both = await post(stack, PAGE, undefined, { ...ADMIN, ...OPERATOR });
    expect(both.json!.errors).toBeUndefined();
    expect(new Set(both.json!.data.certificates.edges.map((e: any) => e.node.backend))).toEqual(new Set(["CZERTAINLY", "HORIZON"]));
  });

  it("credentials the backend does not accept: Horizon's 401 is UNAUTHENTICATED, Core's refusal of an unknown certificate FORBIDDEN", async () => {
    const wrongKey = await post(stack, `{ requests(first: 5) { edges { node { id } } } }`, undefined, {
      "x-api-id": "admin",
      "x-api-key": "not-the-key",
    });
    expectTypedAnswer(wrongKey, "wrong key");
    expect(wrongKey.json!.errors![0]!.extensions).toMatchObject({ code: "UNAUTHENTICATED", backend: "horizon", backendStatus: 401 });
    expect(wrongKey.text).not.toContain("not-the-key");

    // A certificate Core does not know (here: one Horizon issued) is refused with 403.
    const hzCert = await post(stack, `{ certificates(first: 1, filter: { backends: [HORIZON] }) { edges { node { pem } } } }`, undefined, ADMIN);
    const stranger = { "ssl-client-cert": encodeURIComponent(hzCert.json!.data.certificates.edges[0].node.pem) };
    const refused = await post(stack, `{ raProfiles { id } }`, undefined, stranger);
    expectTypedAnswer(refused, "unknown certificate");
    expect(refused.json!.errors![0]!.extensions).toMatchObject({ code: "FORBIDDEN", backend: "czertainly", backendStatus: 403 });
  });

  it("a caller the backend refuses gets FORBIDDEN: each caller keeps exactly its own Horizon rights", async () => {
    const enroll = async (headers: Record<string, string>, cn: string, profile = "approval-profile") => {
      const { pem } = await makeCsr(cn);
      return post(
        stack,
        `mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { ${HZ_PAYLOAD} } }`,
        { i: { webraEnroll: { profile, csr: pem, subject: [{ element: "cn.1", value: cn }] } } },
        headers,
      );
    };
    // The approver may not submit.
    const byApprover = await enroll(APPROVER, "approver.cred.example");
    expectTypedAnswer(byApprover, "approver submits");
    expect(byApprover.json!.errors![0]!.extensions).toMatchObject({ code: "FORBIDDEN", backend: "horizon", backendCode: "SEC-PERM-001" });

    // The requester submits as itself…
    const byRequester = await enroll(REQUESTER, "requester.cred.example");
    expect(byRequester.json!.errors).toBeUndefined();
    const request = byRequester.json!.data.submitRequest.request;
    expect(request).toMatchObject({ status: "PENDING", requester: "requester" });

    // …but may not approve its own request, whatever the gateway's own rights.
    const decide = (headers: Record<string, string>) =>
      post(stack, `mutation($i: RequestDecisionInput!) { approveRequest(input: $i) { ${HZ_PAYLOAD} } }`, { i: { requestId: request.id } }, headers);
    const selfApproved = await decide(REQUESTER);
    expectTypedAnswer(selfApproved, "requester approves");
    expect(selfApproved.json!.errors![0]!.extensions).toMatchObject({ code: "FORBIDDEN", backend: "horizon" });

    const approved = await decide(APPROVER);
    expect(approved.json!.errors).toBeUndefined();
    expect(approved.json!.data.approveRequest.request.status).toBe("COMPLETED");
  });

  it("a caller the backend refuses gets FORBIDDEN: a CZERTAINLY reader may read but not issue", async () => {
    const read = await post(stack, `{ raProfiles { id name } }`, undefined, READER);
    expect(read.json!.errors).toBeUndefined();
    expect(read.json!.data.raProfiles.length).toBeGreaterThan(0);

    const { pem } = await makeCsr("reader.cred.example");
    const issue = (headers: Record<string, string>) =>
      post(
        stack,
        `mutation($i: IssueInput!) { issue(input: $i) { certificate { id state } } }`,
        { i: { raProfileId: profiles["sync-profile"], csr: pem } },
        headers,
      );
    const refused = await issue(READER);
    expectTypedAnswer(refused, "reader issues");
    expect(refused.json!.errors![0]!.extensions).toMatchObject({ code: "FORBIDDEN", backend: "czertainly" });

    const issued = await issue(OPERATOR);
    expect(issued.json!.errors).toBeUndefined();
    expect(issued.json!.data.issue.certificate.state).toBe("ISSUED");
  });

  it("idempotency never replays one caller's result to another, even one who claims the same API id", async () => {
    const { pem } = await makeCsr("replay.cred.example");
    const mutation = `mutation($i: IssueInput!) { issue(input: $i) { ${HZ_PAYLOAD} } }`;
    const input = {
      horizonProfile: "auto-profile",
      csr: pem,
      subject: [{ element: "cn.1", value: "replay.cred.example" }],
      idempotencyKey: "cred-replay-1",
    };
    const first = await post(stack, mutation, { i: input }, ADMIN);
    expect(first.json!.errors).toBeUndefined();
    expect(first.json!.data.issue.replayed).toBe(false);

    // Same API id, same key, same input, but not admin's API key: the backend decides, and refuses.
    const impostor = await post(stack, mutation, { i: input }, { "x-api-id": "admin", "x-api-key": "guessed" });
    expectTypedAnswer(impostor, "impostor");
    expect(impostor.json!.data).toBeNull();
    expect(codesOf(impostor)).toEqual(["UNAUTHENTICATED"]);

    // Another real caller with the same idempotency key acts for itself.
    const other = await post(stack, mutation, { i: input }, REQUESTER);
    expect(other.json!.errors).toBeUndefined();
    expect(other.json!.data.issue.replayed).toBe(false);
    expect(other.json!.data.issue.certificate.id).not.toBe(first.json!.data.issue.certificate.id);

    // The owner's retry is the replay.
    const retry = await post(stack, mutation, { i: input }, ADMIN);
    expect(retry.json!.data.issue).toMatchObject({ replayed: true, certificate: first.json!.data.issue.certificate });
  });
});

describe("credentials: service mode (the default) uses the configured identity, never the caller's headers", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ RATE_LIMIT_PER_MINUTE: "0" });
  });
  afterAll(() => stack.close());

  it("callers need no credentials, and headers a caller sends cannot choose another identity", async () => {
    const page = await post(stack, PAGE);
    expect(page.json!.errors).toBeUndefined();

    const { pem } = await makeCsr("service.cred.example");
    const res = await post(
      stack,
      `mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { request { requester status } } }`,
      { i: { webraEnroll: { profile: "approval-profile", csr: pem, subject: [{ element: "cn.1", value: "service.cred.example" }] } } },
      { "x-api-id": "requester", "x-api-key": "requester-secret" },
    );
    expect(res.json!.errors).toBeUndefined();
    // Horizon saw the configured service account (the stack configures admin), not the caller's headers.
    expect(res.json!.data.submitRequest.request.requester).toBe(stack.config.horizon.apiId);
    expect(res.json!.data.submitRequest.request.requester).not.toBe("requester");
  });
});
