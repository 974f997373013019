import { performance } from "node:perf_hooks";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { EmulatorCa, generateKeyPair } from "../src/emulators/ca.js";
import { clearDecodeCache, decodeCertificate } from "../src/domain/x509.js";
import type { GatewayProcess } from "./gateway-process.js";
import { graphqlRequest, load, sequentialLatency, type LatencyFigures, type LoadFigures } from "./load.js";
import type { RemoteEmulator } from "./remote-emulator.js";
import { makeCsr } from "../test/support/csr.js";

const gql = async (url: string, query: string, variables?: Record<string, unknown>) => {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return body.data;
};

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);

export interface SingleQueryFigures {
  backend: string;
  /** One request at a time: what a client waits for. */
  sequential: { direct: LatencyFigures; gateway: LatencyFigures; p50Ratio: number; overheadP50Ms: number };
  /** The same with the backend answering after `backendLatencyMs`, as a real Core/Horizon over a network does. */
  realistic: { backendLatencyMs: number; direct: LatencyFigures; gateway: LatencyFigures; p50Ratio: number };
  /** 8 connections for a fixed time (autocannon). */
  throughput: { direct: LoadFigures; gateway: LoadFigures; ratio: number };
}

/** (a) One certificate through the gateway vs the same certificate straight from the emulator's REST API. */
export async function singleQuery(
  gw: GatewayProcess,
  emulator: RemoteEmulator,
  backend: "CZERTAINLY" | "HORIZON",
  direct: { url: string; headers?: Record<string, string> },
  id: string,
  opts: { seconds: number; samples: number; backendLatencyMs: number },
): Promise<SingleQueryFigures> {
  const query = `query($id: ID!) { certificate(id: $id) { id state serialNumber notAfter subject { commonName } } }`;
  const viaGateway = graphqlRequest(gw.url, query, { id });
  const seqDirect = await sequentialLatency({ ...direct, samples: opts.samples });
  const seqGateway = await sequentialLatency({ ...viaGateway, samples: opts.samples });
  await emulator.setFaults({ latencyMs: opts.backendLatencyMs });
  const realDirect = await sequentialLatency({ ...direct, samples: 200 });
  const realGateway = await sequentialLatency({ ...viaGateway, samples: 200 });
  await emulator.setFaults({});
  const loadDirect = await load({ url: direct.url, headers: direct.headers, seconds: opts.seconds });
  const loadGateway = await load({ ...viaGateway, seconds: opts.seconds });
  return {
    backend,
    sequential: {
      direct: seqDirect,
      gateway: seqGateway,
      p50Ratio: ratio(seqGateway.p50Ms, seqDirect.p50Ms),
      overheadP50Ms: Math.round((seqGateway.p50Ms - seqDirect.p50Ms) * 1000) / 1000,
    },
    realistic: {
      backendLatencyMs: opts.backendLatencyMs,
      direct: realDirect,
      gateway: realGateway,
      p50Ratio: ratio(realGateway.p50Ms, realDirect.p50Ms),
    },
    throughput: { direct: loadDirect, gateway: loadGateway, ratio: ratio(loadGateway.requestsPerSecond, loadDirect.requestsPerSecond) },
  };
}

export interface PageFigures {
  backend: string;
  certificates: number;
  /** The very first such page (CZERTAINLY: before the key index knows these certificates). */
  firstQueryCalls: number;
  upstreamCalls: number;
  callsByEndpoint: Record<string, number>;
  latency: LoadFigures;
}

/** (b) A page of 100 certificates with key and RA profile: upstream calls per query (request log) and latency. */
export async function page(gw: GatewayProcess, emulator: RemoteEmulator, backend: "CZERTAINLY" | "HORIZON", seconds: number): Promise<PageFigures> {
  const query = `{ certificates(first: 100, filter: { backends: [${backend}] }) { nodes { id state subject { commonName } notAfter
    publicKey { algorithm size } raProfile { name } key { name } } } }`;
  await emulator.clearLog();
  await gql(gw.url, query);
  const firstQueryCalls = (await emulator.requests()).length;
  await emulator.clearLog();
  const data = await gql(gw.url, query);
  const requests = await emulator.requests();
  const callsByEndpoint: Record<string, number> = {};
  for (const r of requests) {
    const key = `${r.method} ${r.path.replace(/[0-9a-f-]{24,36}/g, "{id}")}`;
    callsByEndpoint[key] = (callsByEndpoint[key] ?? 0) + 1;
  }
  const upstreamCalls = requests.length;
  const latency = await load({ ...graphqlRequest(gw.url, query), seconds, connections: 4 });
  return { backend, certificates: data.certificates.nodes.length, firstQueryCalls, upstreamCalls, callsByEndpoint, latency };
}

