/** Every `extensions.code` the gateway answers with (README "Errors" has the HTTP status of each). */
export const ErrorCode = {
  /** Input the gateway refuses (type, length, id, cursor, CSR/PEM, page size), or a backend 400. */
  BadUserInput: "BAD_USER_INPUT",
  /** The backend refused the input (CZERTAINLY 422, Horizon validation codes); `messages`, `backendCode`. */
  ValidationFailed: "VALIDATION_FAILED",
  /** The object is in the wrong state for the operation. */
  InvalidState: "INVALID_STATE",
  /** The object a mutation acts on does not exist (lookups answer null instead). */
  NotFound: "NOT_FOUND",
  /** The backend answered 409. */
  Conflict: "CONFLICT",
  /** Forwarded credentials missing (no backend call) or not accepted by the backend (401). */
  Unauthenticated: "UNAUTHENTICATED",
  /** The backend refused the operation to this caller (403). */
  Forbidden: "FORBIDDEN",
  /** The operation does not exist for this backend or its version. */
  UnsupportedByBackend: "UNSUPPORTED_BY_BACKEND",
  /** 5xx, unreachable, connection reset, or the backend's circuit breaker is open (retryable). */
  UpstreamUnavailable: "UPSTREAM_UNAVAILABLE",
  /** No answer within the backend's timeout, after the read retries (retryable). */
  UpstreamTimeout: "UPSTREAM_TIMEOUT",
  /** The backend's answer cannot be read (not JSON, not a certificate). */
  UpstreamBadResponse: "UPSTREAM_BAD_RESPONSE",
  /** The backend answered 429. */
  UpstreamRateLimited: "UPSTREAM_RATE_LIMITED",
  /** The caller exceeded RATE_LIMIT_PER_MINUTE (HTTP 429 + Retry-After). */
  RateLimited: "RATE_LIMITED",
  /** The caller already holds MAX_WS_CONNECTIONS_PER_CALLER open WebSocket connections (HTTP 429 on the upgrade). */
  TooManyConnections: "TOO_MANY_CONNECTIONS",
  /** Costlier than MAX_QUERY_COMPLEXITY (HTTP 400). */
  QueryTooComplex: "QUERY_TOO_COMPLEX",
  /** Deeper than MAX_QUERY_DEPTH (HTTP 400). */
  QueryTooDeep: "QUERY_TOO_DEEP",
  /** Body larger than MAX_BODY_BYTES (HTTP 413). */
  PayloadTooLarge: "PAYLOAD_TOO_LARGE",
  /** An idempotency key reused with different input. */
  IdempotencyConflict: "IDEMPOTENCY_CONFLICT",
  /** The gateway is shutting down and takes no new request (HTTP 503 + `Connection: close`). */
  ShuttingDown: "SHUTTING_DOWN",
  /** An unexpected failure inside the gateway ("Unexpected error."; details only in the log). */
  Internal: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
