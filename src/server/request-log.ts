import type { ApolloServerPlugin } from "@apollo/server";
import type { GatewayContext } from "./context.js";
import type { Logger } from "./logger.js";
import type { GatewayMetrics } from "./metrics.js";

/**
 * One structured log line per GraphQL request (request id, operation name and type, duration,
 * error codes) and the request/error counters; the request id is echoed as `x-request-id`. Never logs the query text, variables or headers,
 * so secrets a caller sends (PKCS#12 passwords, keys, certificates) cannot reach the log.
 */
export function requestLogPlugin(logger: Logger, metrics?: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, contextValue, operation, operationName, request }) {
          const operationType = operation?.operation ?? "unknown";
          const errors = response.body.kind === "single" ? (response.body.singleResult.errors ?? []) : [];
          const codes = errors.map(e => (typeof e.extensions?.code === "string" ? e.extensions.code : "UNKNOWN"));
          metrics?.requests.inc({ operation_type: operationType });
          for (const code of codes) metrics?.errors.inc({ code });
          if (contextValue?.requestId) response.http.headers.set("x-request-id", contextValue.requestId);
          const name = operationName ?? request.operationName ?? undefined;
          const line = {
            requestId: contextValue?.requestId,
            operationName: typeof name === "string" ? name.slice(0, 100) : null,
            operationType,
            durationMs: Math.round((performance.now() - started) * 10) / 10,
            status: response.http.status ?? 200,
            errorCodes: [...new Set(codes)],
            principal: contextValue?.creds?.principal,
          };
          if (codes.length) logger.warn(line, "graphql request");
          else logger.info(line, "graphql request");
        },
      };
    },
  };
}
