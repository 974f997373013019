import autocannon from "autocannon";

export interface LoadFigures {
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
  failures: number;
}

/** Drives one endpoint for a fixed time from this process (loopback only) and keeps the figures that matter. */
export async function load(opts: { url: string; method?: string; headers?: Record<string, string>; body?: string; seconds: number; connections?: number }): Promise<LoadFigures> {
  const r = await autocannon({
    url: opts.url,
    method: opts.method ?? "GET",
    headers: opts.headers,
    body: opts.body,
    connections: opts.connections ?? 8,
    duration: opts.seconds,
  });
  return { p50Ms: r.latency.p50, p99Ms: r.latency.p99, requestsPerSecond: Math.round(r.requests.average), failures: r.non2xx + r.errors };
}

/** A GraphQL POST as autocannon options. */
export function graphqlRequest(url: string, query: string, variables?: Record<string, unknown>) {
  return { url, method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) };
}
