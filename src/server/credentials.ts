import { createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Config } from "../config.js";
import { ErrorCode } from "../errors/error-codes.js";
import { gatewayError } from "../errors/gateway-error.js";

export type CallerHeaders = Record<string, string>;

/** Per-backend headers to send for one caller; `missing` explains why forwarding has nothing to send. */
export interface CallerCredentials {
  czertainly: CallerHeaders | { missing: string };
  horizon: CallerHeaders | { missing: string };
  /**
   * A stable, non-secret key for rate limiting and idempotency scoping: the forwarded credentials
   * themselves (keyed hash, so two callers sharing an API id but not its key never share a scope),
   * or the caller's address when nothing is forwarded (service mode ignores caller headers).
   */
  principal: string;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

// A per-process key: principals are stable for the life of the process, and a fingerprint in a log
// line cannot be checked against guessed API keys offline.
const FINGERPRINT_KEY = randomBytes(32);
const fingerprint = (secret: string) => createHmac("sha256", FINGERPRINT_KEY).update(secret).digest("hex").slice(0, 16);
const clip = (s: string) => s.replace(/[^\w.@-]/g, "_").slice(0, 64);

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
  const parts: string[] = [];
  if (config.horizon.credentials === "forward" && apiId && apiKey) parts.push(`api:${clip(apiId)}#${fingerprint(`${apiId}\u0000${apiKey}`)}`);
  if (config.czertainly.credentials === "forward" && clientCert) parts.push(`cert:${fingerprint(clientCert)}`);
  const principal = parts.length ? parts.join("+") : `ip:${req?.socket.remoteAddress ?? "local"}`;
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
