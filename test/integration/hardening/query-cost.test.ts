/**
 * Bounded work before execution: hostile documents and variables that cost seconds of CPU (or ran
 * although too costly) are refused with a typed error over HTTP, graphql-ws and SSE, before any
 * backend call, and /healthz still answers after each. Work is asserted by what is answered (codes,
 * statuses, error counts), never by time; the CPU figures are in the bench (scenario e).
 */
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { baseOf, expectTypedAnswer, post, send, type GqlError, overWs } from "./support.js";

/** Each fragment spreads the next twice: 2^n selections when expanded, under 1 KB of text for n = 20. */
function fragmentBomb(n: number): string {
  const frags = [];
  for (let i = 0; i < n; i++) frags.push(`fragment F${i} on Certificate{...F${i + 1} ...F${i + 1}}`);
  frags.push(`fragment F${n} on Certificate{id}`);
  return `{certificates(first:1){nodes{...F0}}}` + frags.join("");
}

/** 30 pages of 100 (valid, and it runs): cost 30 × (1 + 100 × 7) = 21,030; padded with `count` `__typename` aliases. */
const COSTLY = Array.from(
  { length: 30 },
  (_, i) => `c${i}: certificates(first: 100) { edges { node { id serialNumber state backend notAfter } } }`,
).join(" ");
const padded = (count: number) => `{ ${COSTLY} ${Array.from({ length: count }, (_, i) => `a${i}: __typename`).join(" ")} }`;

/** The same fragment spread many times, each spread carrying two directives: valid, and one field to run. */
const directiveFlood = (count: number) =>
  `{ certificates(first: 1) { nodes { ${"...D @include(if: true) @skip(if: false) ".repeat(count)} } } } fragment D on Certificate { id }`;

const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
/** About 600 KB of wrongly typed ids. */
const WRONG_IDS = { ids: Array.from({ length: 120_000 }, () => true) };

