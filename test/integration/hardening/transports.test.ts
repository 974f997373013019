/**
 * The streaming transports' own limits and errors, over real WebSockets and HTTP against both
 * emulators: a graphql-ws message gets MAX_BODY_BYTES (close 1009, refused from the frame header),
 * one caller holds at most MAX_WS_CONNECTIONS_PER_CALLER sockets (HTTP 429 TOO_MANY_CONNECTIONS),
 * forwarded Horizon credentials come from connectionParams (never `ssl-client-cert`) and the
 * principal follows them, variables are BAD_USER_INPUT over graphql-ws and SSE as over HTTP, a
 * subscription over plain HTTP is a BAD_REQUEST, and SSE refusals carry `extensions.code`.
 */
import { createClient as createSseClient } from "graphql-sse";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { watch } from "../subscriptions/support.js";
import { baseOf, codesOf, expectTypedAnswer, metric, post, send, type GqlError } from "./support.js";

type Result = { data?: any; errors?: GqlError[] };

/** A graphql-ws client with `connectionParams` (what GraphiQL sends from its Headers editor) and upgrade headers. */
function wsClient(stack: TestStack, opts: { connectionParams?: Record<string, unknown>; headers?: Record<string, string> } = {}): Client {
  class HeaderSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: opts.headers });
    }
  }
  return createClient({
    url: stack.gateway.wsUrl,
    webSocketImpl: HeaderSocket,
    connectionParams: opts.connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

/** One operation over graphql-ws: its last result, or the errors it was refused with. */
function overWs(client: Client, query: string, variables?: Record<string, unknown>): Promise<Result> {
  return new Promise((resolve, reject) => {
    let result: Result = {};
    client.subscribe(
      { query, variables },
      {
        next: value => void (result = value as Result),
        error: error => (Array.isArray(error) ? resolve({ errors: error as GqlError[] }) : reject(error)),
        complete: () => resolve(result),
      },
    );
  });
}

/** One operation over GraphQL-over-SSE (the graphql-sse client, distinct connections): its first result. */
function overSse(stack: TestStack, query: string, variables?: Record<string, unknown>): Promise<Result> {
  const client = createSseClient({ url: `${baseOf(stack)}/graphql/stream`, retryAttempts: 0 });
  return new Promise<Result>((resolve, reject) => {
    let first: Result | undefined;
    client.subscribe(
      { query, variables },
      {
        next: value => void (first ??= value as Result),
        error: reject,
        complete: () => (first ? resolve(first) : reject(new Error("no result"))),
      },
    );
  }).finally(() => client.dispose());
}

/** Opens a raw graphql-transport-ws socket: the open socket, or the HTTP refusal of the upgrade. */
function openSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket | { status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws", { headers });
    socket.once("open", () => resolve(socket));
    socket.once("unexpected-response", (_req, res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // kept as text
        }
        resolve({ status: res.statusCode ?? 0, body });
        socket.terminate();
      });
    });
    socket.once("error", reject);
  });
}

async function openOk(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  const socket = await openSocket(url, headers);
  if (!(socket instanceof WebSocket)) throw new Error(`upgrade refused: ${JSON.stringify(socket)}`);
  return socket;
}

const closeOf = (socket: WebSocket) =>
  new Promise<{ code: number; reason: string }>(resolve => socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));

const nextMessage = (socket: WebSocket) => new Promise<any>(resolve => socket.once("message", data => resolve(JSON.parse(String(data)))));

/** Opens a socket and completes the graphql-ws handshake. */
async function initialized(url: string): Promise<WebSocket> {
  const socket = await openOk(url);
  const ack = nextMessage(socket);
  socket.send(JSON.stringify({ type: "connection_init" }));
  expect(await ack).toEqual({ type: "connection_ack" });
  return socket;
}

