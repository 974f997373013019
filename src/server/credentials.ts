import { createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIPv4, isIPv6 } from "node:net";
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

/** What a header value may be when it comes from a graphql-ws connection_init payload (sent on as a header as is). */
const HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]{0,4094}[\x21-\x7e])?$/;

/**
 * X-API-ID / X-API-KEY from a graphql-ws `connection_init` payload (`connectionParams`): browsers
 * cannot set WebSocket headers, so GraphiQL sends its Headers editor there. Keys are matched without
 * regard to case, as header names are; values must be strings fit to send on as a header.
 * `ssl-client-cert` is never read from here: only the TLS-terminating proxy may set it.
 */
function apiKeyFromParams(params: Readonly<Record<string, unknown>> | null | undefined): { apiId?: string; apiKey?: string } {
  if (!params || typeof params !== "object") return {};
  const found: { apiId?: string; apiKey?: string } = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== "string" || !HEADER_VALUE.test(value)) continue;
    const lower = name.toLowerCase();
    if (lower === "x-api-id") found.apiId = value;
    else if (lower === "x-api-key") found.apiKey = value;
  }
  return found;
}

/**
 * Reads what the caller brought. In "forward" mode the caller's own credentials go to the backend,
 * so the gateway never widens what a caller may do; in "service" mode the configured identity is used.
 * Over graphql-ws, Horizon's X-API-ID/X-API-KEY may also come in `connectionParams` (used when the
 * upgrade request carries no such pair; the pair is taken from one place, never mixed).
 */
export function callerCredentials(
  config: Config,
  req: IncomingMessage | undefined,
  connectionParams?: Readonly<Record<string, unknown>> | null,
): CallerCredentials {
  const get = (name: string) => (req ? header(req, name) : undefined);
  let apiId = get("x-api-id");
  let apiKey = get("x-api-key");
  if (config.horizon.credentials === "forward" && !(apiId && apiKey) && connectionParams) {
    const fromParams = apiKeyFromParams(connectionParams);
    if (fromParams.apiId && fromParams.apiKey) ({ apiId, apiKey } = fromParams);
  }
  const clientCert = get("ssl-client-cert");
  const horizon: CallerCredentials["horizon"] =
    config.horizon.credentials === "service"
      ? {}
      : apiId && apiKey
        ? { "x-api-id": apiId, "x-api-key": apiKey }
        : { missing: "Horizon calls need the caller's X-API-ID and X-API-KEY (headers, or connectionParams over graphql-ws)" };
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
  return { czertainly, horizon, principal, address: addressKey(req?.socket.remoteAddress) };
}

/**
 * An IPv4 address as is (also when IPv4-mapped), an IPv6 address by its /64: one host usually
 * holds a whole /64, so keying by the full address would give it 2^64 budgets.
 */
export function addressKey(remote: string | undefined): string {
  if (!remote) return "addr:local";
  const mapped = /^::ffff:(.+)$/i.exec(remote)?.[1];
  if (mapped && isIPv4(mapped)) return `addr:${mapped}`;
  if (!isIPv6(remote)) return `addr:${remote}`;
  const [head = "", tail = ""] = remote.split("%")[0]!.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = remote.includes("::") ? (tail ? tail.split(":") : []) : [];
  const groups = remote.includes("::") ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups] : headGroups;
  return `addr:${groups
    .slice(0, 4)
    .map(g => g.replace(/^0+(?=.)/, "").toLowerCase())
    .join(":")}::/64`;
}

export { headersFor, type CallerCredentials, type CallerHeaders } from "../backends/credentials.js";
