/**
 * Limits: query depth and complexity, max page size, request body size, CSRF prevention,
 * introspection and GraphiQL off for production, per-caller rate limit — over HTTP and over
 * graphql-ws alike. A refused operation never reaches a backend (counted on the emulators).
 */
import { Readable } from "node:stream";
import { createClient, type Client } from "graphql-ws";
import { request } from "undici";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { manualClock } from "../../support/clock.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { baseOf, codesOf, expectTypedAnswer, metric, post, send, overWs } from "./support.js";

const DEEP = `{ certificates(first: 1) { edges { node { raProfile { authority { name } } } } } }`; // depth 6
const DEEP_BY_FRAGMENT = `query { certificates(first: 1) { ...Page } }
  fragment Page on CertificateConnection { edges { node { ...Cert } } }
  fragment Cert on Certificate { raProfile { authority { name } } }`;

/** A graphql-ws client; `headers` and `origin` go on the upgrade request. */
function wsClient(stack: TestStack, opts: { headers?: Record<string, string>; origin?: string } = {}): Client {
  class HeaderSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: opts.headers, origin: opts.origin });
    }
  }
  return createClient({ url: stack.gateway.wsUrl, webSocketImpl: HeaderSocket, retryAttempts: 0, lazy: true });
}

/** Whether a WebSocket upgrade is accepted (the HTTP status of a refusal otherwise). */
function upgrade(url: string, origin?: string): Promise<"open" | number> {
  return new Promise(resolve => {
    const socket = new WebSocket(url, "graphql-transport-ws", origin ? { origin } : {});
    socket.on("open", () => {
      socket.close();
      resolve("open");
    });
    socket.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on("error", () => resolve(0));
  });
}

