import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { WebSocketServer } from "ws";
import { useServer } from "graphql-ws/use/ws";
import type { Config } from "../config.js";
import { ErrorCode } from "../errors/error-codes.js";
import { createGatewayWatchHub } from "../events/index.js";
import { buildGatewaySchema } from "../schema/build.js";
import { CertificateKeyIndex } from "../backends/czertainly/key-index.js";
import { IdempotencyStore } from "../services/idempotency.js";
import { createBackendRegistry, type Upstreams } from "../backends/registry.js";
import { createContext, type GatewayContext, type GatewayServices } from "./context.js";
import { maskError } from "./format-error.js";
import { createHttpHandler, sendJson, type SideRoute } from "./http.js";
import { createLogger, type Logger } from "./logger.js";
import { addUpstreamObserver } from "../backends/http.js";
import { callerCredentials } from "./credentials.js";
import { documentShapeRule, parseOptionsOf, queryLimitsOf, queryLimitsPlugin } from "./limits.js";
import { createMetrics } from "./metrics.js";
import { CallerAdmission } from "./admission.js";
import { createReadiness } from "./readiness.js";
import { requestLogPlugin } from "./request-log.js";
import { createSseRoute } from "./sse.js";
import { WsConnections } from "./ws-connections.js";
import { sameOriginUpgrade, withoutSuggestions, wsSubscribeGuard } from "./ws-guard.js";

export interface GatewayOptions {
  upstreams: Upstreams;
  embedded?: { czertainly: boolean; horizon: boolean };
  logger?: Logger;
  /**
   * The clock (epoch ms) of the rate limits, the /readyz cache and the watch hub (when a watched state was
   * learned, when a poll is due). Default `Date.now`; tests move a manual clock by hand instead of waiting.
   */
  now?: () => number;
}

export interface RunningGateway {
  url: string;
  wsUrl: string;
  port: number;
  services: GatewayServices;
  httpServer: Server;
  /** Open graphql-ws connections per caller (MAX_WS_CONNECTIONS_PER_CALLER). */
  wsConnections: WsConnections;
  /** With OPS_PORT: the server of /metrics, /readyz and /healthz, and its base URL. */
  opsServer?: Server;
  opsUrl?: string;
  /**
   * Graceful stop (README "Shutdown"), once however often it is called: new requests get 503, graphql-ws
   * clients 1001, SSE streams end; requests in flight finish within `graceMs` (default SHUTDOWN_GRACE_MS),
   * then whatever is left is cut and the backend clients closed. Resolves in bounded time, whatever a backend does.
   */
  stop(opts?: { graceMs?: number }): Promise<StopReport>;
}

export interface StopReport {
  /** Requests (and graphql-ws sockets) still open when the grace ran out, and cut. */
  cut: number;
}

/** Adds the errors of fields that still returned data (one backend of two failed) to the response. */
const partialErrorsPlugin = (log: (e: unknown) => void): ApolloServerPlugin<GatewayContext> => ({
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== "single" || contextValue.partialErrors.length === 0) return;
        const extra = contextValue.partialErrors.map(e => maskError(e.toJSON(), e, log));
        response.body.singleResult.errors = [...(response.body.singleResult.errors ?? []), ...extra];
      },
    };
  },
});

/** The ops port's handler: its routes, else 404. */
function opsHandler(routes: SideRoute[], onError: (error: unknown) => void): RequestListener {
  return async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://ops");
      for (const route of routes) if (await route(req, res, url)) return;
      sendJson(res, 404, {
        errors: [{ message: "Not found. The ops port serves /metrics, /readyz and /healthz.", extensions: { code: "NOT_FOUND" } }],
      });
    } catch (error) {
      onError(error);
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: "Unexpected error.", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
      else res.destroy();
    }
  };
}

