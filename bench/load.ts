import autocannon from "autocannon";

export interface LoadFigures {
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
  failures: number;
}

/** Drives one endpoint for a fixed time from this process (loopback only) and keeps the figures that matter. */
export async function load(opts: {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  seconds: number;
  connections?: number;
}): Promise<LoadFigures> {
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

export interface LatencyFigures {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  samples: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * One request at a time over a kept-alive connection, timed with performance.now(): the latency one
 * client sees, at sub-millisecond resolution (autocannon reports whole milliseconds).
 */
export async function sequentialLatency(opts: {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  samples: number;
}): Promise<LatencyFigures> {
  const { Agent, request } = await import("undici");
  const { performance } = await import("node:perf_hooks");
  const dispatcher = new Agent({ connections: 1, keepAliveTimeout: 30_000 });
  const once = async () => {
    const res = await request(opts.url, { method: (opts.method ?? "GET") as "GET", headers: opts.headers, body: opts.body, dispatcher });
    await res.body.text();
    if (res.statusCode >= 400) throw new Error(`${opts.url} answered ${res.statusCode}`);
  };
  for (let i = 0; i < Math.min(200, opts.samples); i++) await once(); // warm-up: JIT, caches, connection
  const times: number[] = [];
  for (let i = 0; i < opts.samples; i++) {
    const start = performance.now();
    await once();
    times.push(performance.now() - start);
  }
  await dispatcher.close();
  times.sort((a, b) => a - b);
  return {
    p50Ms: round3(times[Math.floor(times.length * 0.5)]!),
    p99Ms: round3(times[Math.floor(times.length * 0.99)]!),
    meanMs: round3(times.reduce((a, b) => a + b, 0) / times.length),
    samples: times.length,
  };
}