describe("graphql-ws: message size (MAX_BODY_BYTES) and variables; SSE refusals; subscriptions over HTTP", () => {
  let stack: TestStack;
  let ws: Client;

  beforeAll(async () => {
    stack = await startTestStack({ MAX_BODY_BYTES: "4096", RATE_LIMIT_PER_MINUTE: "0" });
    ws = wsClient(stack);
  });
  afterAll(async () => {
    await ws?.dispose();
    await stack?.close();
  });

  it("a message within MAX_BODY_BYTES runs; a longer one closes the socket with 1009 (Message Too Big)", async () => {
    const socket = await initialized(stack.gateway.wsUrl);
    const subscribe = (query: string) => JSON.stringify({ id: "1", type: "subscribe", payload: { query } });
    const padded = (total: number) => {
      const base = subscribe(`{ __typename }\n#`);
      return subscribe(`{ __typename }\n#${"x".repeat(total - base.length)}`);
    };
    const within = padded(4096);
    expect(Buffer.byteLength(within)).toBe(4096);
    const answer = nextMessage(socket);
    socket.send(within);
    expect(await answer).toEqual({ id: "1", type: "next", payload: { data: { __typename: "Query" } } });

    const closed = closeOf(socket);
    socket.send(padded(4097));
    expect((await closed).code).toBe(1009);
  });

  it("refuses an over-long message from its frame header, before reading (and holding) the payload", async () => {
    const socket = await initialized(stack.gateway.wsUrl);
    const closed = closeOf(socket);
    // A masked text frame announcing 50 MiB, of which nothing but the header is ever sent.
    const header = Buffer.alloc(14);
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(50n * 1024n * 1024n, 2);
    header.writeUInt32BE(0x01020304, 10);
    (socket as unknown as { _socket: import("node:net").Socket })._socket.write(header);
    expect((await closed).code).toBe(1009);
    // the gateway goes on serving
    expect(await overWs(ws, `{ __typename }`)).toEqual({ data: { __typename: "Query" } });
  });

  describe("missing or ill-typed variables: BAD_USER_INPUT with graphql's message, over HTTP, graphql-ws and SSE alike", () => {
    const QUERY = `query($first: Int!) { certificates(first: $first) { totalCount } }`;
    const SUBSCRIPTION = `subscription($id: ID!) { certificateChanged(id: $id) { id } }`;
    const cases: [string, string, Record<string, unknown> | undefined, RegExp][] = [
      ["query, variable missing", QUERY, undefined, /^Variable "\$first" of required type "Int!" was not provided\.$/],
      ["query, wrong type", QUERY, { first: "ten" }, /^Variable "\$first" got invalid value "ten"; Int cannot represent non-integer value: "ten"$/],
      ["subscription, variable missing", SUBSCRIPTION, {}, /^Variable "\$id" of required type "ID!" was not provided\.$/],
      [
        "subscription, wrong type",
        SUBSCRIPTION,
        { id: { nested: 1 } },
        /^Variable "\$id" got invalid value \{ nested: 1 \}; ID cannot represent value: \{ nested: 1 \}$/,
      ],
    ];
    for (const [label, query, variables, message] of cases) {
      it(label, async () => {
        const calls = stack.cz.requests.length + stack.hz.requests.length;
        const overHttp = await post(stack, query, variables);
        const expected = overHttp.json!.errors!.map(e => ({ message: e.message, code: e.extensions?.code }));
        if (!query.startsWith("subscription")) {
          expect(overHttp.status).toBe(400);
          expect(expected).toEqual([{ message: expect.stringMatching(message), code: "BAD_USER_INPUT" }]);
        }
        for (const [transport, result] of [
          ["graphql-ws", await overWs(ws, query, variables)],
          ["SSE", await overSse(stack, query, variables)],
        ] as const) {
          expect(
            result.errors?.map(e => ({ message: e.message, code: e.extensions?.code })),
            transport,
          ).toEqual([{ message: expect.stringMatching(message), code: "BAD_USER_INPUT" }]);
          if (!query.startsWith("subscription")) {
            expect(
              result.errors!.map(e => ({ message: e.message, code: e.extensions?.code })),
              `${transport} = HTTP`,
            ).toEqual(expected);
          }
        }
        expect(stack.cz.requests.length + stack.hz.requests.length, "no backend call").toBe(calls);
      });
    }
  });

  it("a subscription over plain HTTP at /graphql is a BAD_REQUEST (400) pointing to graphql-ws and SSE", async () => {
    const sub = `subscription { certificateChanged(id: "x") { id } }`;
    const overPost = await post(stack, sub);
    expect(overPost.status).toBe(400);
    expectTypedAnswer(overPost, "subscription over POST");
    expect(codesOf(overPost)).toEqual(["BAD_REQUEST"]);
    expect(overPost.json!.errors![0]!.message).toMatch(/graphql-ws.*\/graphql\/stream/);

    const overGet = await send(stack.gateway.url, {
      method: "GET",
      search: `?query=${encodeURIComponent(sub)}`,
      headers: { "apollo-require-preflight": "true" },
    });
    expect(overGet.status).toBe(400);
    expect(codesOf(overGet)).toEqual(["BAD_REQUEST"]);

    // the operation chosen is what counts: a query beside a subscription in one document still runs
    const both = `query Q { __typename } subscription S { certificateChanged(id: "x") { id } }`;
    const query = await send(stack.gateway.url, {
      body: JSON.stringify({ query: both, operationName: "Q" }),
      headers: { "content-type": "application/json" },
    });
    expect(query.json).toEqual({ data: { __typename: "Query" } });
    const subscription = await send(stack.gateway.url, {
      body: JSON.stringify({ query: both, operationName: "S" }),
      headers: { "content-type": "application/json" },
    });
    expect(subscription.status).toBe(400);
    expect(codesOf(subscription)).toEqual(["BAD_REQUEST"]);
  });

  it("SSE (/graphql/stream) refusals carry extensions.code and a message", async () => {
    const url = `${baseOf(stack)}/graphql/stream`;
    const stream = { accept: "text/event-stream" };
    const expectCoded = (res: Awaited<ReturnType<typeof send>>, status: number, code: string, label: string) => {
      expect(res.status, label).toBe(status);
      expect(res.headers["content-type"], label).toMatch(/^application\/json/);
      expectTypedAnswer(res, label);
      expect(codesOf(res), label).toEqual([code]);
      expect(res.json!.errors![0]!.message, label).toMatch(/\w/);
    };
    const formPost = await send(url, { body: JSON.stringify({ query: `{ __typename }` }), headers: { "content-type": "text/plain", ...stream } });
    expectCoded(formPost, 415, "BAD_REQUEST", "415 form-like content type");
    expect(formPost.json!.errors![0]!.message).toMatch(/application\/json/);

    const mutation = `mutation { denyRequest(input: { requestId: "x" }) { replayed } }`;
    const overGet = await send(url, { method: "GET", search: `?query=${encodeURIComponent(mutation)}`, headers: stream });
    expectCoded(overGet, 405, "BAD_REQUEST", "405 mutation over GET");
    expect(overGet.json!.errors![0]!.message).toMatch(/mutations over GET/i);

    const noQuery = await send(url, { body: JSON.stringify({ variables: {} }), headers: { "content-type": "application/json", ...stream } });
    expectCoded(noQuery, 400, "BAD_REQUEST", "400 missing query");

    const noStream = await send(url, { method: "GET", search: `?query=${encodeURIComponent(`{ __typename }`)}` });
    expectCoded(noStream, 404, "NOT_FOUND", "404 without Accept: text/event-stream");
  });
});

