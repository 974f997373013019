/**
 * Production defaults and ops endpoints: no schema details in errors where the schema is not
 * public, no start on the embedded emulators' fake CAs unless asked for, /readyz that does not
 * call both backends on every hit, and /metrics + /readyz on a port of their own (OPS_PORT).
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { baseOf, codesOf, expectTypedAnswer, post, send, type GqlError } from "./support.js";

const MISSPELLED = [
  `{ certificat(id: "x") { id } }`, // Did you mean "certificate" or "certificates"?
  `{ certificates(frist: 1) { totalCount } }`, // Did you mean "first"?
  `{ certificates(first: 1) { edges { node { stat } } } }`, // Did you mean "state"?
];

function wsClient(stack: TestStack): Client {
  return createClient({ url: stack.gateway.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
}

/** The errors graphql-ws refuses an operation with. */
function refusedOverWs(client: Client, query: string, variables?: Record<string, unknown>): Promise<GqlError[]> {
  return new Promise((resolve, reject) => {
    client.subscribe(
      { query, variables },
      {
        next: () => reject(new Error("expected a refusal")),
        error: error => (Array.isArray(error) ? resolve(error as GqlError[]) : reject(error)),
        complete: () => reject(new Error("expected a refusal")),
      },
    );
  });
}

describe("production: no schema details in errors", () => {
  let prod: TestStack;
  let dev: TestStack;
  let prodWs: Client;
  let devWs: Client;
  beforeAll(async () => {
    [prod, dev] = await Promise.all([
      startTestStack({ NODE_ENV: "production", RATE_LIMIT_PER_MINUTE: "0" }),
      startTestStack({ RATE_LIMIT_PER_MINUTE: "0" }),
    ]);
    prodWs = wsClient(prod);
    devWs = wsClient(dev);
  });
  afterAll(async () => {
    await Promise.all([prodWs.dispose(), devWs.dispose()]);
    await Promise.all([prod.close(), dev.close()]);
  });

  it('a misspelled field or argument answers GRAPHQL_VALIDATION_FAILED without "Did you mean" (HTTP, WebSocket and SSE)', async () => {
    for (const query of MISSPELLED) {
      const res = await post(prod, query);
      expectTypedAnswer(res, query);
      expect(res.status).toBe(400);
      expect(codesOf(res)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
      expect(res.text).not.toMatch(/did you mean/i);
      const overWs = await refusedOverWs(prodWs, query);
      expect(overWs.map(e => e.extensions?.code)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
      expect(JSON.stringify(overWs)).not.toMatch(/did you mean/i);
      const overSse = await send(`${baseOf(prod)}/graphql/stream`, {
        body: JSON.stringify({ query }),
        headers: { "content-type": "application/json", accept: "text/event-stream" },
      });
      expect(overSse.text).toContain("GRAPHQL_VALIDATION_FAILED");
      expect(overSse.text).not.toMatch(/did you mean/i);
    }
  });

  it('a misspelled input field or enum value in variables answers BAD_USER_INPUT without "Did you mean" (HTTP and WebSocket)', async () => {
    const issue = `mutation($i: IssueInput!) { issue(input: $i) { certificate { id } } }`;
    const revoke = `mutation($i: RevokeInput!) { revoke(input: $i) { certificate { id } } }`;
    for (const [query, variables] of [
      [issue, { i: { csrr: "x" } }],
      [revoke, { i: { certificateId: "x", reason: "KEY_COMPROMIZE" } }],
    ] as const) {
      for (const [stack, suggests] of [
        [prod, false],
        [dev, true],
      ] as const) {
        const res = await post(stack, query, variables);
        expect(res.status).toBe(400);
        expect(codesOf(res)).toEqual(["BAD_USER_INPUT"]);
        expect(/did you mean/i.test(res.text), `${JSON.stringify(variables)}: ${res.text}`).toBe(suggests);
        const overWs = await refusedOverWs(stack === prod ? prodWs : devWs, query, variables);
        expect(overWs.map(e => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
        expect(/did you mean/i.test(JSON.stringify(overWs)), `over graphql-ws: ${JSON.stringify(overWs)}`).toBe(suggests);
      }
    }
  });

  it("keeps the suggestions in development, where introspection tells the schema anyway", async () => {
    for (const query of MISSPELLED) {
      const res = await post(dev, query);
      expect(codesOf(res)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
      expect(res.text).toMatch(/Did you mean/);
      expect(JSON.stringify(await refusedOverWs(devWs, query))).toMatch(/Did you mean/);
      const overSse = await send(`${baseOf(dev)}/graphql/stream`, {
        body: JSON.stringify({ query }),
        headers: { "content-type": "application/json", accept: "text/event-stream" },
      });
      expect(overSse.text).toMatch(/Did you mean/);
    }
  });
});

describe("production: EMBEDDED_EMULATORS", () => {
  // The real entry point, as `npm start` runs it (tsx, here as a loader of this very process so a kill
  // leaves no child behind), with nothing inherited that names a backend.
  const entry = (env: Record<string, string>) => {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(CZERTAINLY_|HORIZON_|EMBEDDED_EMULATORS$|NODE_ENV$|PORT$|HOST$|OPS_)/.test(k)),
    );
    return spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: { ...base, PORT: "0", HOST: "127.0.0.1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
  };

  it("defaults to false with NODE_ENV=production (and to true otherwise)", () => {
    const urls = { CZERTAINLY_URL: "http://127.0.0.1:1/api", HORIZON_URL: "http://127.0.0.1:2", HORIZON_API_ID: "a", HORIZON_API_KEY: "b" };
    expect(loadConfig({ NODE_ENV: "production", ...urls }).embeddedEmulators).toBe(false);
    expect(loadConfig({ ...urls }).embeddedEmulators).toBe(true);
    expect(loadConfig({ NODE_ENV: "production", EMBEDDED_EMULATORS: "true" }).embeddedEmulators).toBe(true);
  });

  it("a production gateway without backend URLs refuses to start, with a clear message and a non-zero exit", async () => {
    const child = entry({ NODE_ENV: "production", LOG_LEVEL: "info" });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", chunk => (stderr += chunk));
    // A gateway that starts anyway is stopped at once (the test fails on its exit code, not on a timeout).
    child.stdout.on("data", chunk => {
      stdout += chunk;
      if (stdout.includes("PKI Graph gateway listening")) child.kill("SIGKILL");
    });
    const code = await new Promise<number | null>(resolve => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain("NODE_ENV=production needs CZERTAINLY_URL and HORIZON_URL");
    expect(stderr).toContain("EMBEDDED_EMULATORS=true");
    expect(stdout).not.toContain("embedded emulators started");
  }, 120_000);

  it("with EMBEDDED_EMULATORS=true set explicitly it starts on the emulators, and says so", async () => {
    const child = entry({ NODE_ENV: "production", EMBEDDED_EMULATORS: "true", LOG_LEVEL: "info" });
    const exited = new Promise<number | null>(resolve => child.once("exit", resolve));
    try {
      const lines: Record<string, any>[] = [];
      const listening = await new Promise<Record<string, any>>((resolve, reject) => {
        child.once("exit", code => reject(new Error(`exited with ${code}`)));
        createInterface({ input: child.stdout }).on("line", line => {
          const entry = JSON.parse(line) as Record<string, any>;
          lines.push(entry);
          if (entry.msg === "PKI Graph gateway listening") resolve(entry);
        });
      });
      expect(lines.some(l => l.msg === "embedded emulators started")).toBe(true);
      expect(lines.some(l => l.level === 40 && /fake CAs/.test(l.msg))).toBe(true);
      const res = await send(listening.graphql, {
        body: JSON.stringify({ query: `{ certificates(first: 1) { totalCount } }` }),
        headers: { "content-type": "application/json" },
      });
      expect(res.json!.errors).toBeUndefined();
      expect(res.json!.data.certificates.totalCount).toBeGreaterThan(0);
    } finally {
      // Graceful shutdown is not what this test is about: the process only has to go.
      child.kill("SIGKILL");
      await exited;
    }
  }, 120_000);
});

describe("/readyz: one ping per backend per READYZ_CACHE_MS", () => {
  let stack: TestStack;
  let now = 1_000_000;
  beforeAll(async () => {
    stack = await startTestStack({ READYZ_CACHE_MS: "60000", RATE_LIMIT_PER_MINUTE: "0" }, undefined, { now: () => now });
  });
  afterAll(() => stack.close());

  const pings = () => ({
    czertainly: stack.cz.count("GET", "/api/v1/authorities"),
    horizon: stack.hz.count("GET", "/api/v1/security/principals/self"),
  });
  const readyz = () => send(`${baseOf(stack)}/readyz`, { method: "GET" });

  it("answers many hits, one after another and at once, from one ping per backend; after the window it pings again", async () => {
    stack.cz.clearLog();
    stack.hz.clearLog();
    for (let i = 0; i < 10; i++) expect((await readyz()).status).toBe(200);
    const together = await Promise.all(Array.from({ length: 10 }, readyz));
    expect(together.map(r => r.json)).toEqual(Array(10).fill({ status: "ready", backends: { czertainly: true, horizon: true } }));
    expect(pings()).toEqual({ czertainly: 1, horizon: 1 });

    now += 59_999;
    await readyz();
    expect(pings()).toEqual({ czertainly: 1, horizon: 1 });
    now += 1;
    expect((await readyz()).status).toBe(200);
    await readyz();
    expect(pings()).toEqual({ czertainly: 2, horizon: 2 });
  });
});

describe("OPS_PORT: /metrics and /readyz on a port of their own", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ OPS_PORT: "0", RATE_LIMIT_PER_MINUTE: "0" });
  });
  afterAll(() => stack.close());

  it("serves /metrics, /readyz and /healthz on the ops port, and /metrics and /readyz no longer on the main port", async () => {
    const ops = stack.gateway.opsUrl!;
    expect(ops).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ops).not.toBe(baseOf(stack));
    const metrics = await send(`${ops}/metrics`, { method: "GET" });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain("pki_graph_graphql_requests_total");
    expect((await send(`${ops}/readyz`, { method: "GET" })).json).toEqual({ status: "ready", backends: { czertainly: true, horizon: true } });
    expect((await send(`${ops}/healthz`, { method: "GET" })).status).toBe(200);
    // GraphQL is not on the ops port.
    expect(
      (await send(`${ops}/graphql`, { body: JSON.stringify({ query: "{ __typename }" }), headers: { "content-type": "application/json" } })).status,
    ).toBe(404);

    for (const path of ["/metrics", "/readyz"]) {
      const main = await send(`${baseOf(stack)}${path}`, { method: "GET" });
      expect(main.status, path).toBe(404);
      expect(main.text).not.toContain("pki_graph_");
    }
    expect((await send(`${baseOf(stack)}/healthz`, { method: "GET" })).status).toBe(200);
    expect((await post(stack, `{ __typename }`)).json).toEqual({ data: { __typename: "Query" } });
  });

  it("is closed by stop()", async () => {
    const other = await startTestStack({ OPS_PORT: "0", RATE_LIMIT_PER_MINUTE: "0" });
    const server = other.gateway.opsServer!;
    expect(server.listening).toBe(true);
    await other.close();
    expect(server.listening).toBe(false);
  }, 60_000); // starts and stops a whole stack: a hook's budget, not a test's
});
