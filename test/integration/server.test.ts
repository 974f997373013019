import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../support/stack.js";

describe("gateway HTTP surface", () => {
  let stack: TestStack;
  let base: string;
  beforeAll(async () => {
    // READYZ_CACHE_MS=0: /readyz pings on every hit, so a backend going down shows at once (the cache has its own test).
    stack = await startTestStack({ READYZ_CACHE_MS: "0" });
    base = stack.gateway.url.replace(/\/graphql$/, "");
  });
  afterAll(() => stack.close());

  it("answers { __typename } over POST and GET", async () => {
    const post = await stack.gql(`{ __typename }`);
    expect(post.data).toEqual({ __typename: "Query" });
    const get = await request(`${stack.gateway.url}?query=${encodeURIComponent("{ __typename }")}`, {
      headers: { "apollo-require-preflight": "true" },
    });
    expect(await get.body.json()).toEqual({ data: { __typename: "Query" } });
  });

  it("serves GraphiQL and its assets from local packages, with no CDN reference", async () => {
    const page = await request(`${base}/`, { headers: { accept: "text/html" } });
    expect(page.statusCode).toBe(200);
    const html = await page.body.text();
    expect(html).toContain("GraphiQL");
    expect(html).not.toMatch(/https?:\/\/(?!localhost)[a-z]/i);
    for (const asset of ["react.js", "react-dom.js", "graphiql.js", "graphiql.css"]) {
      const res = await request(`${base}/graphiql/${asset}`);
      expect(res.statusCode).toBe(200);
      expect((await res.body.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });

  it("reports liveness and readiness, and 503 when a backend is down", async () => {
    const live = await request(`${base}/healthz`);
    expect(await live.body.json()).toEqual({ status: "ok" });
    const ready = await request(`${base}/readyz`);
    expect(ready.statusCode).toBe(200);
    await ready.body.dump();
    stack.cz.faults.down = true;
    try {
      const degraded = await request(`${base}/readyz`);
      expect(degraded.statusCode).toBe(503);
      expect(await degraded.body.json()).toMatchObject({ backends: { czertainly: false, horizon: true } });
    } finally {
      stack.cz.faults.down = false;
    }
  });

  it("answers malformed requests with typed errors, never a 500", async () => {
    const badJson = await request(stack.gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expect(badJson.statusCode).toBe(400);
    expect(await badJson.body.json()).toMatchObject({ errors: [{ extensions: { code: "BAD_REQUEST" } }] });
    const unknownRoute = await request(`${base}/nope`);
    expect(unknownRoute.statusCode).toBe(404);
    await unknownRoute.body.dump();
    const syntax = await stack.gql(`{ certificates(`);
    expect(syntax.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    const unknownField = await stack.gql(`{ nope }`);
    expect(unknownField.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("lists both backends as reachable", async () => {
    const res = await stack.gql(`{ backends { backend reachable } }`);
    expect(res.data.backends).toEqual([
      { backend: "CZERTAINLY", reachable: true },
      { backend: "HORIZON", reachable: true },
    ]);
  });
});
