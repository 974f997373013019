/** Every `extensions.code` the gateway answers with. */
export const ErrorCode = {
  BadUserInput: "BAD_USER_INPUT",
  ValidationFailed: "VALIDATION_FAILED",
  InvalidState: "INVALID_STATE",
  NotFound: "NOT_FOUND",
  Conflict: "CONFLICT",
  Unauthenticated: "UNAUTHENTICATED",
  Forbidden: "FORBIDDEN",
  UnsupportedByBackend: "UNSUPPORTED_BY_BACKEND",
  UpstreamUnavailable: "UPSTREAM_UNAVAILABLE",
  UpstreamTimeout: "UPSTREAM_TIMEOUT",
  UpstreamBadResponse: "UPSTREAM_BAD_RESPONSE",
  UpstreamRateLimited: "UPSTREAM_RATE_LIMITED",
  RateLimited: "RATE_LIMITED",
  QueryTooComplex: "QUERY_TOO_COMPLEX",
  QueryTooDeep: "QUERY_TOO_DEEP",
  PayloadTooLarge: "PAYLOAD_TOO_LARGE",
  IdempotencyConflict: "IDEMPOTENCY_CONFLICT",
  Internal: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