function wsClient(stack: TestStack): Client {
  return createClient({ url: stack.gateway.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
}

/** Runs one operation over SSE (distinct connections): the payload of its `next` event. */
async function overSse(stack: TestStack, query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: GqlError[] }> {
  const res = await send(`${baseOf(stack)}/graphql/stream`, {
    body: JSON.stringify({ query, variables }),
    headers: { "content-type": "application/json", accept: "text/event-stream" },
  });
  const next = /event: next\ndata: (.*)\n/.exec(res.text);
  expect(next, res.text.slice(0, 200)).not.toBeNull();
  return JSON.parse(next![1]!);
}

async function expectHealthy(stack: TestStack): Promise<void> {
  const health = await send(`${baseOf(stack)}/healthz`, { method: "GET" });
  expect(health.status).toBe(200);
  expect(health.json).toEqual({ status: "ok" });
}

describe("query cost: bounded work before execution (default limits)", () => {
  let stack: TestStack;
  let ws: Client;
  const calls = () => stack.hz.requests.length + stack.cz.requests.length;

  beforeAll(async () => {
    stack = await startTestStack({ RATE_LIMIT_PER_MINUTE: "0" });
    ws = wsClient(stack);
  });
  afterAll(async () => {
    await ws.dispose();
    await stack.close();
  });

  /** Sends one attack over HTTP, graphql-ws and SSE: each answer's errors, HTTP status first. */
  async function everywhere(query: string, variables?: Record<string, unknown>) {
    stack.hz.clearLog();
    stack.cz.clearLog();
    const http = await post(stack, query, variables);
    expectTypedAnswer(http, query.slice(0, 40));
    await expectHealthy(stack);
    const socket = await overWs(ws, query, variables);
    await expectHealthy(stack);
    const sse = await overSse(stack, query, variables);
    await expectHealthy(stack);
    expect(calls()).toBe(0);
    expect(http.json!.data ?? null, "no data over HTTP").toBeNull();
    expect(socket.data ?? null, "no data over graphql-ws").toBeNull();
    expect(sse.data ?? null, "no data over SSE").toBeNull();
    return { status: http.status, http: http.json!.errors!, ws: socket.errors!, sse: sse.errors! };
  }

  it("refuses a nested fragment bomb under 1 KB (2^20 spreads) with QUERY_TOO_COMPLEX, pricing each fragment once", async () => {
    const bomb = fragmentBomb(20);
    expect(bomb.length).toBeLessThan(1024);
    const answers = await everywhere(bomb);
    expect(answers.status).toBe(400);
    for (const errors of [answers.http, answers.ws, answers.sse]) {
      expect(errors).toHaveLength(1);
      expect(errors[0]!.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX" });
    }
    // Each fragment priced once and composed: exactly what the expansion would cost (2^20 ids, the connection, nodes).
    expect(answers.http[0]!.extensions).toMatchObject({ complexity: 1 + 1 * (1 + 2 ** 20), maxComplexity: 20_000 });
  });

  it("refuses a query padded past 10,000 nodes with __typename aliases at the token limit (GRAPHQL_PARSE_FAILED)", async () => {
    const answers = await everywhere(padded(10_000));
    expect(answers.status).toBe(400);
    for (const errors of [answers.http, answers.ws, answers.sse]) {
      expect(errors).toHaveLength(1);
      expect(errors[0]!.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
      expect(errors[0]!.message).toMatch(/more th.. 2000 tokens/);
    }
  });

  it("refuses more aliases than MAX_ALIASES before validation (GRAPHQL_VALIDATION_FAILED), through fragments too", async () => {
    const answers = await everywhere(`{ ${Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(" ")} }`);
    expect(answers.status).toBe(400);
    for (const errors of [answers.http, answers.ws, answers.sse]) {
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        message: expect.stringMatching(/31 aliases.*MAX_ALIASES/),
        extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
      });
    }
    // 4 aliases in a fragment spread 8 times (by two fragments) are 32.
    const spread = await post(
      stack,
      `{ certificates(first: 1) { nodes { ...B ...C } } }
      fragment A on Certificate { a: id b: id c: id d: id }
      fragment B on Certificate { ...A ...A ...A ...A } fragment C on Certificate { ...A ...A ...A ...A }`,
    );
    expect(spread.status).toBe(400);
    expect(spread.json!.errors![0]!.message).toMatch(/32 aliases/);
  });

  it("refuses a directive flood (valid, one field to run) with GRAPHQL_VALIDATION_FAILED before validation", async () => {
    const answers = await everywhere(directiveFlood(100));
    expect(answers.status).toBe(400);
    for (const errors of [answers.http, answers.ws, answers.sse]) {
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        message: expect.stringMatching(/200 directives.*MAX_DIRECTIVES/),
        extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
      });
    }
    const within = await post(stack, directiveFlood(25));
    expect(within.json!.errors).toBeUndefined();
  });

  it("refuses a token flood of 1 MB at the token limit, and a field repeated in one place past MAX_REPEATED_FIELDS", async () => {
    const flood = `{ ${"__typename ".repeat(90_000)} }`;
    const answers = await everywhere(flood);
    expect(answers.status).toBe(400);
    for (const errors of [answers.http, answers.ws, answers.sse]) {
      expect(errors).toHaveLength(1);
      expect(errors[0]!.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    }
    // Within the token limit: repeated in one response level, also where execution merges parents.
    for (const query of [
      `{ ${"__typename ".repeat(21)} }`,
      `{ certificates(first: 1) { nodes { ${"raProfile { name name name } ".repeat(7)} } } }`,
    ]) {
      const res = await post(stack, query);
      expect(res.status, query).toBe(400);
      expect(res.json!.errors).toHaveLength(1);
      expect(res.json!.errors![0]).toMatchObject({
        message: expect.stringMatching(/21 times.*MAX_REPEATED_FIELDS/),
        extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
      });
    }
    const merged = await post(stack, `{ certificates(first: 1) { nodes { ${"raProfile { name } ".repeat(20)} } } }`);
    expect(merged.json!.errors).toBeUndefined();
  });

  it("caps the errors of a document with many: at most 20 validation errors (and the notice that more were dropped)", async () => {
    const res = await post(stack, `{ ${Array.from({ length: 300 }, (_, i) => `unknown${i}`).join(" ")} }`);
    expect(res.status).toBe(400);
    expect(res.json!.errors!.length).toBeLessThanOrEqual(21);
    expect(res.json!.errors!.every(e => e.extensions?.code === "GRAPHQL_VALIDATION_FAILED")).toBe(true);
    const socket = await overWs(ws, `{ ${Array.from({ length: 300 }, (_, i) => `unknown${i}`).join(" ")} }`);
    expect(socket.errors!.length).toBeLessThanOrEqual(21);
    await expectHealthy(stack);
  });

  it("refuses 600 KB of wrongly typed variables before coercing them: one BAD_USER_INPUT, not one per item", async () => {
    const answers = await everywhere(NODES, WRONG_IDS);
    expect(answers.status).toBe(400);
    for (const errors of [answers.http, answers.ws, answers.sse]) {
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        message: expect.stringMatching(/more than 2000 values.*MAX_VARIABLE_VALUES/),
        extensions: { code: "BAD_USER_INPUT" },
      });
    }
    // Deeply nested lists: the body is refused before JSON.parse spends its time on it, over HTTP and SSE.
    const nestedBody = `{"query":${JSON.stringify(NODES)},"variables":{"ids":${"[".repeat(100_000)}"x"${"]".repeat(100_000)}}}`;
    for (const url of [stack.gateway.url, `${baseOf(stack)}/graphql/stream`]) {
      const nested = await send(url, {
        body: nestedBody,
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      });
      expect(nested.status, url).toBe(400);
      expect(nested.json!.errors).toEqual([{ message: "Request body nests deeper than 64 levels", extensions: { code: "BAD_REQUEST" } }]);
      await expectHealthy(stack);
    }
    // Within the bound, wrongly typed items are still refused by coercion, with a bounded error count.
    const few = await post(stack, NODES, { ids: Array.from({ length: 1000 }, () => true) });
    expect(few.status).toBe(400);
    expect(few.json!.errors!.length).toBeLessThanOrEqual(51);
    expect(few.json!.errors![0]!.extensions?.code).toBe("BAD_USER_INPUT");
    await expectHealthy(stack);
  });
});

