/**
 * Issue 12: with forwarded credentials, no state event reaches a subscriber before the backend accepted
 * its own credentials for that object, and none after it refused them. Subscribers with a wrong Horizon
 * key, or a client certificate CZERTAINLY does not know, subscribe while a good subscriber watches the same
 * object and a mutation publishes its change. Their own first read is held at the emulator (deterministic:
 * the change is published while they wait, the window the leak came through), or raced against the
 * mutation under added backend latency; every one of them must get only its typed error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncomingMessage } from "node:http";
import { parseCsr } from "../../../src/emulators/ca.js";
import type { RunningServer } from "../../../src/emulators/http-kit.js";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { sseClient, until, watch, wsClient, type StreamingClient, type Watched } from "./support.js";

const REQUEST_SUB = `subscription($id: ID!) { requestChanged(id: $id) { id status dn requester final } }`;
const CERT_SUB = `subscription($id: ID!) { certificateChanged(id: $id) { id state subject { commonName } } }`;
const WAIT_REQUEST = `query($id: ID!) { waitForRequestChange(id: $id, knownStatus: PENDING, timeoutSeconds: 30) { id status dn requester } }`;

/** Holds the emulator's calls that `match` picks (after they are logged) until `release()`; tells when n of them arrived. */
function holdCalls(server: RunningServer, match: (req: IncomingMessage) => boolean) {
  let release!: () => void;
  const gate = new Promise<void>(r => (release = r));
  let arrived = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  server.hold = req => {
    if (!match(req)) return undefined;
    arrived++;
    for (const w of waiters.filter(w => arrived >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    return gate;
  };
  return {
    arrived: (n: number) => (arrived >= n ? Promise.resolve() : new Promise<void>(resolve => waiters.push({ n, resolve }))),
    release() {
      server.hold = undefined;
      release();
    },
  };
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** What a refused subscriber must have seen: one result, no data, the typed error; then the end. */
function expectRefusedOnly(sub: Watched, field: string, code: string) {
  expect(sub.isComplete()).toBe(true);
  const leaked = sub.results.filter(r => r.data?.[field] != null);
  expect(leaked, `leaked events: ${JSON.stringify(leaked)}`).toEqual([]);
  expect(sub.results).toHaveLength(1);
  expect(sub.results[0]!.errors?.[0]?.extensions?.code).toBe(code);
}

describe("forward mode: watchers never leak events across credentials", () => {
  let stack: TestStack;
  let ADMIN: Record<string, string>;
  let APPROVER: Record<string, string>;
  let REQUESTER: Record<string, string>;
  let OPERATOR: Record<string, string>;
  let READER: Record<string, string>;
  const clients: StreamingClient[] = [];
  const subs: Watched[] = [];
  let wrong = 0;
  const wrongKey = () => ({ "x-api-id": "admin", "x-api-key": `wrong-${++wrong}` });
  const client = (kind: number, headers: Record<string, string>) => {
    const c = kind % 2 === 0 ? wsClient(stack, headers) : sseClient(stack, headers);
    clients.push(c);
    return c;
  };
  const subscribe = (c: StreamingClient, query: string, id: string, field: string) => {
    const s = watch(c, query, { id }, field);
    subs.push(s);
    return s;
  };

  beforeAll(async () => {
    // Polls every 100 ms: credentials are checked again by polls too (and polls never stand in for the mutations here).
    // 40 wrong keys from one address on purpose: the auth-failure backoff (AUTH_FAILURE_LIMIT) would refuse them before the watch.
    stack = await startTestStack({
      HORIZON_CREDENTIALS: "forward",
      CZERTAINLY_CREDENTIALS: "forward",
      RATE_LIMIT_PER_MINUTE: "0",
      AUTH_FAILURE_LIMIT: "0",
      WATCH_INTERVAL_MS: "100",
    });
    const key = (a: { apiId: string; apiKey: string }) => ({ "x-api-id": a.apiId, "x-api-key": a.apiKey });
    ADMIN = key(stack.hz.accounts.admin);
    APPROVER = key(stack.hz.accounts.approver);
    REQUESTER = key(stack.hz.accounts.requester);
    OPERATOR = { "ssl-client-cert": stack.cz.clientCert.header };
    READER = { "ssl-client-cert": stack.cz.readerCert.header };
  });
  afterAll(async () => {
    for (const s of subs) s.dispose();
    for (const c of clients) await c.dispose();
    await stack?.close();
  });

  const pendingRequest = async (cn: string) => {
    const { pem } = await makeCsr(cn);
    const res = await stack.gql(
      `mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { request { id status } } }`,
      { i: { webraEnroll: { profile: "approval-profile", csr: pem, subject: [{ element: "cn.1", value: cn }] } } },
      ADMIN,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.submitRequest.request.status).toBe("PENDING");
    return res.data.submitRequest.request.id as string;
  };
  const approve = async (requestId: string) => {
    const res = await stack.gql(
      `mutation($i: RequestDecisionInput!) { approveRequest(input: $i) { request { status } } }`,
      { i: { requestId } },
      APPROVER,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.approveRequest.request.status).toBe("COMPLETED");
  };

  it("40 wrong Horizon keys whose first read is held while the good subscriber's change is published: none gets it, each gets UNAUTHENTICATED", async () => {
    const ROUNDS = 8;
    const PER_ROUND = 5; // 4 subscriptions (graphql-ws and SSE) and one waiting query
    for (let round = 0; round < ROUNDS; round++) {
      const id = await pendingRequest(`held-${round}.leak.example`);
      const good = subscribe(client(round, ADMIN), REQUEST_SUB, id, "requestChanged");
      await good.untilCount(1);
      expect(good.values()[0]).toMatchObject({ status: "PENDING" });

      const held = holdCalls(stack.hz, req => header(req, "x-api-key")?.startsWith("wrong-") === true);
      const bad = Array.from({ length: PER_ROUND - 1 }, (_, i) => subscribe(client(round + i, wrongKey()), REQUEST_SUB, id, "requestChanged"));
      const waiting = stack.gql(WAIT_REQUEST, { id }, wrongKey());
      await held.arrived(PER_ROUND); // every wrong-key first read is at the backend, unanswered

      await approve(id);
      await good.completed;
      expect(good.values().map(v => v.status)).toEqual(["PENDING", "COMPLETED"]);

      held.release();
      await Promise.all(bad.map(s => s.completed));
      for (const s of bad) expectRefusedOnly(s, "requestChanged", "UNAUTHENTICATED");
      const answer = await waiting;
      expect(answer.data?.waitForRequestChange ?? null, `leaked: ${JSON.stringify(answer.data)}`).toBeNull();
      expect(answer.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
    expect(stack.gateway.services.watch!.activeSubscribers()).toBe(0);
  });

  it("40 wrong Horizon keys racing mutations under 20 ms of backend latency: zero leaked events", async () => {
    stack.hz.faults.latencyMs = 20;
    try {
      for (let round = 0; round < 10; round++) {
        const id = await pendingRequest(`raced-${round}.leak.example`);
        const good = subscribe(client(round, ADMIN), REQUEST_SUB, id, "requestChanged");
        await good.untilCount(1);
        // Interleaved: wrong keys subscribe, the approval goes out, and once the backend has it more wrong keys
        // subscribe, so their reads are under way when the approval's change is published.
        const bad = [0, 1].map(i => subscribe(client(round + i, wrongKey()), REQUEST_SUB, id, "requestChanged"));
        const approvals = stack.hz.count("POST", "/api/v1/requests/approve");
        const approved = approve(id);
        await until(() => stack.hz.count("POST", "/api/v1/requests/approve") > approvals, 1);
        bad.push(...[0, 1].map(i => subscribe(client(round + i + 1, wrongKey()), REQUEST_SUB, id, "requestChanged")));
        await approved;
        await good.completed;
        await Promise.all(bad.map(s => s.completed));
        expect(good.values().map(v => v.status)).toEqual(["PENDING", "COMPLETED"]);
        for (const s of bad) expectRefusedOnly(s, "requestChanged", "UNAUTHENTICATED");
      }
    } finally {
      stack.hz.faults.latencyMs = 0;
    }
  });

  it("credentials refused later (a revoked key) end that caller's watch at its next poll; the others go on", async () => {
    const id = await pendingRequest("revoked.leak.example");
    const admin = subscribe(client(0, ADMIN), REQUEST_SUB, id, "requestChanged");
    const requester = subscribe(client(1, REQUESTER), REQUEST_SUB, id, "requestChanged");
    await Promise.all([admin.untilCount(1), requester.untilCount(1)]);
    expect(requester.values()[0]).toMatchObject({ status: "PENDING" });

    const account = stack.hz.accounts.requester;
    const key = account.apiKey;
    account.apiKey = "rotated-away";
    try {
      await requester.completed; // the shared watcher's poll with the requester's key got 401
    } finally {
      account.apiKey = key;
    }
    expect(requester.results).toHaveLength(2);
    expect(requester.results[1]!.data?.requestChanged ?? null).toBeNull();
    expect(requester.results[1]!.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(admin.isComplete()).toBe(false);

    await approve(id);
    await admin.completed;
    expect(admin.values().map(v => v.status)).toEqual(["PENDING", "COMPLETED"]);
    expect(requester.results).toHaveLength(2);
  });

  it("client certificates CZERTAINLY does not allow get FORBIDDEN and no event, while the operator and the read-only reader get the change", async () => {
    const profiles = await stack.raProfileIds(OPERATOR);
    const strangers: Record<string, string>[] = [];
    for (let i = 0; i < 10; i++) {
      // Real certificates from Core's own CA, but not ones Core maps to a user: valid, and refused (403).
      const signed = await stack.cz.ca.signCsr(parseCsr((await makeCsr(`stranger-${i}.leak.example`)).pem));
      strangers.push({ "ssl-client-cert": encodeURIComponent(signed.pem) });
    }
    const strangerPems = new Set(strangers.map(s => decodeURIComponent(s["ssl-client-cert"]!)));

    const { pem } = await makeCsr("finalized.leak.example");
    const issued = await stack.gql(
      `mutation($i: IssueInput!) { issue(input: $i) { certificate { id state } } }`,
      { i: { raProfileId: profiles["async-profile"], csr: pem } },
      OPERATOR,
    );
    const cert = issued.data.issue.certificate;
    expect(cert.state).toBe("PENDING_ISSUE");
    const operator = subscribe(client(0, OPERATOR), CERT_SUB, cert.id, "certificateChanged");
    const reader = subscribe(client(1, READER), CERT_SUB, cert.id, "certificateChanged");
    await Promise.all([operator.untilCount(1), reader.untilCount(1)]);

    const value = (req: IncomingMessage) => header(req, "ssl-client-cert");
    const held = holdCalls(stack.cz, req => strangerPems.has(decodeURIComponent(value(req) ?? "")));
    const bad = strangers.map((s, i) => subscribe(client(i, s), CERT_SUB, cert.id, "certificateChanged"));
    await held.arrived(strangers.length);

    const signed = await stack.cz.ca.signCsr(parseCsr(pem));
    const done = await stack.gql(
      `mutation($i: FinalizeInput!) { finalize(input: $i) { certificate { state } } }`,
      { i: { certificateId: cert.id, certificate: signed.pem } },
      OPERATOR,
    );
    expect(done.data.finalize.certificate.state).toBe("ISSUED");
    await Promise.all([operator.completed, reader.completed]);
    expect(operator.values().map(v => v.state)).toEqual(["PENDING_ISSUE", "ISSUED"]);
    expect(reader.values().map(v => v.state)).toEqual(["PENDING_ISSUE", "ISSUED"]);

    held.release();
    await Promise.all(bad.map(s => s.completed));
    for (const s of bad) expectRefusedOnly(s, "certificateChanged", "FORBIDDEN");
  });
});
