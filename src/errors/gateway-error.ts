import { GraphQLError } from "graphql";
import type { ErrorCode } from "./error-codes.js";

/** A GraphQL error the gateway raises itself, with a code and safe extensions only. */
export function gatewayError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}
