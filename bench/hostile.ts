import { readFileSync } from "node:fs";
import type { GatewayProcess } from "./gateway-process.js";

/**
 * (e) Hostile requests: for each attack, a single request as large as the body limit allows (or the
 * largest shape just within the token limit, which gets past parsing to the next check), sent one
 * at a time to an otherwise idle gateway. Measured: the gateway process's CPU time per request
 * (utime + stime from /proc, averaged over the repetitions), the slowest answer, and what it was
 * refused with. /healthz is asked after each attack and must answer.
 */

export interface HostileRequest {
  name: string;
  body: string;
}

export interface HostileFigure {
  name: string;
  bodyBytes: number;
  status: number;
  code: string;
  cpuMsPerRequest: number;
  maxWallMs: number;
  healthz: number;
}

export interface HostileFigures {
  repetitions: number;
  bodyLimitBytes: number;
  figures: HostileFigure[];
  worstCpuMs: number;
  worst: string;
}

const body = (query: string, variables?: unknown) => JSON.stringify({ query, variables });

/** Repeats `unit` until the document is about `bytes` long. */
const fill = (head: string, unit: string, tail: string, bytes: number) =>
  head + unit.repeat(Math.max(1, Math.floor((bytes - head.length - tail.length - 40) / unit.length))) + tail;

/** `fragment F0 { ...F1 ...F1 } … `: 2^n selections when expanded. */
function fragmentBomb(n: number): string {
  const frags = [];
  for (let i = 0; i < n; i++) frags.push(`fragment F${i} on Certificate{...F${i + 1} ...F${i + 1}}`);
  frags.push(`fragment F${n} on Certificate{id}`);
  return `{certificates(first:1){nodes{...F0}}}` + frags.join("");
}

/** The same through inline fragments: `fragment F0 { ... on Certificate { ...F1 } ... on Certificate { ...F1 } }`. */
function inlineBomb(n: number): string {
  const frags = [];
  for (let i = 0; i < n; i++) frags.push(`fragment F${i} on Certificate{...on Certificate{...F${i + 1}} ...on Certificate{...F${i + 1}}}`);
  frags.push(`fragment F${n} on Certificate{id}`);
  return `{certificates(first:1){nodes{...F0}}}` + frags.join("");
}

const COSTLY = Array.from(
  { length: 6 },
  (_, i) => `c${i}: certificates(first: 100) { edges { node { id serialNumber state backend notAfter } } }`,
).join(" ");

function typenameAliases(bytes: number): string {
  let s = `{ ${COSTLY} `;
  for (let i = 0; s.length < bytes - 40; i++) s += `a${i}:__typename `;
  return s + "}";
}

/** Fields repeated k times at each level, `a{b b} a{b b}`: execution merges them, k, k², k³ per level. */
function nestedRepeat(k: number): string {
  const times = (unit: string) => Array.from({ length: k }, () => unit).join(" ");
  return `{certificates(first:1){nodes{${times(`raProfile{${times(`authority{${times("name")}}`)}}`)}}}}`;
}

function manyFragments(count: number): string {
  let spreads = "";
  let defs = "";
  for (let i = 0; i < count; i++) {
    spreads += `...G${i} `;
    defs += `fragment G${i} on Certificate{id} `;
  }
  return `{certificates(first:1){nodes{${spreads}}}} ${defs}`;
}

