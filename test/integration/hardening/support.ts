import { Writable } from "node:stream";
import { request } from "undici";
import type { Client } from "graphql-ws";
import { expect } from "vitest";
import { ErrorCode } from "../../../src/errors/error-codes.js";
import type { TestStack } from "../../support/stack.js";

/** Every `extensions.code` a client may see: the gateway's own, and those graphql-js/Apollo raise for the request itself. */
export const KNOWN_CODES = new Set<string>([
  ...Object.values(ErrorCode),
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, any>;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json?: { data?: any; errors?: GqlError[] };
}

/** Sends anything to the gateway over real HTTP and reads whatever comes back (no JSON assumption). */
export async function send(
  url: string,
  init: { method?: string; body?: string | Buffer; headers?: Record<string, string>; search?: string } = {},
): Promise<RawAnswer> {
  const res = await request(url + (init.search ?? ""), {
    method: (init.method ?? "POST") as "POST",
    body: init.body,
    headers: init.headers,
    // A connection per request: no reuse of a keep-alive socket the server is closing at that very moment
    // (after an event-loop stall both keep-alive timers run out at once: ECONNRESET on a loaded machine).
    reset: true,
  });
  const text = await res.body.text();
  let json: RawAnswer["json"];
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** POST one GraphQL operation as JSON. */
export function post(stack: TestStack, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return send(stack.gateway.url, {
    body: JSON.stringify({ query, variables }),
    headers: { "content-type": "application/json", ...headers },
  });
}

/** The codes of an answer's errors, in order. */
export const codesOf = (a: { json?: { errors?: GqlError[] } } | { errors?: GqlError[] }) =>
  (("json" in a ? a.json?.errors : (a as { errors?: GqlError[] }).errors) ?? []).map(e => e.extensions?.code);

/**
 * The contract every answer keeps, whatever was sent or whatever failed behind the gateway:
 * never a 5xx, always JSON, and every error typed with a known `extensions.code`
 * (and never INTERNAL_SERVER_ERROR, which would mean an unexpected failure inside the gateway).
 */
export function expectTypedAnswer(a: RawAnswer, label = ""): void {
  expect(a.status, `${label}: HTTP status`).toBeLessThan(500);
  expect(a.json, `${label}: JSON body (${a.text.slice(0, 200)})`).toBeDefined();
  const errors = a.json!.errors ?? [];
  if (!errors.length) {
    expect(a.json!.data, `${label}: data or errors`).toBeDefined();
    return;
  }
  for (const e of errors) {
    const code = e.extensions?.code;
    expect(typeof code, `${label}: extensions.code of "${e.message}"`).toBe("string");
    expect(KNOWN_CODES.has(code), `${label}: known code (${code})`).toBe(true);
    expect(code, `${label}: unexpected error "${e.message}"`).not.toBe(ErrorCode.Internal);
    expect(e.extensions?.stacktrace, `${label}: no stack trace`).toBeUndefined();
  }
}

/** Collects what pino writes (one JSON object per line). */
export class LogCapture extends Writable {
  private readonly chunks: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    callback();
  }

  text(): string {
    return this.chunks.join("");
  }

  lines(): Record<string, any>[] {
    return this.text()
      .split("\n")
      .filter(Boolean)
      .map(l => JSON.parse(l) as Record<string, any>);
  }

  clear(): void {
    this.chunks.length = 0;
  }
}

/** The gateway's base URL (without /graphql), for side routes. */
export const baseOf = (stack: TestStack) => stack.gateway.url.replace(/\/graphql$/, "");

/** Reads one sample from the Prometheus text format (sum over series matching every label given). */
export async function metric(stack: TestStack, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await send(`${baseOf(stack)}/metrics`, { method: "GET" });
  let sum = 0;
  for (const line of res.text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const set = m[2] ?? "";
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

/** A small deterministic PRNG (mulberry32), so a failing fuzz case can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `fn` over items with at most `limit` in flight. */
export async function inBatches<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** Runs one operation over graphql-ws: its result, or the errors the server refused it with. */
export function overWs(client: Client, query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: GqlError[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: any; errors?: GqlError[] } = {};
    client.subscribe(
      { query, variables },
      {
        next: value => void (result = value as typeof result),
        error: error => (Array.isArray(error) ? resolve({ errors: error as GqlError[] }) : reject(error)),
        complete: () => resolve(result),
      },
    );
  });
}
