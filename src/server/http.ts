import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLarge, readBody } from "./body.js";
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from "@apollo/server";
import { getOperationAST, parse } from "graphql";
import { graphiqlAsset, graphiqlHtml } from "./graphiql.js";
import { MAX_JSON_NESTING, jsonNestsDeeperThan } from "./limits.js";

/** A plain route beside GraphQL (health, metrics, SSE…): returns false when it does not handle the request. */
export type SideRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface HttpHandlerOptions<TContext extends object> {
  apollo: ApolloServer<TContext>;
  context: (req: IncomingMessage) => Promise<TContext>;
  graphiql: boolean;
  bodyLimitBytes: number;
  sideRoutes: SideRoute[];
  /** Called for failures outside GraphQL execution (never sent to the client). */
  onError: (error: unknown) => void;
  /** Admission control before GraphQL runs (rate limit): an answer refuses the request with that status and code. */
  admit?: (req: IncomingMessage) => Refusal | undefined;
  /** Told about every request refused before GraphQL ran (metrics). */
  onRefused?: (code: string) => void;
  /** Told about a request whose client went away before its body arrived (not an error of the gateway). */
  onAborted?: (req: IncomingMessage) => void;
}

export interface Refusal {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

/** GraphQL-over-HTTP error shape for failures before execution (bad JSON, too large). */
function sendRequestError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

// Cheap test first, so ordinary queries are never parsed twice: the keyword at the start of a definition.
const MAY_BE_SUBSCRIPTION = /(?:^|[\s},])subscription[\s({@]/;

/**
 * Whether the request runs a subscription: plain HTTP at /graphql cannot stream one (Apollo would
 * execute it as a query and fail with an untyped error), so it is refused with a pointer to the
 * streaming transports. Anything that does not parse is left to Apollo's own errors.
 */
function isSubscription(method: string | undefined, body: unknown, url: URL): boolean {
  const params: Record<string, unknown> | undefined =
    method === "POST"
      ? body && typeof body === "object" && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : undefined
      : { query: url.searchParams.get("query"), operationName: url.searchParams.get("operationName") };
  const query = params?.query;
  if (typeof query !== "string" || !MAY_BE_SUBSCRIPTION.test(query)) return false;
  const operationName = params!.operationName;
  try {
    const operation = getOperationAST(parse(query, { noLocation: true }), typeof operationName === "string" ? operationName : undefined);
    return operation?.operation === "subscription";
  } catch {
    return false;
  }
}

const SUBSCRIPTION_OVER_HTTP =
  "Subscriptions are not served over plain HTTP at /graphql: use graphql-ws (WebSocket at /graphql) or GraphQL over SSE (/graphql/stream)";

/** The client closed the connection while its request body was still arriving (node:http's "aborted"). */
const clientAborted = (req: IncomingMessage, error: unknown) =>
  !req.complete && (req.destroyed || (error as NodeJS.ErrnoException)?.code === "ECONNRESET");

const wantsHtml = (req: IncomingMessage) => req.method === "GET" && (req.headers.accept ?? "").includes("text/html");

/** The gateway's node:http request handler: GraphiQL, side routes, then Apollo at /graphql. */
export function createHttpHandler<TContext extends object>(opts: HttpHandlerOptions<TContext>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://gateway");
    try {
      if (opts.graphiql && req.method === "GET") {
        const asset = url.pathname.startsWith("/graphiql/") ? graphiqlAsset(url.pathname) : undefined;
        if (asset) {
          res.writeHead(200, { "content-type": asset.type, "cache-control": "public, max-age=3600" });
          res.end(asset.body);
          return;
        }
        if ((url.pathname === "/" || url.pathname === "/graphql") && wantsHtml(req) && !url.searchParams.has("query")) {
          res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
          res.end(graphiqlHtml());
          return;
        }
      }
      for (const route of opts.sideRoutes) if (await route(req, res, url)) return;
      if (url.pathname !== "/graphql") return sendRequestError(res, 404, "NOT_FOUND", "Not found. GraphQL is at /graphql.");
      const refusal = opts.admit?.(req);
      if (refusal) {
        opts.onRefused?.(refusal.code);
        req.resume();
        for (const [k, v] of Object.entries(refusal.headers ?? {})) res.setHeader(k, v);
        return sendRequestError(res, refusal.status, refusal.code, refusal.message);
      }
      await executeGraphQL(opts, req, res, url);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        opts.onRefused?.("PAYLOAD_TOO_LARGE");
        res.setHeader("connection", "close");
        return sendRequestError(res, 413, "PAYLOAD_TOO_LARGE", `Request body exceeds ${opts.bodyLimitBytes} bytes`);
      }
      if (clientAborted(req, error)) {
        opts.onAborted?.(req);
        return void res.destroy();
      }
      opts.onError(error);
      if (!res.headersSent) sendRequestError(res, 500, "INTERNAL_SERVER_ERROR", "Unexpected error.");
      else res.destroy();
    }
  };
}

async function executeGraphQL<TContext extends object>(
  opts: HttpHandlerOptions<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  let body: unknown;
  if (req.method === "POST") {
    const raw = await readBody(req, opts.bodyLimitBytes);
    const contentType = headers.get("content-type") ?? "";
    if (contentType.includes("application/json") || contentType.includes("application/graphql-response+json")) {
      if (jsonNestsDeeperThan(raw)) {
        opts.onRefused?.("BAD_REQUEST");
        return sendRequestError(res, 400, "BAD_REQUEST", `Request body nests deeper than ${MAX_JSON_NESTING} levels`);
      }
      try {
        body = raw.length ? JSON.parse(raw) : undefined;
      } catch {
        opts.onRefused?.("BAD_REQUEST");
        return sendRequestError(res, 400, "BAD_REQUEST", "Request body is not valid JSON");
      }
    } else {
      body = raw;
    }
  }
  if (isSubscription(req.method, body, url)) {
    opts.onRefused?.("BAD_REQUEST");
    return sendRequestError(res, 400, "BAD_REQUEST", SUBSCRIPTION_OVER_HTTP);
  }
  const httpGraphQLRequest: HTTPGraphQLRequest = {
    method: (req.method ?? "GET").toUpperCase(),
    headers,
    search: url.search,
    body,
  };
  const response = await opts.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest,
    context: () => opts.context(req),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === "complete") {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
