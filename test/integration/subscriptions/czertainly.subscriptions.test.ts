import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromGlobalId } from "../../../src/domain/ids.js";
import { parseCsr } from "../../../src/emulators/ca.js";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { sseClient, until, watch, wsClient, type StreamingClient } from "./support.js";

const CERT_FIELDS = `id state pem serialNumber raProfile { name }`;
const SUB_ONE = `subscription($id: ID!) { certificateChanged(id: $id) { ${CERT_FIELDS} } }`;
const SUB_MANY = `subscription($ids: [ID!]!) { certificatesChanged(ids: $ids) { id state } }`;

describe("CZERTAINLY pending states, watched over graphql-ws and SSE", () => {
  let stack: TestStack;
  let ws: StreamingClient;
  let sse: StreamingClient;
  let profiles: Record<string, string> = {};

  const issue = async (profile: string, cn: string) => {
    const { pem } = await makeCsr(cn);
    const res = await stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { certificate { id state } } }`, {
      i: { raProfileId: profiles[profile], csr: pem },
    });
    expect(res.errors).toBeUndefined();
    return { id: res.data.issue.certificate.id as string, state: res.data.issue.certificate.state as string, pem };
  };
  const mutate = async (name: string, type: string, input: Record<string, unknown>) => {
    const res = await stack.gql(`mutation($i: ${type}!) { ${name}(input: $i) { certificate { id state } } }`, { i: input });
    expect(res.errors).toBeUndefined();
    return res.data[name].certificate as { id: string; state: string };
  };
  const finalize = async (id: string, pem: string) =>
    mutate("finalize", "FinalizeInput", { certificateId: id, certificate: (await stack.cz.ca.signCsr(parseCsr(pem))).pem });

  beforeAll(async () => {
    // A long interval: every change below must arrive through the mutation's publish, not a poll,
    // except in the out-of-band test, which uses a stack of its own.
    stack = await startTestStack({ WATCH_INTERVAL_MS: "600000" });
    profiles = await stack.raProfileIds();
    ws = wsClient(stack);
    sse = sseClient(stack);
  });
  afterAll(async () => {
    await ws?.dispose();
    await sse?.dispose();
    await stack?.close();
  });

  for (const transport of ["graphql-ws", "SSE"] as const) {
    it(`${transport}: async issuance is watched from PENDING_ISSUE to ISSUED through finalize, then completes`, async () => {
      const client = transport === "SSE" ? sse : ws;
      const cert = await issue("async-profile", `issue-${transport.toLowerCase()}.watch.example`);
      expect(cert.state).toBe("PENDING_ISSUE");

      const sub = watch(client, SUB_ONE, { id: cert.id }, "certificateChanged");
      await sub.untilCount(1);
      expect(sub.values()[0]).toMatchObject({ id: cert.id, state: "PENDING_ISSUE", pem: null, raProfile: { name: "async-profile" } });

      const done = await finalize(cert.id, cert.pem);
      expect(done.state).toBe("ISSUED");
      await sub.completed;
      const values = sub.values();
      expect(values.map(v => v.state)).toEqual(["PENDING_ISSUE", "ISSUED"]);
      expect(values[1].pem).toMatch(/BEGIN CERTIFICATE/);
      expect(values[1].raProfile).toEqual({ name: "async-profile" });
      expect(sub.results.every(r => r.errors === undefined)).toBe(true);
    });

    it(`${transport}: a revocation is watched from PENDING_REVOKE to REVOKED through confirmRevoke`, async () => {
      const client = transport === "SSE" ? sse : ws;
      const cert = await issue("async-profile", `revoke-${transport.toLowerCase()}.watch.example`);
      await finalize(cert.id, cert.pem);
      expect((await mutate("revoke", "RevokeInput", { certificateId: cert.id, reason: "KEY_COMPROMISE" })).state).toBe("PENDING_REVOKE");

      const sub = watch(client, SUB_ONE, { id: cert.id }, "certificateChanged");
      await sub.untilCount(1);
      expect(sub.values()[0].state).toBe("PENDING_REVOKE");
      expect((await mutate("confirmRevoke", "CertificateActionInput", { certificateId: cert.id })).state).toBe("REVOKED");
      await sub.completed;
      expect(sub.values().map(v => v.state)).toEqual(["PENDING_REVOKE", "REVOKED"]);
    });
  }

  it("certificatesChanged watches several certificates and completes once every one is final", async () => {
    const a = await issue("async-profile", "many-a.watch.example");
    const b = await issue("async-profile", "many-b.watch.example");
    const sub = watch(sse, SUB_MANY, { ids: [a.id, b.id] }, "certificatesChanged");
    await sub.untilCount(2);
    expect(new Set(sub.values().map(v => `${v.id}:${v.state}`))).toEqual(new Set([`${a.id}:PENDING_ISSUE`, `${b.id}:PENDING_ISSUE`]));
    await finalize(a.id, a.pem);
    await sub.untilCount(3);
    expect(sub.values()[2]).toEqual({ id: a.id, state: "ISSUED" });
    expect(sub.isComplete()).toBe(false);
    await mutate("cancelPending", "CancelPendingInput", { id: b.id });
    await sub.completed;
    expect(sub.values()[3]).toEqual({ id: b.id, state: "FAILED" });
  });

  it("a final certificate answers its state once and completes; a bad id is refused before any event", async () => {
    const sync = await issue("sync-profile", "settled.watch.example");
    expect(sync.state).toBe("ISSUED");
    const sub = watch(ws, SUB_ONE, { id: sync.id }, "certificateChanged");
    await sub.completed;
    expect(sub.values().map(v => v.state)).toEqual(["ISSUED"]);

    for (const client of [ws, sse]) {
      const bad = watch(client, SUB_ONE, { id: "not-an-id" }, "certificateChanged");
      await bad.completed;
      expect(bad.results).toHaveLength(1);
      expect(bad.results[0]!.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    expect(stack.gateway.services.watch!.activeWatchers()).toBe(0);
  });

  it("speaks the GraphQL-over-SSE protocol to a plain HTTP client: `next` events, then `complete`", async () => {
    const sync = await issue("sync-profile", "plain-sse.watch.example");
    const res = await fetch(stack.gateway.url.replace(/\/graphql$/, "/graphql/stream"), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: `subscription($id: ID!) { certificateChanged(id: $id) { state } }`, variables: { id: sync.id } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text(); // the stream ends after `complete`: ISSUED is final
    const events = text.split("\n\n").filter(block => /^event:/m.test(block));
    expect(events.map(block => /^event: (\w+)/m.exec(block)?.[1])).toEqual(["next", "complete"]);
    expect(JSON.parse(/^data: (.*)$/m.exec(events[0]!)![1]!)).toEqual({ data: { certificateChanged: { state: "ISSUED" } } });

    const tooBig = await fetch(stack.gateway.url.replace(/\/graphql$/, "/graphql/stream"), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: `{ __typename }`, pad: "x".repeat(stack.config.bodyLimitBytes) }),
    });
    expect(tooBig.status).toBe(413);

    // the admission rules of /graphql apply: an invalid operation is refused with its code, in the stream
    const invalid = watch(sse, `subscription { certificateChanged(id: "x") { noSuchField } }`, {}, "certificateChanged");
    await invalid.completed;
    expect(invalid.results[0]?.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("an unsubscribed watcher stops: no subscriber, no watcher", async () => {
    const cert = await issue("async-profile", "leave.watch.example");
    const sub = watch(ws, SUB_ONE, { id: cert.id }, "certificateChanged");
    await sub.untilCount(1);
    expect(stack.gateway.services.watch!.activeWatchers()).toBe(1);
    sub.dispose();
    await until(() => stack.gateway.services.watch!.activeWatchers() === 0);
    const metrics = await fetch(stack.gateway.url.replace(/\/graphql$/, "/metrics")).then(r => r.text());
    expect(metrics).toMatch(/^pki_graph_active_watchers 0$/m);
  });

  describe("waitForCertificateChange (for clients that can only poll)", () => {
    const WAIT = `query($id: ID!, $known: CertificateState, $t: Int) {
      waitForCertificateChange(id: $id, knownState: $known, timeoutSeconds: $t) { id state raProfile { name } } }`;

    it("holds until the state changes, and answers the new state", async () => {
      const cert = await issue("async-profile", "wait.watch.example");
      const waiting = stack.gql(WAIT, { id: cert.id, known: "PENDING_ISSUE", t: 30 });
      // the waiting query joined the watcher: then the change is made
      await until(() => stack.gateway.services.watch!.activeWatchers() === 1);
      await finalize(cert.id, cert.pem);
      const res = await waiting;
      expect(res.errors).toBeUndefined();
      expect(res.data.waitForCertificateChange).toEqual({ id: cert.id, state: "ISSUED", raProfile: { name: "async-profile" } });
    });

    it("answers at once when the caller's known state is out of date, and the unchanged state at the timeout", async () => {
      const cert = await issue("async-profile", "wait-timeout.watch.example");
      const stale = await stack.gql(WAIT, { id: cert.id, known: "REQUESTED", t: 30 });
      expect(stale.data.waitForCertificateChange.state).toBe("PENDING_ISSUE");
      const unchanged = await stack.gql(WAIT, { id: cert.id, known: "PENDING_ISSUE", t: 1 });
      expect(unchanged.errors).toBeUndefined();
      expect(unchanged.data.waitForCertificateChange.state).toBe("PENDING_ISSUE");
      const current = await stack.gql(WAIT, { id: cert.id });
      expect(current.data.waitForCertificateChange.state).toBe("PENDING_ISSUE");
    });

    it("bounds the wait and refuses foreign ids", async () => {
      const cert = await issue("async-profile", "wait-bounds.watch.example");
      const tooLong = await stack.gql(WAIT, { id: cert.id, known: "PENDING_ISSUE", t: 31 });
      expect(tooLong.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      const requestId = Buffer.from(`Request:HORIZON:${fromGlobalId(cert.id).backendId}`).toString("base64url");
      const wrongType = await stack.gql(WAIT, { id: requestId, t: 0 });
      expect(wrongType.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    });
  });
});

describe("CZERTAINLY pending states completed out of band (by the CA), seen by polling", () => {
  let stack: TestStack;
  let ws: StreamingClient;
  beforeAll(async () => {
    stack = await startTestStack({ WATCH_INTERVAL_MS: "100" });
    ws = wsClient(stack);
  });
  afterAll(async () => {
    await ws?.dispose();
    await stack?.close();
  });

  it("pushes PENDING_ISSUE → ISSUED when Core completes the issuance itself", async () => {
    const profiles = await stack.raProfileIds();
    const { pem } = await makeCsr("ca-side.watch.example");
    const issued = await stack.gql(`mutation($i: IssueInput!) { issue(input: $i) { certificate { id backendId state } } }`, {
      i: { raProfileId: profiles["async-profile"], csr: pem },
    });
    const cert = issued.data.issue.certificate;
    expect(cert.state).toBe("PENDING_ISSUE");
    const sub = watch(ws, `subscription($id: ID!) { certificateChanged(id: $id) { state serialNumber } }`, { id: cert.id }, "certificateChanged");
    await sub.untilCount(1);
    await stack.cz.completePending(cert.backendId);
    await sub.completed;
    const values = sub.values();
    expect(values.map(v => v.state)).toEqual(["PENDING_ISSUE", "ISSUED"]);
    expect(values[1].serialNumber).toMatch(/^[0-9a-f]+$/);
  });
});