describe("limits: depth, complexity, page size, body size, CSRF", () => {
  let stack: TestStack;
  let ws: Client;
  const calls = () => stack.hz.requests.length + stack.cz.requests.length;

  beforeAll(async () => {
    stack = await startTestStack({
      MAX_QUERY_DEPTH: "4",
      MAX_QUERY_COMPLEXITY: "400",
      MAX_PAGE_SIZE: "10",
      MAX_BODY_BYTES: "4096",
      RATE_LIMIT_PER_MINUTE: "0",
    });
    ws = wsClient(stack);
  });
  afterAll(async () => {
    await ws.dispose();
    await stack.close();
  });

  it("refuses a query deeper than MAX_QUERY_DEPTH (also through fragments) with QUERY_TOO_DEEP, before any backend call", async () => {
    stack.hz.clearLog();
    stack.cz.clearLog();
    for (const query of [DEEP, DEEP_BY_FRAGMENT]) {
      const res = await post(stack, query);
      expectTypedAnswer(res, "deep");
      expect(res.status).toBe(400);
      expect(res.json!.errors![0]!.extensions).toMatchObject({ code: "QUERY_TOO_DEEP", maxDepth: 4, depth: 6 });
    }
    expect(calls()).toBe(0);
    const shallow = await post(stack, `{ certificates(first: 2) { totalCount edges { node { id } } } }`);
    expect(shallow.json!.errors).toBeUndefined();
  });

  it("refuses a query costlier than MAX_QUERY_COMPLEXITY with QUERY_TOO_COMPLEX, page sizes from literals or variables", async () => {
    // Depth 4 (within the limit), about 71 per alias at 10 a page: eight aliases cost more than 400.
    const page = (n: string) => `certificates(first: ${n}) { edges { node { id serialNumber state backend notAfter } } }`;
    const aliases = (n: string) => ["a", "b", "c", "d", "e", "f", "g", "h"].map((a, i) => `${a}: ${page(i % 2 ? n : "10")}`).join(" ");
    const wide = `query($n: Int!) { ${aliases("$n")} }`;
    stack.hz.clearLog();
    stack.cz.clearLog();
    const res = await post(stack, wide, { n: 10 });
    expectTypedAnswer(res, "complex");
    expect(res.status).toBe(400);
    expect(res.json!.errors![0]!.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX", maxComplexity: 400 });
    expect(res.json!.errors![0]!.extensions!.complexity).toBeGreaterThan(400);
    expect(calls()).toBe(0);
    // The same shape with small pages is within the limit.
    const small = await post(stack, wide.replaceAll("first: 10", "first: 1"), { n: 1 });
    expect(small.json!.errors).toBeUndefined();
  });

  it("caps every list at MAX_PAGE_SIZE: certificates, requests and nodes(ids)", async () => {
    stack.hz.clearLog();
    stack.cz.clearLog();
    const certificates = await post(stack, `{ certificates(first: 11) { totalCount } }`);
    expect(certificates.json!.errors![0]).toMatchObject({ message: "first must be at most 10", extensions: { code: "BAD_USER_INPUT" } });
    const requests = await post(stack, `{ requests(first: 11) { totalCount } }`);
    expect(requests.json!.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
    const ids = Array.from({ length: 11 }, (_, i) => Buffer.from(`Certificate:HORIZON:${i}`).toString("base64url"));
    const nodes = await post(stack, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    expect(nodes.json!.errors![0]).toMatchObject({ message: "ids may hold at most 10 ids", extensions: { code: "BAD_USER_INPUT" } });
    for (const first of [0, -1]) {
      const res = await post(stack, `query($n: Int!) { certificates(first: $n) { totalCount } }`, { n: first });
      expectTypedAnswer(res, `first ${first}`);
      expect(codesOf(res)).toEqual(["BAD_USER_INPUT"]);
    }
    // A huge page is priced before it is validated.
    const huge = await post(stack, `query($n: Int!) { certificates(first: $n) { edges { node { id } } } }`, { n: 1_000_000 });
    expect(codesOf(huge)).toEqual(["QUERY_TOO_COMPLEX"]);
    expect(calls()).toBe(0);
    const ok = await post(stack, `{ certificates(first: 10) { edges { node { id } } } }`);
    expect(ok.json!.errors).toBeUndefined();
    expect(ok.json!.data.certificates.edges).toHaveLength(10);
  });

  it("refuses a body over MAX_BODY_BYTES with 413 PAYLOAD_TOO_LARGE, declared or streamed", async () => {
    const big = JSON.stringify({ query: `{ __typename }`, variables: { pad: "x".repeat(5000) } });
    const declared = await send(stack.gateway.url, { body: big, headers: { "content-type": "application/json" } });
    expect(declared.status).toBe(413);
    expect(codesOf(declared)).toEqual(["PAYLOAD_TOO_LARGE"]);

    // No content-length: the gateway counts while it reads.
    const streamed = await request(stack.gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: Readable.from([big.slice(0, 2000), big.slice(2000)]),
    });
    expect(streamed.statusCode).toBe(413);
    expect(((await streamed.body.json()) as any).errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");

    const fits = await post(stack, `{ __typename }`, { pad: "x".repeat(3000) });
    expect(fits.json!.data).toEqual({ __typename: "Query" });
    expect(await metric(stack, "pki_graph_graphql_errors_total", { code: "PAYLOAD_TOO_LARGE" })).toBe(2);
  });

  it("CSRF: refuses simple (form-like) requests and GET without a preflight header; never runs a mutation over GET", async () => {
    const q = encodeURIComponent(`{ __typename }`);
    const bare = await send(stack.gateway.url, { method: "GET", search: `?query=${q}` });
    expect(bare.status).toBe(400);
    expect(bare.json!.errors![0]!.message).toMatch(/Cross-Site Request Forgery/);
    expect(codesOf(bare)).toEqual(["BAD_REQUEST"]);
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const res = await send(stack.gateway.url, { body: JSON.stringify({ query: `{ __typename }` }), headers: { "content-type": type } });
      expect(res.status, type).toBe(400);
      expect(codesOf(res), type).toEqual(["BAD_REQUEST"]);
    }
    const preflighted = await send(stack.gateway.url, { method: "GET", search: `?query=${q}`, headers: { "apollo-require-preflight": "true" } });
    expect(preflighted.json).toEqual({ data: { __typename: "Query" } });

    stack.hz.clearLog();
    const m = encodeURIComponent(`mutation { denyRequest(input: { requestId: "x" }) { replayed } }`);
    const mutation = await send(stack.gateway.url, { method: "GET", search: `?query=${m}`, headers: { "apollo-require-preflight": "true" } });
    expect(mutation.status).toBe(405);
    expectTypedAnswer(mutation, "mutation over GET");
    expect(stack.hz.requests).toHaveLength(0);
  });

  it("CSRF over SSE (/graphql/stream): form-like POSTs and mutations over GET never run", async () => {
    const url = `${baseOf(stack)}/graphql/stream`;
    const mutation = `mutation { submitRequest(input: { scepEnroll: { profile: "scep-profile", password: "csrf" } }) { request { status } } }`;
    stack.hz.clearLog();
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const res = await send(url, { body: JSON.stringify({ query: mutation }), headers: { "content-type": type, accept: "text/event-stream" } });
      expect(res.status, type).toBeGreaterThanOrEqual(400);
      expect(res.status, type).toBeLessThan(500);
    }
    const overGet = await send(url, { method: "GET", search: `?query=${encodeURIComponent(mutation)}`, headers: { accept: "text/event-stream" } });
    expect(overGet.status).toBe(405);
    expect(stack.hz.count("POST", "/api/v1/requests/submit")).toBe(0);
  });

  it("applies the same depth, complexity and page limits over graphql-ws", async () => {
    const deep = await overWs(ws, DEEP);
    expect(deep.errors?.[0]?.extensions).toMatchObject({ code: "QUERY_TOO_DEEP" });
    const page = `certificates(first: 10) { edges { node { id serialNumber state backend notAfter } } }`;
    const complex = await overWs(ws, `{ ${["a", "b", "c", "d", "e", "f", "g", "h"].map(a => `${a}: ${page}`).join(" ")} }`);
    expect(complex.errors?.[0]?.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX" });
    const tooMany = await overWs(ws, `{ certificates(first: 11) { totalCount } }`);
    expect(tooMany.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const bad = await overWs(ws, `{ certificates(`);
    expect(bad.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    const ok = await overWs(ws, `{ certificates(first: 2) { edges { node { id } } } }`);
    expect(ok.errors).toBeUndefined();
    expect(ok.data.certificates.edges).toHaveLength(2);
  });

  it("refuses WebSocket upgrades from another site's page (Origin), accepts same-origin and non-browser clients", async () => {
    const url = stack.gateway.wsUrl;
    expect(await upgrade(url)).toBe("open");
    expect(await upgrade(url, `http://127.0.0.1:${stack.gateway.port}`)).toBe("open");
    expect(await upgrade(url, "https://evil.example")).toBe(401);
  });
});

describe("limits: introspection and GraphiQL", () => {
  it("are on in development, off with NODE_ENV=production, and each can be set explicitly", () => {
    const dev = loadConfig({});
    expect([dev.introspection, dev.graphiql]).toEqual([true, true]);
    const prod = loadConfig({ NODE_ENV: "production", EMBEDDED_EMULATORS: "true" });
    expect([prod.introspection, prod.graphiql]).toEqual([false, false]);
    const explicit = loadConfig({ NODE_ENV: "production", EMBEDDED_EMULATORS: "true", INTROSPECTION: "true", GRAPHIQL: "on" });
    expect([explicit.introspection, explicit.graphiql]).toEqual([true, true]);
    const off = loadConfig({ INTROSPECTION: "false", GRAPHIQL: "0" });
    expect([off.introspection, off.graphiql]).toEqual([false, false]);
  });

  describe("production (NODE_ENV=production)", () => {
    let stack: TestStack;
    let ws: Client;
    beforeAll(async () => {
      stack = await startTestStack({ NODE_ENV: "production", RATE_LIMIT_PER_MINUTE: "0", ALLOWED_ORIGINS: "https://console.example" });
      ws = wsClient(stack);
    });
    afterAll(async () => {
      await ws.dispose();
      await stack.close();
    });

    it("refuses introspection over HTTP and WebSocket with GRAPHQL_VALIDATION_FAILED; ordinary queries still run", async () => {
      for (const query of [`{ __schema { types { name } } }`, `{ __type(name: "Certificate") { fields { name } } }`]) {
        const res = await post(stack, query);
        expectTypedAnswer(res, query);
        expect(res.status).toBe(400);
        expect(codesOf(res)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
        expect(res.text).not.toContain('Certificate","fields');
        const overSocket = await overWs(ws, query);
        expect(overSocket.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
        expect(overSocket.data).toBeUndefined();
      }
      const plain = await post(stack, `{ __typename certificates(first: 1) { edges { node { id } } } }`);
      expect(plain.json!.errors).toBeUndefined();
    });

    it("serves no GraphiQL page or assets", async () => {
      const base = baseOf(stack);
      for (const path of ["/", "/graphql"]) {
        const res = await send(`${base}${path}`, { method: "GET", headers: { accept: "text/html" } });
        expect(res.headers["content-type"]).not.toMatch(/text\/html/);
        expect(res.text).not.toContain("GraphiQL");
      }
      const asset = await send(`${base}/graphiql/graphiql.js`, { method: "GET" });
      expect(asset.status).toBe(404);
    });

    it("lets a configured ALLOWED_ORIGINS page open a WebSocket, and no other site", async () => {
      expect(await upgrade(stack.gateway.wsUrl, "https://console.example")).toBe("open");
      expect(await upgrade(stack.gateway.wsUrl, "https://evil.example")).toBe(401);
    });
  });

  describe("development (the default)", () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ RATE_LIMIT_PER_MINUTE: "0" });
    });
    afterAll(() => stack.close());

    it("answers introspection and serves GraphiQL", async () => {
      const res = await post(stack, `{ __type(name: "Certificate") { name } }`);
      expect(res.json).toEqual({ data: { __type: { name: "Certificate" } } });
      const page = await send(`${baseOf(stack)}/`, { method: "GET", headers: { accept: "text/html" } });
      expect(page.headers["content-type"]).toMatch(/text\/html/);
    });
  });
});

describe("limits: rate limit per caller (RATE_LIMIT_PER_MINUTE)", () => {
  let stack: TestStack;
  // The limiter's clock only moves when a test moves it: no token comes back between two requests,
  // however slow the machine is.
  const clock = manualClock();
  const ADMIN = { "x-api-id": "admin", "x-api-key": "admin-secret" };
  const REQUESTER = { "x-api-id": "requester", "x-api-key": "requester-secret" };
  beforeAll(async () => {
    stack = await startTestStack({ RATE_LIMIT_PER_MINUTE: "3", HORIZON_CREDENTIALS: "forward" }, undefined, { now: clock.now });
  });
  afterAll(() => stack.close());

  const typename = (headers: Record<string, string>) => post(stack, `{ __typename }`, undefined, headers);

  it("gives each caller its own bucket: the 4th request in a minute is 429 RATE_LIMITED with retry-after, others go on", async () => {
    const limitedBefore = await metric(stack, "pki_graph_graphql_errors_total", { code: "RATE_LIMITED" });
    // Someone who knows admin's API id but not its key cannot spend admin's budget.
    const impostor = { "x-api-id": "admin", "x-api-key": "guess" };
    for (let i = 0; i < 3; i++) expect((await typename(impostor)).status).toBe(200);
    expect((await typename(impostor)).status).toBe(429);

    for (let i = 0; i < 3; i++) expect((await typename(ADMIN)).json!.data).toEqual({ __typename: "Query" });
    const refused = await typename(ADMIN);
    expectTypedAnswer(refused, "rate limited");
    expect(refused.status).toBe(429);
    expect(codesOf(refused)).toEqual(["RATE_LIMITED"]);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);

    // Another caller, and a caller without credentials (keyed by address), are not affected.
    expect((await typename(REQUESTER)).status).toBe(200);
    expect((await typename({})).status).toBe(200);

    // Health and metrics are never rate limited.
    expect((await send(`${baseOf(stack)}/healthz`, { method: "GET" })).status).toBe(200);
    expect(await metric(stack, "pki_graph_graphql_errors_total", { code: "RATE_LIMITED" })).toBe(limitedBefore + 2);

    // Retry-After tells the truth: once that much time has passed, one more request goes through.
    clock.advance(Number(refused.headers["retry-after"]) * 1000);
    expect((await typename(ADMIN)).status).toBe(200);
    expect((await typename(ADMIN)).status).toBe(429);
  });

  it("counts operations over graphql-ws against the same budget", async () => {
    // A caller of its own (the test must not depend on what the others spent): one request over HTTP first.
    const caller = { "x-api-id": "ws-caller", "x-api-key": "ws-caller-secret" };
    expect((await typename(caller)).status).toBe(200);
    const ws = wsClient(stack, { headers: caller });
    try {
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await overWs(ws, `{ __typename }`));
      // One request spent over HTTP: two more pass over the WebSocket, then RATE_LIMITED.
      expect(results.map(r => r.errors?.[0]?.extensions?.code ?? "ok")).toEqual(["ok", "ok", "RATE_LIMITED"]);
    } finally {
      await ws.dispose();
    }
  });
});
