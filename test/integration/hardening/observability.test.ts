/**
 * Prometheus `/metrics`: requests by operation type, errors by code, upstream latency per backend
 * and operation, DataLoader batch sizes, active watchers — read back after real traffic.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { baseOf, metric, post, send } from "./support.js";

describe("observability: /metrics", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ RATE_LIMIT_PER_MINUTE: "0" });
  });
  afterAll(() => stack.close());

  it("serves the Prometheus text format with every gateway metric declared", async () => {
    const res = await send(`${baseOf(stack)}/metrics`, { method: "GET" });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    for (const name of [
      "pki_graph_graphql_requests_total",
      "pki_graph_graphql_errors_total",
      "pki_graph_upstream_request_duration_seconds",
      "pki_graph_dataloader_batch_size",
      "pki_graph_active_watchers",
      "pki_graph_process_resident_memory_bytes",
    ]) {
      expect(res.text, name).toContain(`# TYPE ${name} `);
    }
  });

  it("counts requests by operation type and errors by code", async () => {
    const queries = await metric(stack, "pki_graph_graphql_requests_total", { operation_type: "query" });
    const badInput = await metric(stack, "pki_graph_graphql_errors_total", { code: "BAD_USER_INPUT" });
    const parse = await metric(stack, "pki_graph_graphql_errors_total", { code: "GRAPHQL_PARSE_FAILED" });
    await post(stack, `{ __typename }`);
    await post(stack, `{ certificate(id: "!!!") { id } }`);
    await post(stack, `{ certificates(`);
    expect(await metric(stack, "pki_graph_graphql_requests_total", { operation_type: "query" })).toBe(queries + 2);
    expect(await metric(stack, "pki_graph_graphql_errors_total", { code: "BAD_USER_INPUT" })).toBe(badInput + 1);
    expect(await metric(stack, "pki_graph_graphql_errors_total", { code: "GRAPHQL_PARSE_FAILED" })).toBe(parse + 1);
  });

  it("measures upstream latency per backend and operation", async () => {
    await post(stack, `{ certificates(first: 60) { edges { node { id } } } raProfiles { id } requests(first: 2) { totalCount } }`);
    const count = (backend: string, operation: string) =>
      metric(stack, "pki_graph_upstream_request_duration_seconds_count", { backend, operation, outcome: "ok" });
    expect(await count("czertainly", "czertainly.searchCertificates")).toBeGreaterThanOrEqual(1);
    expect(await count("czertainly", "czertainly.listRaProfiles")).toBeGreaterThanOrEqual(1);
    expect(await count("horizon", "horizon.searchCertificates")).toBeGreaterThanOrEqual(1);
    expect(await count("horizon", "horizon.searchRequests")).toBeGreaterThanOrEqual(1);
    // A histogram: buckets per backend/operation, and a sum of seconds.
    const buckets = await metric(stack, "pki_graph_upstream_request_duration_seconds_bucket", {
      backend: "horizon",
      operation: "horizon.searchRequests",
      le: "+Inf",
    });
    expect(buckets).toBeGreaterThanOrEqual(1);
  });

  it("records the size of each DataLoader batch", async () => {
    const page = await post(stack, `{ certificates(first: 100, filter: { backends: [HORIZON] }) { edges { node { id } } } }`);
    const ids: string[] = page.json!.data.certificates.edges.slice(0, 7).map((e: any) => e.node.id);
    expect(ids).toHaveLength(7);
    const before = {
      count: await metric(stack, "pki_graph_dataloader_batch_size_count", { loader: "hzCertificate" }),
      sum: await metric(stack, "pki_graph_dataloader_batch_size_sum", { loader: "hzCertificate" }),
    };
    stack.hz.clearLog();
    const res = await post(stack, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    expect(res.json!.errors).toBeUndefined();
    // Seven ids, one batch of seven, one upstream call.
    expect(stack.hz.count("POST", /^\/api\/v1\/certificates$/)).toBe(1);
    expect(await metric(stack, "pki_graph_dataloader_batch_size_count", { loader: "hzCertificate" })).toBe(before.count + 1);
    expect(await metric(stack, "pki_graph_dataloader_batch_size_sum", { loader: "hzCertificate" })).toBe(before.sum + 7);
  });

  it("reports active watchers as a gauge", async () => {
    const res = await send(`${baseOf(stack)}/metrics`, { method: "GET" });
    expect(res.text).toMatch(/^pki_graph_active_watchers \d+$/m);
  });
});
