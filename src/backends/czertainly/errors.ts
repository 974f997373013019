import type { ErrorBodyParser } from "../http.js";
import type { UpstreamErrorKind } from "../upstream-error.js";

// Core's ValidationException texts that mean "wrong state for this operation", not "bad input".
const STATE_PATTERNS = [
  /not in [A-Z_]+/i,
  /pending operation/i,
  /cannot be aborted/i,
  /raced with another operation/i,
  /current state/i,
  /is not in state/i,
];

/**
 * Reads Core's error bodies (contract §4.2): 422 is usually a bare string[] (ValidationException),
 * everything else `{message}`; 403 is problem+json with `code: ACCESS_DENIED`.
 */
export const parseCzertainlyError: ErrorBodyParser = (status, body) => {
  const messages = Array.isArray(body)
    ? body.filter((m): m is string => typeof m === "string")
    : typeof (body as { message?: unknown })?.message === "string"
      ? [(body as { message: string }).message]
      : [];
  const backendCode = typeof (body as { code?: unknown })?.code === "string" ? (body as { code: string }).code : undefined;
  let kind: UpstreamErrorKind | undefined;
  if (status === 422) kind = messages.some(m => STATE_PATTERNS.some(p => p.test(m))) ? "invalid_state" : "validation";
  if (status === 400) kind = "bad_request";
  return { messages, backendCode, kind };
};