/** Starts the gateway: Apollo over node:http at /graphql, graphql-ws on the same path, health routes, GraphiQL. */
export async function startGateway(config: Config, opts: GatewayOptions): Promise<RunningGateway> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const keyIndex = new CertificateKeyIndex(config.czertainly.keyIndexTtlMs);
  const services: GatewayServices = {
    config,
    upstreams: opts.upstreams,
    logger,
    embedded: opts.embedded ?? { czertainly: false, horizon: false },
    idempotency: new IdempotencyStore(),
    keyIndex,
    backends: createBackendRegistry(opts.upstreams, { keyIndex }),
  };
  const metrics = createMetrics({
    activeWatchers: () => services.watch?.activeWatchers(),
    activeSubscribers: () => services.watch?.activeSubscribers(),
  });
  services.onLoaderBatch = metrics.onLoaderBatch;
  // One watcher per pending object for subscriptions and waiting queries; mutations publish through it.
  const watch = createGatewayWatchHub({
    config,
    backends: services.backends,
    logger,
    serviceCredentials: callerCredentials(config, undefined),
    onPoll: metrics.onWatchPoll,
    now: opts.now,
  });
  services.watch = watch;
  services.publish = watch;
  const removeUpstreamObserver = addUpstreamObserver(metrics.observeUpstream);
  // Rate limits per caller and per address, and the auth-failure backoff: one decision for HTTP, graphql-ws and SSE.
  const admission = new CallerAdmission(config, opts.now);
  const admit = (req: IncomingMessage, connectionParams?: Readonly<Record<string, unknown>> | null) =>
    admission.check(callerCredentials(config, req, connectionParams));
  const logUnexpected = (error: unknown) =>
    logger.error({ err: { name: (error as Error)?.name, message: (error as Error)?.message } }, "unexpected error");

  const schema = await buildGatewaySchema();
  const limits = queryLimitsOf(config);
  const httpServer = createServer({
    requestTimeout: config.httpRequestTimeoutMs,
    headersTimeout: config.httpHeadersTimeoutMs,
    keepAliveTimeout: config.httpKeepAliveTimeoutMs,
    // how often node:http checks the two timeouts above (its default, 30 s, would let them overrun by that much)
    connectionsCheckingInterval: Math.min(1000, config.httpHeadersTimeoutMs),
  });
  // maxPayload: a graphql-ws message is held whole in memory, so it gets the HTTP body limit (ws's
  // default is 100 MiB); ws refuses a longer message from its frame header (close 1009) without reading it.
  const sameOrigin = sameOriginUpgrade(config.allowedOrigins);
  const wsConnections = new WsConnections(config.maxWsConnectionsPerCaller);
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: "/graphql",
    maxPayload: config.bodyLimitBytes,
    verifyClient: (info, done) => (sameOrigin(info) ? connectionLimit.verify(info.req, done) : done(false, 401)),
  });
  const connectionLimit = wsConnections.attach(
    wsServer,
    req => callerCredentials(config, req).principal,
    code => metrics.errors.inc({ code }),
  );
  const streamGuard = wsSubscribeGuard(schema, {
    limits,
    introspection: config.introspection,
    hideSchemaDetails: !config.introspection,
    admit,
    onRefused: code => metrics.errors.inc({ code }),
  });
  // GraphQL over SSE at /graphql/stream: same schema, context and admission rules as graphql-ws.
  const sse = createSseRoute({
    schema,
    services,
    bodyLimitBytes: config.bodyLimitBytes,
    guard: streamGuard,
    onUnexpected: logUnexpected,
    onErrors: (req, errors) => admission.observe(callerCredentials(config, req), errors),
  });
  const wsCleanup = useServer(
    {
      schema,
      context: ctx => createContext(services, ctx.extra.request, ctx.connectionParams),
      onSubscribe: streamGuard,
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return;
        const errors = result.errors.map(e => maskError(e.toJSON(), e, logUnexpected));
        admission.observe((args.contextValue as GatewayContext | undefined)?.creds, errors);
        return { ...result, errors };
      },
    },
    wsServer,
  );
  // ws has already closed a socket with the right code (1009 over maxPayload, 1002 for a bad frame)
  // when it reports the refused frame as an 'error'; graphql-ws would print that with console.error.
  wsServer.on("connection", socket => {
    socket.removeAllListeners("error");
    socket.on("error", (err: Error & { code?: string }) =>
      logger.warn({ err: { name: err.name, message: err.message, code: err.code } }, "websocket closed on a refused frame"),
    );
  });

  const apollo = new ApolloServer<GatewayContext>({
    schema,
    introspection: config.introspection,
    // No "Did you mean …?" in validation errors where the schema is not public: with introspection off
    // (the production default) they would hand out field names one typo at a time.
    hideSchemaDetailsFromClientErrors: !config.introspection,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // Bounded work before execution: the token limit while parsing, the shape limits first in
    // validation (documentShapeRule), at most 20 validation errors, then depth/complexity (queryLimitsPlugin).
    parseOptions: parseOptionsOf(limits),
    validationRules: [documentShapeRule(limits)],
    validationOptions: { maxErrors: 20 },
    formatError: (formatted, error) => {
      const masked = maskError(formatted, error, logUnexpected);
      // Apollo strips suggestions from validation errors only; bad variables ("Field "csrr" is not defined
      // by type "IssueInput". Did you mean "csr"?") are request errors too.
      return !config.introspection && !masked.path ? { ...masked, message: withoutSuggestions(masked.message) } : masked;
    },
    // Our own stop() drains, on our own signal handlers (src/main.ts): Apollo's would race them.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints are used; the default cache-control plugin would wrap every field resolver (profiled: ~1–2% per field).
      ApolloServerPluginCacheControlDisabled(),
      partialErrorsPlugin(logUnexpected),
      // after partialErrorsPlugin: the answer's errors are complete by then
      {
        async requestDidStart() {
          return {
            async willSendResponse({ response, contextValue }) {
              if (response.body.kind === "single") admission.observe(contextValue?.creds, response.body.singleResult.errors);
            },
          };
        },
      },
      queryLimitsPlugin(schema, limits),
      requestLogPlugin(logger, metrics),
    ],
  });
  await apollo.start();

  const healthz: SideRoute = (req, res, url) => {
    if (url.pathname !== "/healthz" || req.method !== "GET") return false;
    sendJson(res, 200, { status: "ok" });
    return true;
  };
  // One ping per backend per READYZ_CACHE_MS however often /readyz is hit (concurrent hits share one).
  const readiness = createReadiness(opts.upstreams, config.ops.readyzCacheMs, opts.now);
  const readyz: SideRoute = async (req, res, url) => {
    if (url.pathname !== "/readyz" || req.method !== "GET") return false;
    const { czertainly, horizon } = await readiness.check();
    sendJson(res, czertainly && horizon ? 200 : 503, { status: czertainly && horizon ? "ready" : "degraded", backends: { czertainly, horizon } });
    return true;
  };
  // With OPS_PORT, /metrics and /readyz live on the ops port only (/healthz answers on both).
  const opsRoutes: SideRoute[] = [metrics.route, readyz, healthz];
  const opsServer = config.ops.opsPort === undefined ? undefined : createServer(opsHandler(opsRoutes, logUnexpected));
  const sideRoutes: SideRoute[] = opsServer ? [sse.route, healthz] : [metrics.route, sse.route, healthz, readyz];
  const handle = createHttpHandler({
    apollo,
    context: async req => createContext(services, req),
    graphiql: config.graphiql,
    bodyLimitBytes: config.bodyLimitBytes,
    sideRoutes,
    onError: logUnexpected,
    admit: req => {
      const refusal = admit(req);
      if (!refusal) return undefined;
      return { status: 429, code: refusal.code, message: refusal.message, headers: { "retry-after": String(refusal.retryAfterSeconds) } };
    },
    onRefused: code => {
      metrics.errors.inc({ code });
      // Refused before GraphQL ran (rate limit, body size, bad JSON): the request log plugin never sees these.
      logger.warn({ errorCodes: [code] }, "request refused");
    },
    onAborted: req => logger.info({ method: req.method, path: req.url?.split("?")[0] }, "request aborted by the client"),
  });
  /** Requests being answered (SSE streams included), for the drain. */
  const inFlight = new Set<ServerResponse>();
  let onSettled: (() => void) | undefined;
  let stopping: Promise<StopReport> | undefined;
  httpServer.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (stopping) return refuseWhileStopping(req, res);
    inFlight.add(res);
    res.once("close", () => {
      inFlight.delete(res);
      onSettled?.();
    });
    void handle(req, res);
  });
  const refuseWhileStopping = (req: IncomingMessage, res: ServerResponse) => {
    metrics.errors.inc({ code: ErrorCode.ShuttingDown });
    req.resume();
    res.shouldKeepAlive = false;
    res.setHeader("retry-after", "1");
    sendJson(res, 503, { errors: [{ message: "The gateway is shutting down", extensions: { code: ErrorCode.ShuttingDown } }] });
  };
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  let opsUrl: string | undefined;
  if (opsServer) {
    try {
      await new Promise<void>((resolve, reject) => {
        opsServer.once("error", reject);
        opsServer.listen(config.ops.opsPort, config.ops.opsHost, () => resolve());
      });
    } catch (error) {
      // e.g. OPS_PORT in use: undo what was started (the main server, streams, watchers, Apollo, clients)
      await (stopping ??= drainAndClose(0));
      throw error;
    }
    const opsHost = config.ops.opsHost === "0.0.0.0" || config.ops.opsHost === "::" ? "127.0.0.1" : config.ops.opsHost;
    opsUrl = `http://${opsHost}:${(opsServer.address() as AddressInfo).port}`;
  }
  return {
    url: `http://${host}:${port}/graphql`,
    wsUrl: `ws://${host}:${port}/graphql`,
    port,
    services,
    httpServer,
    wsConnections,
    opsServer,
    opsUrl,
    stop(stopOpts) {
      stopping ??= drainAndClose(stopOpts?.graceMs ?? config.shutdownGraceMs);
      return stopping;
    },
  };

  async function drainAndClose(graceMs: number): Promise<StopReport> {
    let graceTimer: NodeJS.Timeout | undefined;
    let graceOver = false;
    const grace = new Promise<void>(resolve => {
      graceTimer = setTimeout(() => {
        graceOver = true;
        resolve();
      }, graceMs);
    });
    // The ops port (OPS_PORT) closes with the rest: no new probe or scrape, open ones are cut below.
    const opsClosed = opsServer?.listening ? new Promise<void>(resolve => opsServer.close(() => resolve())) : Promise.resolve();
    opsServer?.closeIdleConnections();
    // No new connections; idle keep-alive ones close now, busy ones after their answer.
    const listenerClosed = new Promise<void>(resolve => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    // Streams first, so that their clients see "going away", not subscriptions that completed.
    const wsClosed = Promise.resolve(wsCleanup.dispose()).catch(() => {});
    sse.close();
    // Watchers stop; queries waiting for a change answer with the state they know.
    await watch.close();
    const settled = new Promise<void>(resolve => {
      onSettled = () => {
        if (inFlight.size === 0) resolve();
      };
      onSettled();
    });
    await Promise.race([Promise.all([settled, wsClosed]), grace]);
    const cut = graceOver ? inFlight.size + wsServer.clients.size : 0;
    if (cut) logger.warn({ cut, graceMs }, "shutdown grace elapsed: cutting the requests still in flight");
    for (const client of wsServer.clients) client.terminate();
    httpServer.closeAllConnections();
    opsServer?.closeAllConnections();
    await Promise.all([listenerClosed, opsClosed]);
    await apollo.stop();
    removeUpstreamObserver();
    // Backend calls still running (past the grace) are failed rather than waited for.
    const clients = [opts.upstreams.czertainly, opts.upstreams.horizon];
    const closed = Promise.all(clients.map(c => c.close())).catch(() => {});
    await Promise.race([closed, grace]);
    if (graceOver) await Promise.all(clients.map(c => c.destroy().catch(() => {})));
    clearTimeout(graceTimer);
    return { cut };
  }
}
