/** Which backend an upstream call went to. */
export type UpstreamName = "czertainly" | "horizon";

/** What went wrong, independent of the backend's own vocabulary. */
export type UpstreamErrorKind =
  | "not_found"
  | "bad_request"
  | "validation"
  | "invalid_state"
  | "conflict"
  | "unauthorized"
  | "forbidden"
  | "rate_limited"
  | "unavailable"
  | "timeout"
  | "bad_response"
  | "unsupported";

export interface UpstreamErrorOptions {
  cause?: unknown;
  status?: number;
  /** The backend's own error code (Horizon problem+json `error`, e.g. WEBRA-ENROLL-002). */
  backendCode?: string;
  /** Sanitised messages the backend gave (CZERTAINLY 422 list, problem+json `message`). Never a raw body. */
  messages?: string[];
  retryAfterSeconds?: number;
}

/**
 * The one error type every upstream client throws. It carries what a caller may see
 * (kind, status, backend code, short messages) and never the raw upstream body.
 */
export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  readonly status?: number;
  readonly backendCode?: string;
  readonly messages: string[];
  readonly retryAfterSeconds?: number;

  constructor(
    readonly upstream: UpstreamName,
    readonly kind: UpstreamErrorKind,
    readonly operation: string,
    message: string,
    options: UpstreamErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.backendCode = options.backendCode;
    this.messages = options.messages ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** Whether the same call may succeed later without any change by the caller. */
  get retryable(): boolean {
    return this.kind === "unavailable" || this.kind === "timeout" || this.kind === "rate_limited";
  }
}

/** Maps an HTTP status to a kind; backend-specific refinements (422 state errors…) happen in each client. */
export function kindForStatus(status: number): UpstreamErrorKind {
  if (status === 400) return "bad_request";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 422) return "validation";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "unavailable";
  return "bad_response";
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

/** Classifies a transport failure (no HTTP answer) as timeout or unavailable. */
export function kindForTransportError(cause: unknown): UpstreamErrorKind {
  const err = cause as { code?: string; name?: string } | undefined;
  if (err?.name === "TimeoutError" || (err?.code && TIMEOUT_CODES.has(err.code))) return "timeout";
  return "unavailable";
}
