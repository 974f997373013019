/**
 * The rate limit in forward mode: the caller's principal comes from headers the gateway cannot
 * verify, so the client address is limited too (RATE_LIMIT_PER_MINUTE_PER_ADDRESS), and an address
 * whose forwarded credentials the backend keeps refusing (401) is backed off before any backend
 * call (AUTH_FAILURE_LIMIT per AUTH_FAILURE_WINDOW_MS). A second loopback address (127.0.0.x,
 * bound with undici's and ws's `localAddress`) stands for a second client. The gateway's clock is
 * a variable the tests move, so no refill happens behind their back.
 */
import { randomUUID } from "node:crypto";
import { Agent, request } from "undici";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { codesOf, expectTypedAnswer, metric, type GqlError, type RawAnswer } from "./support.js";

const agents = new Map<string, Agent>();
const agentFor = (localAddress: string) => {
  let agent = agents.get(localAddress);
  if (!agent) agents.set(localAddress, (agent = new Agent({ localAddress })));
  return agent;
};
afterAll(async () => {
  await Promise.all([...agents.values()].map(a => a.close()));
});

/** POST one operation from a given loopback address. */
async function postFrom(stack: TestStack, from: string, query: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const res = await request(stack.gateway.url, {
    method: "POST",
    dispatcher: agentFor(from),
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: JSON.parse(text) };
}

/** A graphql-ws client whose socket comes from a given loopback address. */
function wsFrom(stack: TestStack, from: string, headers: Record<string, string> = {}): Client {
  class FromAddress extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers, localAddress: from });
    }
  }
  return createClient({ url: stack.gateway.wsUrl, webSocketImpl: FromAddress, retryAttempts: 0, lazy: true });
}

function overWs(client: Client, query: string): Promise<{ data?: any; errors?: GqlError[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: any; errors?: GqlError[] } = {};
    client.subscribe(
      { query },
      {
        next: value => void (result = value as typeof result),
        error: error => (Array.isArray(error) ? resolve({ errors: error as GqlError[] }) : reject(error)),
        complete: () => resolve(result),
      },
    );
  });
}

describe("RATE_LIMIT_PER_MINUTE_PER_ADDRESS defaults", () => {
  it("to ten callers' worth, 0 with the per-caller limit off, and can be set on its own", () => {
    expect(loadConfig({}).ops.rateLimitPerMinutePerAddress).toBe(6000);
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: "0" }).ops.rateLimitPerMinutePerAddress).toBe(0);
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: "0", RATE_LIMIT_PER_MINUTE_PER_ADDRESS: "50" }).ops.rateLimitPerMinutePerAddress).toBe(50);
  });
});

const madeUpKey = () => ({ "x-api-id": `guess-${randomUUID()}`, "x-api-key": randomUUID() });

