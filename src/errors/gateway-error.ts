import type { ErrorCode } from "./error-codes.js";

/**
 * A failure the gateway raises itself (bad input, unsupported operation, missing credentials…), with a
 * code and safe extensions only. Code below the resolvers throws it as a plain value; to-graphql-error.ts
 * is the one place it becomes a GraphQL error.
 */
export class GatewayError extends Error {
  /** The safe extensions a client sees, `code` included. */
  readonly extensions: Record<string, unknown> & { code: ErrorCode };

  constructor(
    readonly code: ErrorCode,
    message: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "GatewayError";
    this.extensions = { ...extensions, code };
  }
}

export function gatewayError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GatewayError {
  return new GatewayError(code, message, extensions);
}
