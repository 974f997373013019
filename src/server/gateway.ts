import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
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
import { addUpstreamObserver, configureCircuitBreakers } from "../backends/http.js";
import { callerCredentials } from "./credentials.js";
import { documentShapeRule, parseOptionsOf, queryLimitsOf, queryLimitsPlugin } from "./limits.js";
import { createMetrics } from "./metrics.js";
import { RateLimiter } from "./rate-limit.js";
import { requestLogPlugin } from "./request-log.js";
import { createSseRoute } from "./sse.js";
import { WsConnections } from "./ws-connections.js";
import { sameOriginUpgrade, wsSubscribeGuard } from "./ws-guard.js";

export interface GatewayOptions {
  upstreams: Upstreams;
  embedded?: { czertainly: boolean; horizon: boolean };
  logger?: Logger;
}

export interface RunningGateway {
  url: string;
  wsUrl: string;
  port: number;
  services: GatewayServices;
  httpServer: Server;
  /** Open graphql-ws connections per caller (MAX_WS_CONNECTIONS_PER_CALLER). */
  wsConnections: WsConnections;
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
  configureCircuitBreakers({ failureThreshold: config.breakerFailureThreshold, cooldownMs: config.breakerCooldownMs });
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
  });
  services.watch = watch;
  services.publish = watch;
  const removeUpstreamObserver = addUpstreamObserver(metrics.observeUpstream);
  const rateLimiter = new RateLimiter(config.rateLimitPerMinute);
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
  const connectionLimit = wsConnections.attach(wsServer, req => callerCredentials(config, req).principal, code => metrics.errors.inc({ code }));
  const streamGuard = wsSubscribeGuard(schema, {
    limits,
    introspection: config.introspection,
    rateLimiter,
    rateLimitPerMinute: config.rateLimitPerMinute,
    principalOf: (req, connectionParams) => callerCredentials(config, req, connectionParams).principal,
    onRefused: code => metrics.errors.inc({ code }),
  });
  // GraphQL over SSE at /graphql/stream: same schema, context and admission rules as graphql-ws.
  const sse = createSseRoute({ schema, services, bodyLimitBytes: config.bodyLimitBytes, guard: streamGuard, onUnexpected: logUnexpected });
  const wsCleanup = useServer(
    {
      schema,
      context: ctx => createContext(services, ctx.extra.request, ctx.connectionParams),
      onSubscribe: streamGuard,
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors?.length) return;
        return { ...result, errors: result.errors.map(e => maskError(e.toJSON(), e, logUnexpected)) };
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
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // Bounded work before execution: the token limit while parsing, the shape limits first in
    // validation (documentShapeRule), at most 20 validation errors, then depth/complexity (queryLimitsPlugin).
    parseOptions: parseOptionsOf(limits),
    validationRules: [documentShapeRule(limits)],
    validationOptions: { maxErrors: 20 },
    formatError: (formatted, error) => maskError(formatted, error, logUnexpected),
    // Our own stop() drains, on our own signal handlers (src/main.ts): Apollo's would race them.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints are used; the default cache-control plugin would wrap every field resolver (profiled: ~1–2% per field).
      ApolloServerPluginCacheControlDisabled(),
      partialErrorsPlugin(logUnexpected),
      queryLimitsPlugin(schema, limits),
      requestLogPlugin(logger, metrics),
    ],
  });
  await apollo.start();

  const sideRoutes: SideRoute[] = [
    metrics.route,
    sse.route,
    (req, res, url) => {
      if (url.pathname !== "/healthz" || req.method !== "GET") return false;
      sendJson(res, 200, { status: "ok" });
      return true;
    },
    async (req, res, url) => {
      if (url.pathname !== "/readyz" || req.method !== "GET") return false;
      const [czertainly, horizon] = await Promise.all([opts.upstreams.czertainly.ping(), opts.upstreams.horizon.ping()]);
      sendJson(res, czertainly && horizon ? 200 : 503, { status: czertainly && horizon ? "ready" : "degraded", backends: { czertainly, horizon } });
      return true;
    },
  ];
  const handle = createHttpHandler({
    apollo,
    context: async req => createContext(services, req),
    graphiql: config.graphiql,
    bodyLimitBytes: config.bodyLimitBytes,
    sideRoutes,
    onError: logUnexpected,
    admit: req => {
      const decision = rateLimiter.take(callerCredentials(config, req).principal);
      if (decision.allowed) return undefined;
      return {
        status: 429,
        code: "RATE_LIMITED",
        message: `Rate limit of ${config.rateLimitPerMinute} requests per minute exceeded`,
        headers: { "retry-after": String(decision.retryAfterSeconds ?? 1) },
      };
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
  return {
    url: `http://${host}:${port}/graphql`,
    wsUrl: `ws://${host}:${port}/graphql`,
    port,
    services,
    httpServer,
    wsConnections,
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
    await listenerClosed;
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
