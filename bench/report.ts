import { mkdir, readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import type { HostileFigures } from "./hostile.js";
import type { DecodeFigures, PageFigures, SingleQueryFigures, WatchFigures } from "./scenarios.js";

export interface BenchResults {
  at: string;
  machine: string;
  single: SingleQueryFigures[];
  pages: PageFigures[];
  watch?: WatchFigures;
  decode: DecodeFigures;
  hostile?: HostileFigures;
}

export function machineDescription(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** The short markdown table the README shows. */
export function toMarkdown(r: BenchResults): string {
  const lines = [
    `Measured ${r.at} on ${r.machine}; gateway, emulators and load generator each in a process of their own, loopback only.`,
    "",
    "| scenario | figure | target |",
    "| --- | --- | --- |",
  ];
  for (const s of r.single) {
    const q = s.sequential;
    const real = s.realistic;
    const t = s.throughput;
    lines.push(
      `| (a) single certificate, ${s.backend}, one request at a time | p50 ${q.gateway.p50Ms} ms vs ${q.direct.p50Ms} ms direct (×${q.p50Ratio}, +${q.overheadP50Ms} ms); p99 ${q.gateway.p99Ms} vs ${q.direct.p99Ms} ms | p50 ≤ 1.3× direct |`,
      `| (a) same, backend answering in ${real.backendLatencyMs} ms | p50 ${real.gateway.p50Ms} ms vs ${real.direct.p50Ms} ms direct (×${real.p50Ratio}) | p50 ≤ 1.3× direct |`,
      `| (a) same, 8 connections | ${t.gateway.requestsPerSecond} vs ${t.direct.requestsPerSecond} req/s (×${t.ratio}); p99 ${t.gateway.p99Ms} vs ${t.direct.p99Ms} ms | – |`,
    );
  }
  for (const p of r.pages) {
    const calls = Object.entries(p.callsByEndpoint)
      .map(([k, v]) => `${v}× ${k}`)
      .join(", ");
    lines.push(
      `| (b) page of ${p.certificates} ${p.backend} certificates with key and RA profile | ${p.upstreamCalls} upstream calls (${calls})${p.firstQueryCalls !== p.upstreamCalls ? `; the first such page: ${p.firstQueryCalls}` : ""}; p50 ${p.latency.p50Ms} ms, p99 ${p.latency.p99Ms} ms | ≤ 3 calls |`,
    );
  }
  if (r.watch) {
    const w = r.watch;
    lines.push(
      `| (c) ${w.subscribers} subscribers on ${w.pendingCertificates} pending certificates | ${w.pollsPerInterval} upstream polls per ${w.intervalMs} ms interval; gateway RSS ${w.gatewayRssMiB.before} → ${w.gatewayRssMiB.after} MiB | ≤ 100 polls per interval |`,
    );
  }
  lines.push(
    `| (d) X.509 decode | ${r.decode.coldMicrosPerCertificate} µs cold, ${r.decode.cachedMicrosPerCertificate} µs cached, per certificate (${r.decode.certificates} certificates) | – |`,
  );
  if (r.hostile) {
    const h = r.hostile;
    lines.push(
      `| (e) worst CPU time of one hostile request within the ${h.bodyLimitBytes}-byte body limit before it is refused (${h.figures.length} attacks) | ${h.worstCpuMs} ms (${h.worst}) | < 50 ms |`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Writes bench/results/latest.{json,md} and the README table between its markers. */
export async function writeResults(r: BenchResults): Promise<string> {
  const md = toMarkdown(r);
  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(new URL("./results/latest.json", import.meta.url), JSON.stringify(r, null, 2) + "\n");
  await writeFile(new URL("./results/latest.md", import.meta.url), md);
  const readmeUrl = new URL("../README.md", import.meta.url);
  const readme = await readFile(readmeUrl, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  if (readme.includes(start) && readme.includes(end)) {
    const updated = readme.slice(0, readme.indexOf(start) + start.length) + "\n" + md + readme.slice(readme.indexOf(end));
    await writeFile(readmeUrl, updated);
  }
  return md;
}

/** The per-attack table of scenario (e). */
export function hostileMarkdown(h: HostileFigures): string {
  const lines = [
    `Each attack sent ${h.repetitions + 1} times, one at a time; CPU time of the gateway process per request (/proc, 10 ms ticks averaged).`,
    "",
    "| attack | body bytes | answer | CPU per request | slowest answer | /healthz after |",
    "| --- | --- | --- | --- | --- | --- |",
    ...h.figures.map(f => `| ${f.name} | ${f.bodyBytes} | ${f.status} ${f.code} | ${f.cpuMsPerRequest} ms | ${f.maxWallMs} ms | ${f.healthz} |`),
    "",
    `Worst: ${h.worstCpuMs} ms CPU (${h.worst}).`,
  ];
  return lines.join("\n") + "\n";
}

/** Writes bench/results/hostile.{json,md} (scenario (e) alone). */
export async function writeHostileResults(h: HostileFigures): Promise<void> {
  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(
    new URL("./results/hostile.json", import.meta.url),
    JSON.stringify({ at: new Date().toISOString(), machine: machineDescription(), ...h }, null, 2) + "\n",
  );
  await writeFile(new URL("./results/hostile.md", import.meta.url), hostileMarkdown(h));
}
