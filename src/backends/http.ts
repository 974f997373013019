import { Agent, type Dispatcher, request } from "undici";
import { UpstreamError, kindForStatus, kindForTransportError, type UpstreamErrorOptions, type UpstreamName } from "./upstream-error.js";
import { CircuitBreaker } from "./circuit-breaker.js";

/** Reads a backend's error body into the parts a caller may see (each backend has its own format). */
export type ErrorBodyParser = (
  status: number,
  body: unknown,
) => Pick<UpstreamErrorOptions, "backendCode" | "messages"> & { kind?: UpstreamError["kind"] };

export interface UpstreamTarget {
  name: UpstreamName;
  baseUrl: URL;
  dispatcher: Dispatcher;
  timeoutMs: number;
  /** Retries for idempotent reads only (GET, and POST searches marked idempotent). */
  readRetries: number;
  parseErrorBody: ErrorBodyParser;
  /** This backend's circuit breaker; when absent one is made on first use with the default options. */
  breaker?: CircuitBreaker;
}

/** What an observer (metrics) learns about each upstream attempt. Never headers or bodies. */
export interface UpstreamObservation {
  backend: UpstreamName;
  operation: string;
  durationMs: number;
  /** "ok", or the UpstreamError kind. */
  outcome: string;
  status?: number;
}
export type UpstreamObserver = (observation: UpstreamObservation) => void;

const observers = new Set<UpstreamObserver>();
/** Registers an observer of every upstream attempt; returns the function that removes it. */
export function addUpstreamObserver(observer: UpstreamObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/**
 * The breaker guarding one backend target (one per client, so two gateways in a process do not share one).
 * The gateway gives each client one with its settings (createUpstreams); a client made without one
 * (tests, scripts) gets the default options.
 */
function breakerFor(target: UpstreamTarget): CircuitBreaker {
  return (target.breaker ??= new CircuitBreaker());
}

/** Raised while a breaker is open: the backend is not called at all. */
export class CircuitOpenError extends UpstreamError {
  constructor(upstream: UpstreamName, operation: string) {
    super(upstream, "unavailable", operation, "backend unavailable (circuit open)");
  }
}

export interface CallOptions {
  method?: Dispatcher.HttpMethod;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | readonly string[]>;
  /** Per-caller headers (forwarded credentials). */
  headers?: Record<string, string>;
  /** A read that may safely be repeated (lookups and searches). Mutations are never retried. */
  idempotent?: boolean;
  timeoutMs?: number;
  /** The JSON the caller relies on; anything else is `bad_response` instead of a crash further in. */
  expect?: ResponseShape;
}

/**
 * The top-level shape of a 2xx JSON answer: an object (with these fields) or an array of objects.
 * A backend at another version or behind a misbehaving proxy must yield a typed error, not a TypeError.
 */
export type ResponseShape = { object: readonly string[] } | { arrayOf: "object" } | { objectWithArray: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function matchesShape(value: unknown, shape: ResponseShape): boolean {
  if ("arrayOf" in shape) return Array.isArray(value) && value.every(isObject);
  if (!isObject(value)) return false;
  if ("objectWithArray" in shape) {
    const list = value[shape.objectWithArray];
    return Array.isArray(list) && list.every(isObject);
  }
  return shape.object.every(field => value[field] !== undefined && value[field] !== null);
}

/** One pooled keep-alive agent per backend; optional mTLS material for backends that authenticate by client certificate. */
export function createDispatcher(opts: { connections?: number; timeoutMs: number; tls?: { ca?: string; cert?: string; key?: string } }): Dispatcher {
  return new Agent({
    connections: opts.connections ?? 64,
    keepAliveTimeout: 10_000,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    connect: { timeout: opts.timeoutMs, ...opts.tls },
  });
}

function buildUrl(base: URL, path: string, query: CallOptions["query"]): URL {
  const url = new URL(base.pathname.replace(/\/$/, "") + path, base);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, String(item));
    else url.searchParams.set(k, String(v));
  }
  return url;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Sends one request and returns parsed JSON (undefined for an empty body).
 * Throws UpstreamError for any non-2xx or transport failure; never exposes the raw body.
 */
export async function callJson<T>(target: UpstreamTarget, operation: string, path: string, opts: CallOptions = {}): Promise<T> {
  const attempts = opts.idempotent ? 1 + target.readRetries : 1;
  let lastError: UpstreamError | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(Math.min(1000, 50 * 2 ** attempt) * (0.5 + Math.random()));
    try {
      return await callOnce<T>(target, operation, path, opts);
    } catch (error) {
      if (!(error instanceof UpstreamError) || !error.retryable || error.kind === "rate_limited" || error instanceof CircuitOpenError) {
        throw error;
      }
      lastError = error;
    }
  }
  throw lastError!;
}

