import type { IncomingMessage } from "node:http";
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from "graphql";
import { ErrorCode } from "../errors/error-codes.js";
import { checkOperationLimits, documentShapeRule, parseOptionsOf, type QueryLimits } from "./limits.js";
import type { AdmissionRefusal } from "./admission.js";

/**
 * The same admission rules over graphql-ws as over HTTP: per-caller rate limit, introspection
 * switch, depth and complexity limits. graphql-ws runs queries and mutations too, so without this
 * the WebSocket would be a way around every limit.
 */
export interface WsGuardOptions {
  limits: QueryLimits;
  introspection: boolean;
  /** Validation messages without "Did you mean …?" suggestions (they name schema fields). */
  hideSchemaDetails?: boolean;
  /** The admission decision HTTP uses too (rate limits per caller and address, auth-failure backoff). */
  /** Over graphql-ws the caller's connectionParams may carry forwarded credentials (they choose the principal). */
  admit: (req: IncomingMessage, connectionParams?: Readonly<Record<string, unknown>> | null) => AdmissionRefusal | undefined;
  /** Told about every operation refused here (metrics). */
  onRefused?: (code: string) => void;
}

interface SubscribeLike {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

const coded = (message: string, code: string, extra: Record<string, unknown> = {}) => new GraphQLError(message, { extensions: { code, ...extra } });

/** graphql-ws `onSubscribe`: returns the errors that refuse an operation, or nothing to let it run. */
export function wsSubscribeGuard(schema: GraphQLSchema, opts: WsGuardOptions) {
  // The shape limits first, so a document over them is not walked by the schema rules at all.
  const rules = [documentShapeRule(opts.limits), ...specifiedRules, ...(opts.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const parseOptions = parseOptionsOf(opts.limits);
  return (
    ctx: { extra: { request: IncomingMessage }; connectionParams?: Readonly<Record<string, unknown>> | null },
    _id: string,
    payload: SubscribeLike,
  ): readonly GraphQLError[] | void => {
    const refuse = (error: GraphQLError): readonly GraphQLError[] => {
      opts.onRefused?.(String(error.extensions.code));
      return [error];
    };
    const refusal = opts.admit(ctx.extra.request, ctx.connectionParams);
    if (refusal) return refuse(coded(refusal.message, refusal.code, { retryAfterSeconds: refusal.retryAfterSeconds }));
    if (typeof payload.query !== "string") return refuse(coded("GraphQL queries must be strings.", "BAD_REQUEST"));
    let document: DocumentNode;
    try {
      document = parse(payload.query, parseOptions);
    } catch (error) {
      return refuse(coded((error as Error).message, "GRAPHQL_PARSE_FAILED"));
    }
    const invalid = validate(schema, document, rules, { maxErrors: 20 });
    if (invalid.length) {
      invalid.forEach(() => opts.onRefused?.("GRAPHQL_VALIDATION_FAILED"));
      return invalid.map(
        e =>
          new GraphQLError(opts.hideSchemaDetails ? withoutSuggestions(e.message) : e.message, {
            nodes: e.nodes,
            extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
          }),
      );
    }
    const operation = getOperationAST(document, payload.operationName ?? undefined);
    if (!operation) return refuse(coded("Could not determine which operation to run.", "OPERATION_RESOLUTION_FAILURE"));
    const limited = checkOperationLimits(
      schema,
      document,
      operation,
      payload.variables ?? undefined,
      opts.limits,
      payload.operationName ?? undefined,
    );
    if (limited) return refuse(limited);
    // Missing or ill-typed variables: graphql's own message with BAD_USER_INPUT, as Apollo answers over
    // HTTP (executing would report them as an untyped error, masked to INTERNAL_SERVER_ERROR).
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 20 });
    if (coerced.errors?.length) {
      coerced.errors.forEach(() => opts.onRefused?.(ErrorCode.BadUserInput));
      return coerced.errors.map(
        e =>
          new GraphQLError(opts.hideSchemaDetails ? withoutSuggestions(e.message) : e.message, {
            nodes: e.nodes,
            extensions: { code: ErrorCode.BadUserInput },
          }),
      );
    }
    return undefined;
  };
}

/** What Apollo's hideSchemaDetailsFromClientErrors strips from validation messages (same pattern). */
export const withoutSuggestions = (message: string) => message.replace(/ ?Did you mean(.+?)\?$/, "");

/**
 * Cross-site WebSocket hijacking guard: browsers send ambient credentials (a TLS client
 * certificate a proxy turns into `ssl-client-cert`) on cross-site WebSocket upgrades and no
 * CORS applies, so an upgrade carrying an Origin must come from this host or an allowed origin.
 * Non-browser clients send no Origin and are let through.
 */
export function sameOriginUpgrade(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins.map(o => o.replace(/\/$/, "").toLowerCase()));
  return (info: { origin?: string; req: IncomingMessage }): boolean => {
    const origin = info.origin ?? info.req.headers.origin;
    if (!origin) return true;
    const normalized = origin.replace(/\/$/, "").toLowerCase();
    if (allowed.has("*") || allowed.has(normalized)) return true;
    try {
      return new URL(normalized).host === (info.req.headers.host ?? "").toLowerCase();
    } catch {
      return false;
    }
  };
}