export interface WatchFigures {
  subscribers: number;
  pendingCertificates: number;
  intervalMs: number;
  intervalsObserved: number;
  pollsPerInterval: number;
  gatewayRssMiB: { before: number; after: number };
}

/** (c) Many subscribers on pending CZERTAINLY certificates: upstream polls per interval and gateway memory. */
export async function watchers(
  gw: GatewayProcess,
  cz: RemoteEmulator,
  opts: { asyncProfileId: string; certificates: number; subscribersPerCertificate: number; intervalMs: number; intervals: number },
): Promise<WatchFigures> {
  const ids: string[] = [];
  for (let i = 0; i < opts.certificates; i++) {
    const { pem } = await makeCsr(`watch-${i}.bench.example`);
    const data = await gql(gw.url, `mutation($i: IssueInput!) { issue(input: $i) { certificate { id state } } }`, {
      i: { raProfileId: opts.asyncProfileId, csr: pem },
    });
    ids.push(data.issue.certificate.id);
  }
  const before = gw.rssMiB();
  const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, lazy: false });
  let firstEvents = 0;
  const disposers: (() => void)[] = [];
  await new Promise<void>((resolve, reject) => {
    const total = ids.length * opts.subscribersPerCertificate;
    for (const id of ids) {
      for (let s = 0; s < opts.subscribersPerCertificate; s++) {
        let seen = false;
        disposers.push(
          client.subscribe(
            { query: `subscription($id: ID!) { certificateChanged(id: $id) { id state } }`, variables: { id } },
            {
              next: () => {
                if (!seen && ++firstEvents === total) resolve();
                seen = true;
              },
              error: reject,
              complete: () => {},
            },
          ),
        );
      }
    }
  });
  await cz.clearLog();
  await new Promise(r => setTimeout(r, opts.intervalMs * opts.intervals));
  const polls = (await cz.requests()).filter(r => r.method === "GET" && /^\/api\/v1\/certificates\/[^/]+$/.test(r.path)).length;
  const after = gw.rssMiB();
  disposers.forEach(d => d());
  await client.dispose();
  return {
    subscribers: ids.length * opts.subscribersPerCertificate,
    pendingCertificates: ids.length,
    intervalMs: opts.intervalMs,
    intervalsObserved: opts.intervals,
    pollsPerInterval: Math.round((polls / opts.intervals) * 10) / 10,
    gatewayRssMiB: { before, after },
  };
}

export interface DecodeFigures {
  certificates: number;
  coldMicrosPerCertificate: number;
  cachedMicrosPerCertificate: number;
}

/** (d) X.509 decode cost per certificate, cold (cache emptied) and cached; median of rounds. */
export async function decodeCost(count: number, rounds: number): Promise<DecodeFigures> {
  const ca = await EmulatorCa.create("Bench");
  const keys = await generateKeyPair("EC");
  const { PublicKey } = await import("@peculiar/x509");
  const publicKey = await PublicKey.create(keys.publicKey);
  const contents: string[] = [];
  for (let i = 0; i < count; i++) {
    contents.push((await ca.signPublicKey(publicKey, `CN=decode-${i}.bench.example,O=Bench`, { dns: [`decode-${i}.bench.example`] })).base64);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const cold: number[] = [];
  const cached: number[] = [];
  for (let r = 0; r < rounds; r++) {
    clearDecodeCache();
    let t = performance.now();
    for (const c of contents) decodeCertificate(c);
    cold.push(((performance.now() - t) * 1000) / count);
    t = performance.now();
    for (const c of contents) decodeCertificate(c);
    cached.push(((performance.now() - t) * 1000) / count);
  }
  return {
    certificates: count,
    coldMicrosPerCertificate: Math.round(median(cold)),
    cachedMicrosPerCertificate: Math.round(median(cached) * 10) / 10,
  };
}
