import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { UpstreamObservation } from "../backends/http.js";
import type { SideRoute } from "./http.js";

/** Prometheus metrics of one gateway, in its own registry (never the global one). */
export interface GatewayMetrics {
  registry: Registry;
  requests: Counter<"operation_type">;
  errors: Counter<"code">;
  upstreamDuration: Histogram<"backend" | "operation" | "outcome">;
  loaderBatch: Histogram<"loader">;
  watchPolls: Counter<"backend" | "outcome">;
  observeUpstream(o: UpstreamObservation): void;
  /** One background poll of the watch hub (src/events). */
  onWatchPoll(backend: string, outcome: "ok" | "error"): void;
  onLoaderBatch(loader: string, size: number): void;
  /** GET /metrics in the Prometheus text format. */
  route: SideRoute;
}

export function createMetrics(
  opts: { activeWatchers?: () => number | undefined; activeSubscribers?: () => number | undefined; defaultMetrics?: boolean } = {},
): GatewayMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "pki_graph_" });
  const requests = new Counter({
    name: "pki_graph_graphql_requests_total",
    help: "GraphQL requests by operation type (query, mutation, subscription, unknown when not parsed)",
    labelNames: ["operation_type"] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: "pki_graph_graphql_errors_total",
    help: "Errors answered to clients, by extensions.code",
    labelNames: ["code"] as const,
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: "pki_graph_upstream_request_duration_seconds",
    help: "Latency of each upstream HTTP attempt, by backend, operation and outcome (ok or error kind)",
    labelNames: ["backend", "operation", "outcome"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const loaderBatch = new Histogram({
    name: "pki_graph_dataloader_batch_size",
    help: "Keys per DataLoader batch",
    labelNames: ["loader"] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });
  new Gauge({
    name: "pki_graph_active_watchers",
    help: "Active subscription watchers (pollers) of the gateway",
    registers: [registry],
    collect() {
      const n = opts.activeWatchers?.();
      this.set(typeof n === "number" && Number.isFinite(n) ? n : 0);
    },
  });
  new Gauge({
    name: "pki_graph_watch_subscribers",
    help: "Open subscriber streams on watched objects (subscriptions and waiting queries)",
    registers: [registry],
    collect() {
      const n = opts.activeSubscribers?.();
      this.set(typeof n === "number" && Number.isFinite(n) ? n : 0);
    },
  });
  const watchPolls = new Counter({
    name: "pki_graph_watch_polls_total",
    help: "Background polls of watched objects, by backend and outcome (coalesced: one per object per interval at most)",
    labelNames: ["backend", "outcome"] as const,
    registers: [registry],
  });
  return {
    registry,
    requests,
    errors,
    upstreamDuration,
    loaderBatch,
    watchPolls,
    onWatchPoll(backend, outcome) {
      watchPolls.inc({ backend: backend.toLowerCase(), outcome });
    },
    observeUpstream(o) {
      upstreamDuration.observe({ backend: o.backend, operation: o.operation, outcome: o.outcome }, o.durationMs / 1000);
    },
    onLoaderBatch(loader, size) {
      loaderBatch.observe({ loader }, size);
    },
    async route(req, res, url) {
      if (url.pathname !== "/metrics" || req.method !== "GET") return false;
      const body = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(body);
      return true;
    },
  };
}