/** The attacks, each within `bodyLimit` bytes; `tokens` is the token limit (shapes just within it). */
export function hostileRequests(bodyLimit: number, tokens: number): HostileRequest[] {
  const big = bodyLimit - 200;
  const nodesQuery = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
  const deep = Math.floor((big - 100) / 2);
  return [
    { name: "fragment bomb under 1 KB (2^25 spreads)", body: body(fragmentBomb(25)) },
    { name: "fragment bomb through inline fragments under 2 KB", body: body(inlineBomb(25)) },
    { name: "__typename alias flood, 1 MB", body: body(typenameAliases(big)) },
    { name: "__typename alias flood within the token limit", body: body(typenameAliases(Math.floor(tokens * 3.2))) },
    { name: "__typename repeated, 1 MB", body: body(fill("{ ", "__typename ", "}", big)) },
    { name: "__typename repeated within the token limit", body: body(fill("{ ", "__typename ", "}", tokens)) },
    { name: "nested repeated fields (merged levels double)", body: body(nestedRepeat(4)) },
    { name: "many fragments within the token limit", body: body(manyFragments(Math.floor(tokens / 10))) },
    { name: "directive flood on one field, 1 MB", body: body(fill("{ __typename ", "@include(if:true)", "}", big)) },
    { name: "directive flood within the token limit", body: body(fill("{ __typename ", "@include(if:true)", "}", tokens * 2.5)) },
    { name: "token flood: deep nesting, 1 MB", body: body(fill("{", "a{", "", (big * 2) / 3) + "}".repeat(big / 3)) },
    { name: "comment flood, 1 MB", body: body(fill("{ __typename ", "#\n", "}", (big * 2) / 3)) },
    { name: "whitespace, 1 MB", body: body(fill("{ __typename ", " ", "}", big)) },
    {
      name: "escaped string literal, 1 MB",
      body: body(fill(`{ certificates(first: 1, filter: { subjectContains: "`, "\\u0041", `" }) { totalCount } }`, (big * 6) / 7)),
    },
    { name: "unknown fields within the token limit (many errors)", body: body(fill("{ ", "x ", "}", tokens * 2)) },
    { name: "wrongly typed ids list, 600 KB", body: body(nodesQuery, { ids: Array.from({ length: 120_000 }, () => true) }) },
    { name: "wrongly typed ids list, 1 MB", body: body(nodesQuery, { ids: Array.from({ length: Math.floor(big / 5) }, () => true) }) },
    {
      name: "wrongly typed enum list, 1 MB",
      body: body(`query($f: CertificateFilter) { certificates(first: 1, filter: $f) { totalCount } }`, {
        f: { states: Array.from({ length: Math.floor(big / 10) }, () => "ISSUEDX") },
      }),
    },
    { name: "valid ids list, 1 MB", body: body(nodesQuery, { ids: Array.from({ length: Math.floor(big / 6) }, (_, i) => String(i % 1000)) }) },
    {
      name: "deeply nested list variable, 1 MB",
      body: `{"query":${JSON.stringify(nodesQuery)},"variables":{"ids":${"[".repeat(deep)}${"]".repeat(deep)}}}`,
    },
  ];
}

/** CPU time (ms) the process has used, from /proc/<pid>/stat (utime + stime, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function hostileCost(
  gw: GatewayProcess,
  opts: { bodyLimitBytes: number; tokens: number; repetitions: number },
): Promise<HostileFigures> {
  const pid = gw.child.pid!;
  const healthUrl = gw.url.replace(/\/graphql$/, "/healthz");
  const figures: HostileFigure[] = [];
  for (const req of hostileRequests(opts.bodyLimitBytes, opts.tokens)) {
    const send = async () => {
      const t = performance.now();
      const res = await fetch(gw.url, { method: "POST", headers: { "content-type": "application/json" }, body: req.body });
      const json = (await res.json().catch(() => ({}))) as { errors?: { extensions?: { code?: string } }[] };
      return { ms: performance.now() - t, status: res.status, code: json.errors?.[0]?.extensions?.code ?? "none" };
    };
    const first = await send(); // warm-up (and the answer to report)
    let maxWallMs = first.ms;
    const before = cpuMs(pid);
    for (let i = 0; i < opts.repetitions; i++) maxWallMs = Math.max(maxWallMs, (await send()).ms);
    const cpu = (cpuMs(pid) - before) / opts.repetitions;
    const healthz = (await fetch(healthUrl)).status;
    figures.push({
      name: req.name,
      bodyBytes: Buffer.byteLength(req.body),
      status: first.status,
      code: first.code,
      cpuMsPerRequest: Math.round(cpu * 10) / 10,
      maxWallMs: Math.round(maxWallMs * 10) / 10,
      healthz,
    });
    console.log(`  ${req.name}: ${first.status} ${first.code}, ${Math.round(cpu * 10) / 10} ms CPU, slowest ${Math.round(maxWallMs)} ms`);
  }
  const worst = figures.reduce((a, b) => (b.cpuMsPerRequest > a.cpuMsPerRequest ? b : a));
  return { repetitions: opts.repetitions, bodyLimitBytes: opts.bodyLimitBytes, figures, worstCpuMs: worst.cpuMsPerRequest, worst: worst.name };
}
