import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLarge, readBody } from "./body.js";
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { createHandler, type OperationContext, type RequestParams, type Response as SseResponse } from "graphql-sse";
import { createContext, type GatewayServices } from "./context.js";
import { maskError } from "./format-error.js";
import type { SideRoute } from "./http.js";
import { MAX_JSON_NESTING, jsonNestsDeeperThan } from "./limits.js";

export const SSE_PATH = "/graphql/stream";

export interface SseRouteOptions {
  schema: GraphQLSchema;
  services: GatewayServices;
  bodyLimitBytes: number;
  /** Admission rules shared with graphql-ws (rate limit, introspection, depth and complexity). */
  guard?: (ctx: { extra: { request: IncomingMessage } }, id: string, payload: RequestParams) => readonly GraphQLError[] | void;
  onUnexpected: (error: unknown) => void;
  /** Told the (masked) errors of each result, with the request they answer (auth-failure backoff). */
  onErrors?: (req: IncomingMessage, errors: readonly GraphQLFormattedError[]) => void;
}

export interface SseRoute {
  route: SideRoute;
  /**
   * Ends every open event stream (gateway shutdown): each response ends after its last whole event, without a
   * `complete` for operations that did not complete, so graphql-sse clients reconnect (as graphql-ws ones do on 1001).
   */
  close(): void;
}

/** What each refusal of graphql-sse means, when it says nothing itself (null body). */
const REFUSALS: Record<number, { code: string; message: string }> = {
  404: {
    code: "NOT_FOUND",
    message: "No such event stream: send a GraphQL request with 'Accept: text/event-stream', or reserve a stream with PUT first",
  },
  405: { code: "BAD_REQUEST", message: "Method not allowed: use POST (or GET for queries and subscriptions)" },
  406: { code: "BAD_REQUEST", message: "Not acceptable: ask for 'Accept: text/event-stream'" },
  415: { code: "BAD_REQUEST", message: "Unsupported media type: POST a JSON body with 'Content-Type: application/json'" },
};

/**
 * graphql-sse answers protocol refusals (405, 406, 415, 400 bad body, 409…) with no body or with
 * errors that carry no `extensions.code`; every refusal here gets the `{ errors: [{ message,
 * extensions: { code } }] }` body of the rest of the gateway.
 */
function typedRefusal([body, init]: SseResponse): SseResponse {
  if (init.status < 400 || (body !== null && typeof body !== "string")) return [body, init];
  const fallback = REFUSALS[init.status] ?? { code: init.status === 404 ? "NOT_FOUND" : "BAD_REQUEST", message: init.statusText };
  let errors: { message: string; extensions?: Record<string, unknown> }[] = [];
  try {
    const parsed = body ? (JSON.parse(body) as { errors?: unknown }) : undefined;
    if (Array.isArray(parsed?.errors)) {
      errors = parsed.errors.map(e => ({ message: typeof e?.message === "string" ? e.message : fallback.message }));
    }
  } catch {
    // not JSON: described by the status alone
  }
  if (!errors.length) errors = [{ message: fallback.message }];
  const headers = { ...init.headers, "content-type": "application/json; charset=utf-8" };
  return [JSON.stringify({ errors: errors.map(e => ({ message: e.message, extensions: { code: fallback.code } })) }), { ...init, headers }];
}

/**
 * GraphQL over Server-Sent Events (the GraphQL-over-SSE protocol, graphql-sse "distinct connections" and
 * "single connection" modes) at /graphql/stream, with the schema and context of /graphql. Subscriptions
 * stream their events; queries and mutations answer one `next` event then `complete`.
 */
export function createSseRoute(opts: SseRouteOptions): SseRoute {
  /** Open event streams and how to end each one. */
  const open = new Map<ServerResponse, () => void>();
  const handler = createHandler<IncomingMessage, { res: ServerResponse }, OperationContext>({
    schema: opts.schema,
    context: req => createContext(opts.services, req.raw) as unknown as OperationContext,
    onSubscribe: (req, params) => {
      const refused = opts.guard?.({ extra: { request: req.raw } }, "", params);
      // answered as one `next` event (then `complete`); onNext masks its errors like any other result
      if (refused?.length) return { data: null, errors: refused } as ExecutionResult;
      return undefined;
    },
    onNext: (_ctx, req, result) => {
      if (!result.errors?.length) return;
      const errors = result.errors.map(e => (e instanceof GraphQLError ? maskError(e.toJSON(), e, opts.onUnexpected) : e));
      opts.onErrors?.(req.raw, errors as GraphQLFormattedError[]);
      return { ...result, errors } as unknown as ExecutionResult;
    },
  });

  const route: SideRoute = async (req, res, url) => {
    if (url.pathname !== SSE_PATH) return false;
    let bodyText: string | undefined;
    if (req.method === "POST") {
      try {
        bodyText = await readBody(req, opts.bodyLimitBytes);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        res.setHeader("connection", "close");
        res.writeHead(413, { "content-type": "application/json; charset=utf-8" });
        res.end(
          JSON.stringify({ errors: [{ message: `Request body exceeds ${opts.bodyLimitBytes} bytes`, extensions: { code: "PAYLOAD_TOO_LARGE" } }] }),
        );
        return true;
      }
      if (jsonNestsDeeperThan(bodyText)) {
        res.writeHead(400, { "content-type": "application/json; charset=utf-8" });
        res.end(
          JSON.stringify({ errors: [{ message: `Request body nests deeper than ${MAX_JSON_NESTING} levels`, extensions: { code: "BAD_REQUEST" } }] }),
        );
        return true;
      }
    }
    const [body, init] = typedRefusal(
      await handler({
        method: req.method ?? "GET",
        url: req.url ?? SSE_PATH,
        headers: {
          get(key: string) {
            const header = req.headers[key];
            return Array.isArray(header) ? header.join("\n") : header;
          },
        },
        body: bodyText ?? null,
        raw: req,
        context: { res },
      }),
    );
    res.writeHead(init.status, init.statusText, init.headers as Record<string, string>);
    if (!body || typeof body === "string") {
      await new Promise<void>(resolve => res.end(body ?? undefined, () => resolve()));
      return true;
    }
    // Ending a stream goes through the iterator (client gone, or close() at shutdown): the loop below then
    // ends the response itself, after the last whole event, and nothing writes after that end.
    const stop = () => void body.return(undefined);
    open.set(res, stop);
    res.once("close", stop);
    try {
      for await (const chunk of body) {
        if (res.writableEnded || res.destroyed) break;
        const written = await new Promise<boolean>(resolve => res.write(chunk, err => resolve(!err)));
        if (!written) break; // the client went away
      }
    } finally {
      res.off("close", stop);
      open.delete(res);
      if (!res.writableEnded && !res.destroyed) res.end();
    }
    return true;
  };

  return {
    route,
    close() {
      for (const stop of [...open.values()]) stop();
    },
  };
}
