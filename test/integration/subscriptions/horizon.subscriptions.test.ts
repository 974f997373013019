import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromGlobalId } from "../../../src/domain/ids.js";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { sseClient, until, watch, wsClient, type StreamingClient } from "./support.js";

const SUB = `subscription($id: ID!) { requestChanged(id: $id) { id status final workflow certificate { id state subject { commonName } } } }`;

describe("Horizon requests watched through approval, over graphql-ws and SSE", () => {
  let stack: TestStack;
  let ws: StreamingClient;
  let sse: StreamingClient;

  const submit = async (input: Record<string, unknown>) => {
    const res = await stack.gql(`mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { request { id status } certificate { id } } }`, {
      i: input,
    });
    expect(res.errors).toBeUndefined();
    return res.data.submitRequest as { request: { id: string; status: string }; certificate: { id: string } | null };
  };
  const enroll = async (cn: string, profile = "approval-profile") => {
    const { pem } = await makeCsr(cn);
    return submit({ webraEnroll: { profile, csr: pem, subject: [{ element: "cn.1", value: cn }] } });
  };
  const decide = async (decision: "approveRequest" | "denyRequest", requestId: string) => {
    const res = await stack.gql(`mutation($i: RequestDecisionInput!) { ${decision}(input: $i) { request { status } certificate { id } } }`, {
      i: { requestId, comment: "decided" },
    });
    expect(res.errors).toBeUndefined();
    return res.data[decision];
  };

  beforeAll(async () => {
    // Changes below arrive through the mutations' publish; polling is kept out of the way.
    stack = await startTestStack({ WATCH_INTERVAL_MS: "600000" });
    ws = wsClient(stack);
    sse = sseClient(stack);
  });
  afterAll(async () => {
    await ws?.dispose();
    await sse?.dispose();
    await stack?.close();
  });

  for (const transport of ["graphql-ws", "SSE"] as const) {
    it(`${transport}: an enrollment is watched from PENDING through approval to COMPLETED with its certificate`, async () => {
      const cn = `approve-${transport.toLowerCase()}.watch.example`;
      const { request } = await enroll(cn);
      expect(request.status).toBe("PENDING");
      const sub = watch(transport === "SSE" ? sse : ws, SUB, { id: request.id }, "requestChanged");
      await sub.untilCount(1);
      expect(sub.values()[0]).toMatchObject({ id: request.id, status: "PENDING", final: false, certificate: null });

      const approved = await decide("approveRequest", request.id);
      expect(approved.request.status).toBe("COMPLETED");
      await sub.completed;
      const values = sub.values();
      expect(values.map(v => v.status)).toEqual(["PENDING", "COMPLETED"]);
      expect(values[1]).toMatchObject({ final: true, certificate: { id: approved.certificate.id, state: "ISSUED", subject: { commonName: cn } } });
    });
  }

  it("a denied request completes the watch with DENIED", async () => {
    const { request } = await enroll("deny.watch.example");
    const sub = watch(sse, SUB, { id: request.id }, "requestChanged");
    await sub.untilCount(1);
    await decide("denyRequest", request.id);
    await sub.completed;
    expect(sub.values().map(v => v.status)).toEqual(["PENDING", "DENIED"]);
  });

  it("each event is resolved with fresh loaders: the certificate a revoke request targets reads ISSUED, then REVOKED", async () => {
    const { request: enrollment } = await enroll("fresh.watch.example");
    const { certificate } = await decide("approveRequest", enrollment.id);
    // A revoke on an approval profile waits for approval too.
    const { request } = await submit({ webraRevoke: { certificateId: certificate.id, reason: "SUPERSEDED" } });
    expect(request.status).toBe("PENDING");

    const sub = watch(ws, SUB, { id: request.id }, "requestChanged");
    await sub.untilCount(1);
    expect(sub.values()[0]).toMatchObject({ status: "PENDING", workflow: "revoke", certificate: { id: certificate.id, state: "ISSUED" } });
    await decide("approveRequest", request.id);
    await sub.completed;
    expect(sub.values()[1]).toMatchObject({ status: "COMPLETED", certificate: { id: certificate.id, state: "REVOKED" } });
  });

  it("requestsChanged watches several requests until all are final", async () => {
    const a = (await enroll("many-a.hz.watch.example")).request;
    const b = (await enroll("many-b.hz.watch.example")).request;
    const sub = watch(ws, `subscription($ids: [ID!]!) { requestsChanged(ids: $ids) { id status } }`, { ids: [a.id, b.id] }, "requestsChanged");
    await sub.untilCount(2);
    await decide("denyRequest", a.id);
    await decide("approveRequest", b.id);
    await sub.completed;
    const last = new Map(sub.values().map(v => [v.id, v.status]));
    expect(last).toEqual(
      new Map([
        [a.id, "DENIED"],
        [b.id, "COMPLETED"],
      ]),
    );
  });

  it("waitForRequestChange holds until the approval, then answers COMPLETED", async () => {
    const { request } = await enroll("wait.hz.watch.example");
    const waiting = stack.gql(
      `query($id: ID!) { waitForRequestChange(id: $id, knownStatus: PENDING, timeoutSeconds: 30) { status certificate { state } } }`,
      { id: request.id },
    );
    await until(() => stack.gateway.services.watch!.activeWatchers() === 1);
    await decide("approveRequest", request.id);
    const res = await waiting;
    expect(res.errors).toBeUndefined();
    expect(res.data.waitForRequestChange).toEqual({ status: "COMPLETED", certificate: { state: "ISSUED" } });
  });
});

describe("Horizon requests approved outside the gateway, seen by polling", () => {
  let stack: TestStack;
  let sse: StreamingClient;
  beforeAll(async () => {
    stack = await startTestStack({ WATCH_INTERVAL_MS: "100" });
    sse = sseClient(stack);
  });
  afterAll(async () => {
    await sse?.dispose();
    await stack?.close();
  });

  it("pushes PENDING → COMPLETED when an approver acts on Horizon directly", async () => {
    const { pem } = await makeCsr("direct.hz.watch.example");
    const res = await stack.gql(`mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { request { id status module workflow } } }`, {
      i: { webraEnroll: { profile: "approval-profile", csr: pem, subject: [{ element: "cn.1", value: "direct.hz.watch.example" }] } },
    });
    const request = res.data.submitRequest.request;
    const sub = watch(sse, SUB, { id: request.id }, "requestChanged");
    await sub.untilCount(1);
    stack.hz.clearLog();
    // Straight to Horizon's REST API, not through the gateway: only a poll can see it.
    await stack.gateway.services.upstreams.horizon.approve({
      _id: fromGlobalId(request.id).backendId,
      module: request.module,
      workflow: request.workflow,
    } as never);
    await sub.completed;
    expect(sub.values().map(v => v.status)).toEqual(["PENDING", "COMPLETED"]);
    expect(stack.hz.count("GET", /^\/api\/v1\/requests\/[^/]+$/)).toBeGreaterThanOrEqual(1);
  });
});
