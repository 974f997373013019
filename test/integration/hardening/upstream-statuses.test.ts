/**
 * Backend answers that are not failures of the backend itself reach the caller typed, over real HTTP:
 * a 409 (CZERTAINLY Core's AlreadyExistException, for real: finalizing with a certificate Core
 * already holds; Horizon's problem+json through fault injection) is CONFLICT, and a 429 with
 * `Retry-After` is UPSTREAM_RATE_LIMITED with `retryAfterSeconds`, retryable, and not retried by the
 * gateway (which would only make the rate limiting worse).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseCsr } from "../../../src/emulators/ca.js";
import { noFaults } from "../../../src/emulators/http-kit.js";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { expectTypedAnswer, post } from "./support.js";

describe("backend 409 and 429 over real HTTP", () => {
  let stack: TestStack;
  let profiles: Record<string, string>;
  let czId: string;
  let hzId: string;

  beforeAll(async () => {
    stack = await startTestStack({ RATE_LIMIT_PER_MINUTE: "0" });
    profiles = await stack.raProfileIds();
    const page = await stack.gql(`{ cz: certificates(first: 1, filter: { backends: [CZERTAINLY], states: [ISSUED] }) { nodes { id } }
      hz: certificates(first: 1, filter: { backends: [HORIZON], states: [ISSUED] }) { nodes { id } } }`);
    czId = page.data.cz.nodes[0].id;
    hzId = page.data.hz.nodes[0].id;
  });
  afterEach(() => {
    Object.assign(stack.cz.faults, noFaults());
    Object.assign(stack.hz.faults, noFaults());
  });
  afterAll(() => stack.close());

  const issuePending = async (pem: string) => {
    const res = await stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { certificate { id state } } }`, {
      i: { raProfileId: profiles["async-profile"], csr: pem },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.issue.certificate.state).toBe("PENDING_ISSUE");
    return res.data.issue.certificate.id as string;
  };
  const finalize = (certificateId: string, certificate: string) =>
    post(stack, `mutation($i: FinalizeInput!) { finalize(input: $i) { certificate { id state } } }`, { i: { certificateId, certificate } });

  it("CZERTAINLY 409 (finalize with a certificate Core already holds) → CONFLICT with Core's message, backend and status", async () => {
    // Two pending issuances from the same CSR; the CA's one certificate is uploaded to the first, then to the second.
    const { pem } = await makeCsr("conflict.statuses.example");
    const first = await issuePending(pem);
    const second = await issuePending(pem);
    const issued = await stack.cz.ca.signCsr(parseCsr(pem));
    const ok = await finalize(first, issued.pem);
    expect(ok.json!.errors).toBeUndefined();
    expect(ok.json!.data.finalize.certificate.state).toBe("ISSUED");

    stack.cz.clearLog();
    const dup = await finalize(second, issued.pem);
    expectTypedAnswer(dup, "finalize twice");
    expect(stack.cz.count("POST", /\/finalize$/)).toBe(1);
    expect(dup.json!.data).toBeNull();
    expect(dup.json!.errors).toHaveLength(1);
    const error = dup.json!.errors![0]!;
    expect(error.extensions).toEqual({ code: "CONFLICT", backend: "czertainly", backendStatus: 409 });
    expect(error.message).toMatch(/^Certificate already exists with fingerprint [0-9a-f]{64}$/);
    expect(error.path).toEqual(["finalize"]);
    // Nothing changed: the second certificate is still waiting.
    const still = await stack.gql(`query($id: ID!) { certificate(id: $id) { state } }`, { id: second });
    expect(still.data.certificate.state).toBe("PENDING_ISSUE");
  });

  it("Horizon 409 (problem+json) → CONFLICT with Horizon's code, backend and status", async () => {
    stack.hz.faults.failStatus = 409;
    stack.hz.faults.failNext = 1;
    const res = await post(stack, `mutation($i: IssueInput!) { issue(input: $i) { certificate { id } } }`, {
      i: {
        horizonProfile: "auto-profile",
        csr: (await makeCsr("conflict.hz.example")).pem,
        subject: [{ element: "cn.1", value: "conflict.hz.example" }],
      },
    });
    expectTypedAnswer(res, "Horizon 409");
    expect(res.json!.errors).toHaveLength(1);
    expect(res.json!.errors![0]!.extensions).toEqual({ code: "CONFLICT", backend: "horizon", backendStatus: 409, backendCode: "REQ-001" });
    expect(stack.hz.faults.failNext).toBe(0);
  });

  describe("429 with Retry-After → UPSTREAM_RATE_LIMITED, retryAfterSeconds, retryable, no retry", () => {
    const cases = [
      { backend: "czertainly", emulator: () => stack.cz, path: /^\/api\/v1\/certificates\/[^/]+$/, id: () => czId },
      { backend: "horizon", emulator: () => stack.hz, path: /^\/api\/v1\/certificates$/, id: () => hzId },
    ] as const;
    for (const c of cases) {
      it(`${c.backend}: a read (certificate lookup)`, async () => {
        const emulator = c.emulator();
        Object.assign(emulator.faults, { failStatus: 429, failNext: 3, failRetryAfter: "7" });
        emulator.clearLog();
        const res = await post(stack, `query($id: ID!) { certificate(id: $id) { id state } }`, { id: c.id() });
        expectTypedAnswer(res, `${c.backend} 429`);
        expect(res.json!.errors).toHaveLength(1);
        expect(res.json!.errors![0]!.extensions).toMatchObject({
          code: "UPSTREAM_RATE_LIMITED",
          backend: c.backend,
          backendStatus: 429,
          retryable: true,
          retryAfterSeconds: 7,
        });
        expect(res.json!.errors![0]!.message).toBe(`The ${c.backend} backend is rate limiting the gateway`);
        // One call: reads are retried on 5xx and timeouts, never into a backend that asked the gateway to wait.
        expect(emulator.requests.filter(r => c.path.test(r.path))).toHaveLength(1);
        expect(emulator.faults.failNext).toBe(2);
      });
    }

    it("horizon: a mutation, and a 429 without Retry-After (retryable, no retryAfterSeconds)", async () => {
      Object.assign(stack.hz.faults, { failStatus: 429, failNext: 1, failRetryAfter: "120" });
      const issue = await post(stack, `mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { request { id } } }`, {
        i: { scepEnroll: { profile: "scep-profile" } },
      });
      expectTypedAnswer(issue, "mutation 429");
      expect(issue.json!.errors![0]!.extensions).toMatchObject({
        code: "UPSTREAM_RATE_LIMITED",
        backend: "horizon",
        backendStatus: 429,
        retryable: true,
        retryAfterSeconds: 120,
      });

      Object.assign(stack.cz.faults, { failStatus: 429, failNext: 1 });
      const bare = await post(stack, `query($id: ID!) { certificate(id: $id) { id } }`, { id: czId });
      expectTypedAnswer(bare, "429 without Retry-After");
      const ext = bare.json!.errors![0]!.extensions!;
      expect(ext).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", backend: "czertainly", backendStatus: 429, retryable: true });
      expect(ext).not.toHaveProperty("retryAfterSeconds");
    });

    it("both backends listed at once: each rate-limited part is its own typed error beside the other's data", async () => {
      Object.assign(stack.cz.faults, { failStatus: 429, failNext: 1, failRetryAfter: "3" });
      const res = await post(stack, `{ certificates(first: 100) { edges { node { backend } } } }`);
      expectTypedAnswer(res, "partial 429");
      const nodes = res.json!.data.certificates.edges.map((e: any) => e.node.backend);
      expect(nodes.length).toBeGreaterThan(0);
      expect(new Set(nodes)).toEqual(new Set(["HORIZON"]));
      expect(res.json!.errors).toHaveLength(1);
      expect(res.json!.errors![0]!.extensions).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", backend: "czertainly", retryAfterSeconds: 3 });
      expect(res.json!.errors![0]!.path).toEqual(["certificates"]);
    });
  });
});