describe("graphql-ws: connections per caller (MAX_WS_CONNECTIONS_PER_CALLER)", () => {
  let stack: TestStack;
  let ADMIN: Record<string, string>;
  let REQUESTER: Record<string, string>;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ HORIZON_CREDENTIALS: "forward", MAX_WS_CONNECTIONS_PER_CALLER: "2", RATE_LIMIT_PER_MINUTE: "0" });
    const key = (a: { apiId: string; apiKey: string }) => ({ "x-api-id": a.apiId, "x-api-key": a.apiKey });
    ADMIN = key(stack.hz.accounts.admin);
    REQUESTER = key(stack.hz.accounts.requester);
  });
  afterAll(async () => {
    for (const s of sockets) s.terminate();
    await stack?.close();
  });

  it("refuses a caller's connection over the limit with HTTP 429 TOO_MANY_CONNECTIONS; other callers connect; a closed one frees a slot", async () => {
    const url = stack.gateway.wsUrl;
    sockets.push(await openOk(url, ADMIN), await openOk(url, ADMIN));
    const refused = await openSocket(url, ADMIN);
    expect(refused).toMatchObject({ status: 429 });
    const body = (refused as { body: { errors: GqlError[] } }).body;
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.extensions).toEqual({ code: "TOO_MANY_CONNECTIONS", maxConnections: 2 });
    expect(body.errors[0]!.message).toMatch(/at most 2 per caller/);
    expect(await metric(stack, "pki_graph_graphql_errors_total", { code: "TOO_MANY_CONNECTIONS" })).toBe(1);

    // another caller (other credentials; no credentials: the address) still connects
    sockets.push(await openOk(url, REQUESTER), await openOk(url));

    const freed = stack.gateway.wsConnections.nextRelease();
    const first = sockets.shift()!;
    first.close();
    await freed;
    const again = await openOk(url, ADMIN);
    sockets.push(again);
    // and the slot is taken again
    expect(await openSocket(url, ADMIN)).toMatchObject({ status: 429 });
  });
});

