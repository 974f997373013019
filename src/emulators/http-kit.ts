import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One line of an emulator's request log: what tests count to prove batching. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  at: number;
}

/** Faults applied to the next requests (control routes are never affected). */
export interface FaultPlan {
  /** Added latency for every request, in ms. */
  latencyMs: number;
  /** Answer the next N requests with this status (5xx, or 409/429…), in the product's error format. */
  failNext: number;
  failStatus: number;
  /** A `Retry-After` header sent with those answers (e.g. "7" with failStatus 429, as a rate-limiting backend does). */
  failRetryAfter?: string;
  /** Destroy the socket of the next N requests without answering. */
  resetNext: number;
  /** Answer the next N requests with 200 and a body that is not JSON. */
  garbageNext: number;
  /** Answer the next N requests with 200 and JSON of the wrong shape (a backend at another version). */
  wrongShapeNext: number;
  /** Refuse everything with 503 until cleared (backend "down" while the port stays open). */
  down: boolean;
  /**
   * Hold every request unanswered until cleared (a held request stays held until its client gives up or
   * the server closes): a backend slower than any timeout, whatever the machine's load.
   */
  hang: boolean;
}

export const noFaults = (): FaultPlan => ({
  latencyMs: 0,
  failNext: 0,
  failStatus: 503,
  failRetryAfter: undefined,
  resetNext: 0,
  garbageNext: 0,
  wrongShapeNext: 0,
  down: false,
  hang: false,
});

export interface RouteContext {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  rawBody: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RouteContext) => Reply | Promise<Reply>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

/** A tiny route table: `route("GET", "/api/v1/things/:id", handler)`. */
export class Router {
  private readonly routes: Route[] = [];

  route(method: string, path: string, handler: Handler): this {
    const names: string[] = [];
    const source = path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), names, handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | "method" | undefined {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? "")));
      return { handler: r.handler, params };
    }
    return pathMatched ? "method" : undefined;
  }
}

export interface EmulatorServerOptions {
  port?: number;
  host?: string;
  router: Router;
  /** Answer for an unknown route or a thrown handler, in the product's own error format. */
  errorReply: (status: number, message: string) => Reply;
  /** Optional authentication check run before routing (returns a reply to refuse). */
  authenticate?: (req: IncomingMessage) => Reply | undefined;
  /** Extra control routes under /__emulator (state reset, clock…). */
  onReset?: () => void;
}

/** Replies held back by {@link RunningServer.holdReplies}: the backend has acted, its answer waits for `release()`. */
export interface HeldReplies {
  /** Resolves with the first matching request once it has been handled (its reply is then waiting). */
  readonly received: Promise<RecordedRequest>;
  /** Matching requests handled so far. */
  readonly count: number;
  /** Sends the held replies (and stops holding). */
  release(): void;
}

export interface RunningServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  faults: FaultPlan;
  /**
   * In process only (tests): a request for which this returns a promise is logged, then waits for it
   * before it is answered, so a test can hold one caller's call while others go through.
   */
  hold?: (req: IncomingMessage) => Promise<void> | undefined;
  /**
   * In process only (tests): requests matching a method and a path prefix or pattern are handled as usual
   * (state changes, the request is logged) but their replies wait until `release()`: a call in flight at a
   * backend that has already acted.
   */
  holdReplies(method: string, path: string | RegExp): HeldReplies;
  /** Number of logged requests matching a method and a path prefix or pattern. */
  count(method: string, path: string | RegExp): number;
  clearLog(): void;
  close(): Promise<void>;
  server: Server;
}

const CONTROL_PREFIX = "/__emulator";