describe("forward mode: a rate limit per client address (RATE_LIMIT_PER_MINUTE_PER_ADDRESS)", () => {
  let stack: TestStack;
  let now = 1_000_000;
  beforeAll(async () => {
    stack = await startTestStack(
      { HORIZON_CREDENTIALS: "forward", RATE_LIMIT_PER_MINUTE: "3", RATE_LIMIT_PER_MINUTE_PER_ADDRESS: "5", AUTH_FAILURE_LIMIT: "0" },
      undefined,
      { now: () => now },
    );
  });
  afterAll(() => stack.close());

  it("a new made-up X-API-ID/X-API-KEY per request buys no new budget: 429 after the address's budget; another address goes on", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await postFrom(stack, "127.0.0.1", `{ __typename }`, madeUpKey());
      expect(res.status, `request ${i + 1}`).toBe(200);
    }
    const refused = await postFrom(stack, "127.0.0.1", `{ __typename }`, madeUpKey());
    expectTypedAnswer(refused, "over the address budget");
    expect(refused.status).toBe(429);
    expect(codesOf(refused)).toEqual(["RATE_LIMITED"]);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(refused.text).not.toMatch(/guess-/);

    // The same over graphql-ws: one decision for both transports.
    const ws = wsFrom(stack, "127.0.0.1", madeUpKey());
    try {
      expect(codesOf(await overWs(ws, `{ __typename }`))).toEqual(["RATE_LIMITED"]);
    } finally {
      await ws.dispose();
    }

    // A client at another address has a budget of its own.
    const other = await postFrom(stack, "127.0.0.2", `{ __typename }`, madeUpKey());
    expect(other.json).toEqual({ data: { __typename: "Query" } });

    // The budget refills with time: 5 per minute is one every 12 s.
    now += 12_000;
    expect((await postFrom(stack, "127.0.0.1", `{ __typename }`, madeUpKey())).status).toBe(200);
    expect((await postFrom(stack, "127.0.0.1", `{ __typename }`, madeUpKey())).status).toBe(429);
  });

  it("the per-caller limit still holds across addresses", async () => {
    const caller = madeUpKey();
    const from = ["127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"];
    const statuses = [];
    for (const address of from) statuses.push((await postFrom(stack, address, `{ __typename }`, caller)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe("forward mode: an address is backed off after repeated backend 401s (AUTH_FAILURE_LIMIT)", () => {
  let stack: TestStack;
  let now = 1_000_000;
  let ADMIN: Record<string, string>;
  const REQUESTS = `{ requests(first: 1) { edges { node { id } } } }`;
  beforeAll(async () => {
    stack = await startTestStack(
      { HORIZON_CREDENTIALS: "forward", RATE_LIMIT_PER_MINUTE: "0", AUTH_FAILURE_LIMIT: "3", AUTH_FAILURE_WINDOW_MS: "60000" },
      undefined,
      { now: () => now },
    );
    ADMIN = { "x-api-id": stack.hz.accounts.admin.apiId, "x-api-key": stack.hz.accounts.admin.apiKey };
  });
  afterAll(() => stack.close());
  const horizonCalls = () => stack.hz.requests.length;

  it("after 3 refused keys the address gets 429 RATE_LIMITED with Retry-After before any backend call, whatever key it sends", async () => {
    // Missing credentials never reach the backend and are no backend 401: they do not count.
    for (let i = 0; i < 5; i++) expect(codesOf(await postFrom(stack, "127.0.0.1", REQUESTS))).toEqual(["UNAUTHENTICATED"]);

    for (let i = 0; i < 3; i++) {
      const before = horizonCalls();
      const res = await postFrom(stack, "127.0.0.1", REQUESTS, madeUpKey());
      expect(res.json!.errors![0]!.extensions).toMatchObject({ code: "UNAUTHENTICATED", backend: "horizon", backendStatus: 401 });
      expect(horizonCalls(), `guess ${i + 1} reached Horizon`).toBe(before + 1);
    }

    const before = horizonCalls();
    const refusedBefore = await metric(stack, "pki_graph_graphql_errors_total", { code: "RATE_LIMITED" });
    for (const headers of [madeUpKey(), ADMIN]) {
      const refused = await postFrom(stack, "127.0.0.1", REQUESTS, headers);
      expectTypedAnswer(refused, "backed off");
      expect(refused.status).toBe(429);
      expect(codesOf(refused)).toEqual(["RATE_LIMITED"]);
      // 3 failures per 60 s: one is forgiven every 20 s.
      expect(Number(refused.headers["retry-after"])).toBe(20);
    }
    const ws = wsFrom(stack, "127.0.0.1", ADMIN);
    try {
      expect(codesOf(await overWs(ws, REQUESTS))).toEqual(["RATE_LIMITED"]);
    } finally {
      await ws.dispose();
    }
    expect(horizonCalls(), "no backend call while backed off").toBe(before);
    expect(await metric(stack, "pki_graph_graphql_errors_total", { code: "RATE_LIMITED" })).toBe(refusedBefore + 3);

    // Another address is not affected.
    const other = await postFrom(stack, "127.0.0.2", REQUESTS, ADMIN);
    expect(other.json!.errors).toBeUndefined();

    // After Retry-After one more attempt is let through; failing again backs off again at once.
    now += 20_000;
    expect((await postFrom(stack, "127.0.0.1", REQUESTS, madeUpKey())).json!.errors![0]!.extensions!.backendStatus).toBe(401);
    expect((await postFrom(stack, "127.0.0.1", REQUESTS, ADMIN)).status).toBe(429);
  });

  it("refusals over graphql-ws count too", async () => {
    const ws = wsFrom(stack, "127.0.0.7", { "x-api-id": "admin", "x-api-key": "wrong" });
    try {
      for (let i = 0; i < 3; i++)
        expect((await overWs(ws, REQUESTS)).errors![0]!.extensions).toMatchObject({ code: "UNAUTHENTICATED", backendStatus: 401 });
      expect(codesOf(await overWs(ws, REQUESTS))).toEqual(["RATE_LIMITED"]);
    } finally {
      await ws.dispose();
    }
    expect((await postFrom(stack, "127.0.0.7", REQUESTS, ADMIN)).status).toBe(429);
  });
});
