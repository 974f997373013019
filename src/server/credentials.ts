import { createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Config } from "../config.js";
import type { CallerCredentials } from "../backends/credentials.js";

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

export { headersFor, type CallerCredentials, type CallerHeaders } from "../backends/credentials.js";
