import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Config } from "../config.js";
import { ErrorCode } from "../errors/error-codes.js";
import { gatewayError } from "../errors/gateway-error.js";

export type CallerHeaders = Record<string, string>;

/** Per-backend headers to send for one caller; `missing` explains why forwarding has nothing to send. */
export interface CallerCredentials {
  czertainly: CallerHeaders | { missing: string };
  horizon: CallerHeaders | { missing: string };
  /** A stable, non-secret key for rate limiting and idempotency scoping. */
  principal: string;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Reads what the caller brought. In "forward" mode the caller's own credentials go to the backend,
 * so the gateway never widens what a caller may do; in "service" mode the configured identity is used.
 */
export function callerCredentials(config: Config, req: IncomingMessage | undefined): CallerCredentials {
  const get = (name: string) => (req ? header(req, name) : undefined);
  const apiId = get("x-api-id");
  const apiKey = get("x-api-key");
  const clientCert = get("ssl-client-cert");
  const horizon: CallerCredentials["horizon"] =
    config.horizon.credentials === "service"
      ? {}
      : apiId && apiKey
        ? { "x-api-id": apiId, "x-api-key": apiKey }
        : { missing: "Horizon calls need the caller's X-API-ID and X-API-KEY headers" };
  const czertainly: CallerCredentials["czertainly"] =
    config.czertainly.credentials === "service"
      ? {}
      : clientCert
        ? { "ssl-client-cert": clientCert }
        : { missing: "CZERTAINLY calls need the caller's client certificate (ssl-client-cert header)" };
  const principal = apiId ? `api:${apiId}` : clientCert ? `cert:${createHash("sha256").update(clientCert).digest("hex").slice(0, 16)}` : `ip:${req?.socket.remoteAddress ?? "local"}`;
  return { czertainly, horizon, principal };
}

/** The headers for one backend, or UNAUTHENTICATED when forwarding has nothing to forward. */
export function headersFor(creds: CallerCredentials, backend: "czertainly" | "horizon"): CallerHeaders {
  const entry = creds[backend];
  if ("missing" in entry && typeof entry.missing === "string") {
    throw gatewayError(ErrorCode.Unauthenticated, entry.missing, { backend });
  }
  return entry as CallerHeaders;
}
