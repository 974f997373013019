import { GraphQLError } from "graphql";
import { ArgumentValidationError } from "type-graphql";
import { UpstreamError, type UpstreamErrorKind } from "../backends/upstream-error.js";
import { ErrorCode } from "./error-codes.js";
import { GatewayError } from "./gateway-error.js";
import { InvalidIdError } from "../domain/ids.js";
import { CertificateDecodeError } from "../domain/x509.js";

const CODE_BY_KIND: Record<UpstreamErrorKind, ErrorCode> = {
  not_found: ErrorCode.NotFound,
  bad_request: ErrorCode.BadUserInput,
  validation: ErrorCode.ValidationFailed,
  invalid_state: ErrorCode.InvalidState,
  conflict: ErrorCode.Conflict,
  unauthorized: ErrorCode.Unauthenticated,
  forbidden: ErrorCode.Forbidden,
  rate_limited: ErrorCode.UpstreamRateLimited,
  unavailable: ErrorCode.UpstreamUnavailable,
  timeout: ErrorCode.UpstreamTimeout,
  bad_response: ErrorCode.UpstreamBadResponse,
  unsupported: ErrorCode.UnsupportedByBackend,
};

// Messages for kinds where the backend's own words could leak internals: the gateway speaks instead.
const SAFE_MESSAGE: Partial<Record<UpstreamErrorKind, (e: UpstreamError) => string>> = {
  unavailable: e => `The ${e.upstream} backend is unavailable`,
  timeout: e => `The ${e.upstream} backend did not answer in time`,
  bad_response: e => `The ${e.upstream} backend gave an answer the gateway cannot read`,
  unauthorized: e => `The ${e.upstream} backend did not accept the credentials`,
  forbidden: e => `The ${e.upstream} backend refused this operation for the caller`,
  rate_limited: e => `The ${e.upstream} backend is rate limiting the gateway`,
  unsupported: e => `This operation is not supported by the configured ${e.upstream} backend version`,
};

/** Shortens a backend message so a huge or hostile body never reaches a client whole. */
function clip(text: string, max = 500): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/**
 * The one place where an UpstreamError becomes a GraphQL error. The backend's code and short
 * messages are kept; its raw body, URL and stack never are.
 */
export function upstreamToGraphQLError(error: UpstreamError, path?: readonly (string | number)[]): GraphQLError {
  const code = CODE_BY_KIND[error.kind];
  const message = SAFE_MESSAGE[error.kind]?.(error) ?? clip(error.message);
  return new GraphQLError(message, {
    path,
    extensions: {
      code,
      backend: error.upstream,
      ...(error.backendCode ? { backendCode: error.backendCode } : {}),
      ...(error.status ? { backendStatus: error.status } : {}),
      ...(error.kind === "validation" || error.kind === "invalid_state" || error.kind === "bad_request"
        ? { messages: error.messages.slice(0, 50).map(m => clip(m)) }
        : {}),
      ...(error.retryable ? { retryable: true } : {}),
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    },
  });
}

/** Converts anything a resolver throws into a safe GraphQL error (unknown errors are masked). */
export function toGraphQLError(error: unknown, path?: readonly (string | number)[]): GraphQLError {
  if (error instanceof UpstreamError) return upstreamToGraphQLError(error, path);
  if (error instanceof ArgumentValidationError) return validationToGraphQLError(error, path);
  if (error instanceof GatewayError) return new GraphQLError(error.message, { path, extensions: error.extensions });
  if (error instanceof GraphQLError) return error;
  if (error instanceof InvalidIdError) return new GraphQLError(error.message, { path, extensions: { code: ErrorCode.BadUserInput } });
  if (error instanceof CertificateDecodeError) {
    return new GraphQLError("A backend returned certificate content that is not a valid X.509 certificate", {
      path,
      extensions: { code: ErrorCode.UpstreamBadResponse },
    });
  }
  return new GraphQLError("Unexpected error.", { path, extensions: { code: ErrorCode.Internal } });
}

/** class-validator failures become BAD_USER_INPUT with one message per field (never the submitted value). */
function validationToGraphQLError(error: ArgumentValidationError, path?: readonly (string | number)[]): GraphQLError {
  const fields: { field: string; messages: string[] }[] = [];
  const walk = (errors: ArgumentValidationError["extensions"]["validationErrors"], prefix: string) => {
    for (const e of errors) {
      const field = prefix ? `${prefix}.${e.property}` : e.property;
      if (e.constraints) fields.push({ field, messages: Object.values(e.constraints) });
      if (e.children?.length) walk(e.children, field);
    }
  };
  walk(error.extensions.validationErrors, "");
  const summary = fields.map(f => `${f.field}: ${f.messages.join("; ")}`).join(" | ");
  return new GraphQLError(`Invalid input: ${summary}`, {
    path,
    extensions: { code: ErrorCode.BadUserInput, validationErrors: fields },
  });
}