async function callOnce<T>(target: UpstreamTarget, operation: string, path: string, opts: CallOptions): Promise<T> {
  const breaker = breakerFor(target);
  if (!breaker.tryAcquire()) throw new CircuitOpenError(target.name, operation);
  const started = performance.now();
  let outcome = "ok";
  let status: number | undefined;
  try {
    return await sendOnce<T>(target, operation, path, opts);
  } catch (error) {
    outcome = error instanceof UpstreamError ? error.kind : "unknown";
    status = error instanceof UpstreamError ? error.status : undefined;
    throw error;
  } finally {
    if (outcome === "timeout" || outcome === "unavailable") breaker.onFailure();
    else if (outcome === "unknown") breaker.onNeutral();
    else breaker.onSuccess();
    if (observers.size) {
      const observation = { backend: target.name, operation, durationMs: performance.now() - started, outcome, status };
      for (const observer of observers) {
        try {
          observer(observation);
        } catch {
          // an observer never breaks a call
        }
      }
    }
  }
}

async function sendOnce<T>(target: UpstreamTarget, operation: string, path: string, opts: CallOptions): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? target.timeoutMs;
  let res: Dispatcher.ResponseData;
  try {
    res = await request(buildUrl(target.baseUrl, path, opts.query), {
      dispatcher: target.dispatcher,
      method: opts.method ?? "GET",
      headers: {
        accept: "application/json, application/problem+json",
        ...(opts.body !== undefined ? { "content-type": "application/json" } : {}),
        ...opts.headers,
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    const kind = kindForTransportError(cause);
    throw new UpstreamError(target.name, kind, operation, kind === "timeout" ? "backend timed out" : "backend unreachable", { cause });
  }
  let text: string;
  try {
    text = await res.body.text();
  } catch (cause) {
    const kind = kindForTransportError(cause);
    throw new UpstreamError(target.name, kind, operation, "backend connection failed while reading the answer", { cause });
  }
  if (res.statusCode >= 400) throw errorFromResponse(target, operation, res.statusCode, text, res.headers);
  if (text.length === 0 && !opts.expect) return undefined as T;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new UpstreamError(target.name, "bad_response", operation, "backend answered with a body that is not JSON", {
      cause,
      status: res.statusCode,
    });
  }
  if (opts.expect && !matchesShape(parsed, opts.expect)) {
    throw new UpstreamError(target.name, "bad_response", operation, "backend answered with JSON of an unexpected shape", { status: res.statusCode });
  }
  return parsed as T;
}

function errorFromResponse(
  target: UpstreamTarget,
  operation: string,
  status: number,
  text: string,
  headers: Dispatcher.ResponseData["headers"],
): UpstreamError {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const parsed = target.parseErrorBody(status, body);
  const retryAfter = Number(headers["retry-after"]);
  const kind = parsed.kind ?? kindForStatus(status);
  const message = parsed.messages?.[0] ?? `backend answered ${status}`;
  return new UpstreamError(target.name, kind, operation, message, {
    status,
    backendCode: parsed.backendCode,
    messages: parsed.messages,
    retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
  });
}

/** Readiness: the backend answers at all (a 401/403 to a caller without service identity still proves it is up). */
export async function answers(probe: () => Promise<unknown>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (error) {
    return error instanceof UpstreamError && (error.kind === "unauthorized" || error.kind === "forbidden");
  }
}
