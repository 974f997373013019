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
  /**
   * The client address the per-address rate limit and the auth-failure backoff are keyed by
   * (`addr:` + IPv4, or the /64 of an IPv6 address), whatever credentials the caller brings: in
   * forward mode the principal comes from unverified headers, so a new made-up key per request
   * must not buy a new budget. Always set by callerCredentials.
   */
  address?: string;
}

/** The headers for one backend, or UNAUTHENTICATED when forwarding has nothing to forward. */
export function headersFor(creds: CallerCredentials, backend: "czertainly" | "horizon"): CallerHeaders {
  const entry = creds[backend];
  if ("missing" in entry && typeof entry.missing === "string") {
    throw gatewayError(ErrorCode.Unauthenticated, entry.missing, { backend });
  }
  return entry as CallerHeaders;
}