async function readBody(req: IncomingMessage, limit = 5 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload = "";
  if (reply.body !== undefined) {
    payload = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    headers["content-type"] = reply.contentType ?? "application/json";
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Starts an emulator: a real node:http server with a request log, fault injection and
 * control routes (`/__emulator/requests`, `/__emulator/faults`, `/__emulator/reset`) so that
 * tests in other processes (benchmarks) can count calls and inject faults too.
 */
export async function startEmulatorServer(opts: EmulatorServerOptions): Promise<RunningServer> {
  const requests: RecordedRequest[] = [];
  const faults = noFaults();
  let running: RunningServer | undefined;
  const matches = (r: RecordedRequest, method: string, path: string | RegExp) =>
    r.method === method && (typeof path === "string" ? r.path.startsWith(path) : path.test(r.path));
  const replyHolds = new Set<{ method: string; path: string | RegExp; seen: (r: RecordedRequest) => void; released: Promise<void> }>();
  /** Waits while a reply hold matches this request (after its handler ran). */
  const replyHeld = async (r: RecordedRequest): Promise<void> => {
    for (const h of replyHolds) {
      if (!matches(r, h.method, h.path)) continue;
      h.seen(r);
      await h.released;
      return;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = req.method ?? "GET";
    if (url.pathname.startsWith(CONTROL_PREFIX)) return control(req, res, url);

    const recorded: RecordedRequest = { method, path: url.pathname, query: url.search, at: Date.now() };
    requests.push(recorded);
    if (faults.hang) {
      if (!req.socket.destroyed) await new Promise(resolve => req.socket.once("close", resolve));
      return;
    }
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    const held = running?.hold?.(req);
    if (held) await held;
    if (faults.resetNext > 0) {
      faults.resetNext--;
      req.socket.destroy();
      return;
    }
    if (faults.down) return send(res, opts.errorReply(503, "Service unavailable"));
    if (faults.failNext > 0) {
      faults.failNext--;
      const reply = opts.errorReply(faults.failStatus, "Injected failure");
      if (faults.failRetryAfter !== undefined) reply.headers = { ...reply.headers, "retry-after": faults.failRetryAfter };
      return send(res, reply);
    }
    if (faults.garbageNext > 0) {
      faults.garbageNext--;
      return send(res, { status: 200, body: "<html>not json", contentType: "application/json" });
    }
    if (faults.wrongShapeNext > 0) {
      faults.wrongShapeNext--;
      return send(res, { status: 200, body: { unexpected: true } });
    }

    const refused = opts.authenticate?.(req);
    if (refused) return send(res, refused);

    const match = opts.router.match(method, url.pathname);
    if (match === undefined) return send(res, opts.errorReply(404, `No endpoint ${method} ${url.pathname}`));
    if (match === "method") return send(res, opts.errorReply(405, `Method ${method} not allowed`));

    let rawBody = "";
    let body: unknown = undefined;
    try {
      rawBody = await readBody(req);
      if (rawBody.length > 0) body = JSON.parse(rawBody);
    } catch {
      return send(res, opts.errorReply(400, "Malformed JSON request body"));
    }
    let reply: Reply;
    try {
      reply = await match.handler({ req, params: match.params, query: url.searchParams, body, rawBody });
    } catch (error) {
      const status = (error as { status?: number }).status;
      reply = opts.errorReply(typeof status === "number" ? status : 500, (error as Error).message);
    }
    if (replyHolds.size) await replyHeld(recorded);
    send(res, reply);
  };

  const control = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const sub = url.pathname.slice(CONTROL_PREFIX.length);
    if (sub === "/requests" && req.method === "GET") return send(res, { status: 200, body: requests });
    if (sub === "/requests" && req.method === "DELETE") {
      requests.length = 0;
      return send(res, { status: 204 });
    }
    if (sub === "/faults" && req.method === "GET") return send(res, { status: 200, body: faults });
    if (sub === "/faults" && req.method === "PUT") {
      const patch = JSON.parse((await readBody(req)) || "{}") as Partial<FaultPlan>;
      Object.assign(faults, noFaults(), patch);
      return send(res, { status: 200, body: faults });
    }
    if (sub === "/reset" && req.method === "POST") {
      requests.length = 0;
      Object.assign(faults, noFaults());
      opts.onReset?.();
      return send(res, { status: 204 });
    }
    return send(res, { status: 404, body: { message: "unknown control route" } });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, opts.errorReply(500, "Internal error"));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return (running = {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    port,
    requests,
    faults,
    server,
    count(method, path) {
      return requests.filter(r => matches(r, method, path)).length;
    },
    holdReplies(method, path) {
      let count = 0;
      let seen!: (r: RecordedRequest) => void;
      let release!: () => void;
      const received = new Promise<RecordedRequest>(resolve => (seen = resolve));
      const released = new Promise<void>(resolve => (release = resolve));
      const entry = { method, path, released, seen: (r: RecordedRequest) => (count++, seen(r)) };
      replyHolds.add(entry);
      return {
        received,
        get count() {
          return count;
        },
        release() {
          replyHolds.delete(entry);
          release();
        },
      };
    },
    clearLog() {
      requests.length = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise(resolve => server.close(() => resolve()));
    },
  });
}
