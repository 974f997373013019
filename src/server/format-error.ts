import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { toGraphQLError } from "../errors/to-graphql-error.js";

/** Codes graphql-js and Apollo raise for the request itself; their messages are safe and useful. */
const REQUEST_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

/**
 * The last gate before an error reaches a client: known codes keep their safe extensions,
 * everything else becomes "Unexpected error." No stack traces, no upstream bodies.
 */
export function maskError(formatted: GraphQLFormattedError, error: unknown, onUnexpected?: (error: unknown) => void): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === "string" && REQUEST_CODES.has(code) && !formatted.path) {
    return { message: formatted.message, locations: formatted.locations, extensions: { code } };
  }
  // Apollo's own request-level refusals without a code (APQ hash mismatch, unsupported persisted
  // query version) carry only an HTTP 4xx status: they are bad requests, not unexpected errors.
  const httpStatus = (error as GraphQLError | undefined)?.extensions?.http as { status?: number } | undefined;
  if (
    !formatted.path &&
    error instanceof GraphQLError &&
    (!code || code === "INTERNAL_SERVER_ERROR") &&
    httpStatus?.status &&
    httpStatus.status >= 400 &&
    httpStatus.status < 500
  ) {
    return { message: formatted.message, locations: formatted.locations, extensions: { code: "BAD_REQUEST" } };
  }
  const original = unwrapResolverError(error);
  const safe = toGraphQLError(original);
  const safeCode = safe.extensions.code;
  if (typeof safeCode !== "string" || safeCode === "INTERNAL_SERVER_ERROR") {
    onUnexpected?.(original);
    return { message: "Unexpected error.", locations: formatted.locations, path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
  }
  const { stacktrace: _drop, ...extensions } = safe.extensions as Record<string, unknown>;
  return { message: safe.message, locations: formatted.locations, path: formatted.path, extensions };
}