describe("graphql-ws with HORIZON_CREDENTIALS=forward and CZERTAINLY_CREDENTIALS=forward: credentials from connectionParams", () => {
  let stack: TestStack;
  let ADMIN: Record<string, string>;
  const clients: Client[] = [];
  const client = (opts: Parameters<typeof wsClient>[1]) => {
    const c = wsClient(stack, opts);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    stack = await startTestStack({
      HORIZON_CREDENTIALS: "forward",
      CZERTAINLY_CREDENTIALS: "forward",
      RATE_LIMIT_PER_MINUTE: "0",
      WATCH_INTERVAL_MS: "600000",
    });
    ADMIN = { "x-api-id": stack.hz.accounts.admin.apiId, "x-api-key": stack.hz.accounts.admin.apiKey };
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await stack?.close();
  });

  it("X-API-ID/X-API-KEY in connectionParams (as GraphiQL's Headers editor sends them) run Horizon queries and subscriptions", async () => {
    const { pem } = await makeCsr("params.forward.example");
    const submitted = await stack.gql(
      `mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { request { id status } } }`,
      { i: { webraEnroll: { profile: "approval-profile", csr: pem, subject: [{ element: "cn.1", value: "params.forward.example" }] } } },
      ADMIN,
    );
    expect(submitted.errors).toBeUndefined();
    const request = submitted.data.submitRequest.request;
    expect(request.status).toBe("PENDING");

    const anonymous = await overWs(client({}), `{ requests(first: 5) { totalCount } }`);
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", backend: "horizon" });

    const admin = client({ connectionParams: { "X-API-ID": stack.hz.accounts.admin.apiId, "X-API-KEY": stack.hz.accounts.admin.apiKey } });
    stack.hz.clearLog();
    const page = await overWs(admin, `{ requests(first: 5) { totalCount edges { node { id } } } }`);
    expect(page.errors).toBeUndefined();
    expect(page.data.requests.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(request.id);
    expect(stack.hz.requests.length).toBeGreaterThan(0);

    const sub = watch(admin as never, `subscription($id: ID!) { requestChanged(id: $id) { id status } }`, { id: request.id }, "requestChanged");
    await sub.untilCount(1);
    expect(sub.results[0]!.errors).toBeUndefined();
    expect(sub.values()[0]).toEqual({ id: request.id, status: "PENDING" });
    const approved = await stack.gql(
      `mutation($i: RequestDecisionInput!) { approveRequest(input: $i) { request { status } } }`,
      { i: { requestId: request.id, comment: "ok" } },
      ADMIN,
    );
    expect(approved.data.approveRequest.request.status).toBe("COMPLETED");
    await sub.completed;
    expect(sub.values().map(v => v.status)).toEqual(["PENDING", "COMPLETED"]);

    // header names are case-insensitive
    const lower = await overWs(
      client({ connectionParams: { "x-api-id": "requester", "X-Api-Key": stack.hz.accounts.requester.apiKey } }),
      `{ requests(first: 1) { totalCount } }`,
    );
    expect(lower.errors).toBeUndefined();
    // a wrong key is the backend's 401
    const wrong = await overWs(
      client({ connectionParams: { "X-API-ID": "admin", "X-API-KEY": "not-the-key" } }),
      `{ requests(first: 1) { totalCount } }`,
    );
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", backend: "horizon", backendStatus: 401 });

    // values that are no header value (control characters, not a string, too long) are no credentials: no Horizon call
    stack.hz.clearLog();
    for (const connectionParams of [
      { "X-API-ID": "admin", "X-API-KEY": "admin-secret\r\nx-injected: 1" },
      { "X-API-ID": "admin", "X-API-KEY": 42 },
      { "X-API-ID": "admin", "X-API-KEY": "k".repeat(5000) },
    ]) {
      const refused = await overWs(client({ connectionParams }), `{ requests(first: 1) { totalCount } }`);
      expect(
        refused.errors?.map(e => e.extensions),
        JSON.stringify(connectionParams).slice(0, 80),
      ).toEqual([expect.objectContaining({ code: "UNAUTHENTICATED", backend: "horizon" })]);
    }
    expect(stack.hz.requests).toHaveLength(0);
  });

  it("never takes ssl-client-cert from connectionParams: only the TLS proxy may set it", async () => {
    stack.cz.clearLog();
    const forged = client({ connectionParams: { "ssl-client-cert": stack.cz.clientCert.header, "SSL-Client-Cert": stack.cz.clientCert.header } });
    const profiles = await overWs(forged, `{ raProfiles { id } }`);
    expect(profiles.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", backend: "czertainly" });
    expect(stack.cz.requests).toHaveLength(0);
    // the same certificate on the upgrade request (where a proxy puts it) is used
    const proxied = await overWs(client({ headers: { "ssl-client-cert": stack.cz.clientCert.header } }), `{ raProfiles { id } }`);
    expect(proxied.errors).toBeUndefined();
    expect(proxied.data.raProfiles.length).toBeGreaterThan(0);
  });
});

describe("graphql-ws: the caller principal follows connectionParams credentials (HORIZON_CREDENTIALS=forward)", () => {
  let stack: TestStack;
  const clients: Client[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ HORIZON_CREDENTIALS: "forward", RATE_LIMIT_PER_MINUTE: "2" });
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await stack?.close();
  });

  it("two callers from one address, each with its own connectionParams, have their own rate limit", async () => {
    const params = (a: { apiId: string; apiKey: string }) => ({ connectionParams: { "X-API-ID": a.apiId, "X-API-KEY": a.apiKey } });
    const admin = wsClient(stack, params(stack.hz.accounts.admin));
    const requester = wsClient(stack, params(stack.hz.accounts.requester));
    clients.push(admin, requester);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push(codesOf(await overWs(admin, `{ __typename }`)));
    expect(codes).toEqual([[], [], ["RATE_LIMITED"]]);
    expect(await overWs(requester, `{ __typename }`)).toEqual({ data: { __typename: "Query" } });
  });
});