describe("query cost: a WebSocket message is held to the body limit", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ RATE_LIMIT_PER_MINUTE: "0", MAX_BODY_BYTES: "4096" });
  });
  afterAll(() => stack.close());

  it("closes a graphql-ws connection whose message is larger than MAX_BODY_BYTES (1009), and goes on serving", async () => {
    const client = wsClient(stack);
    try {
      const refused = await overWs(client, `{ __typename }`, { pad: "x".repeat(5000) }).then(
        () => undefined,
        (error: { code?: number }) => error,
      );
      expect(refused?.code).toBe(1009);
    } finally {
      await client.dispose();
    }
    const fits = wsClient(stack);
    try {
      expect(await overWs(fits, `{ __typename }`, { pad: "x".repeat(3000) })).toEqual({ data: { __typename: "Query" } });
    } finally {
      await fits.dispose();
    }
    await expectHealthy(stack);
  });
});

describe("query cost: the estimator prices documents past 10,000 nodes (shape limits raised)", () => {
  let stack: TestStack;
  let ws: Client;
  beforeAll(async () => {
    stack = await startTestStack({
      RATE_LIMIT_PER_MINUTE: "0",
      MAX_QUERY_TOKENS: "100000",
      MAX_ALIASES: "100000",
    });
    ws = wsClient(stack);
  });
  afterAll(async () => {
    await ws.dispose();
    await stack.close();
  });

  it("refuses the query padded with 10,000 __typename aliases as too complex, as it refuses it unpadded", async () => {
    for (const count of [0, 10_000]) {
      stack.hz.clearLog();
      stack.cz.clearLog();
      const res = await post(stack, padded(count));
      expectTypedAnswer(res, `padded ${count}`);
      expect(res.status).toBe(400);
      expect(res.json!.errors![0]!.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX", complexity: 21_030 + count });
      const socket = await overWs(ws, padded(count));
      expect(socket.errors?.[0]?.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX" });
      expect(stack.hz.requests.length + stack.cz.requests.length).toBe(0);
      await expectHealthy(stack);
    }
  });
});
