import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { createRequire } from "node:module";
import type { ComplexityEstimator } from "graphql-query-complexity";
import { ErrorCode } from "../errors/error-codes.js";

// The library's ESM build imports "graphql/index.mjs", a second graphql realm that rejects the
// schema Apollo and type-graphql build with the CommonJS graphql; its CommonJS build shares ours.
const complexityLib = createRequire(import.meta.url)("graphql-query-complexity") as typeof import("graphql-query-complexity");
const { getComplexity, simpleEstimator } = complexityLib;

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
}

/**
 * Depth of an operation's selection set: fields nest, fragments are inlined (each fragment
 * once per path, so a fragment cycle — already rejected by validation — cannot loop).
 * `__typename` and introspection meta fields do not count.
 */
export function operationDepth(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): number {
  const walk = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): number => {
    if (!set) return depth;
    let max = depth;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith("__")) continue;
        max = Math.max(max, walk(sel.selectionSet, depth + 1, seen));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, walk(sel.selectionSet, depth, seen));
      } else {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        max = Math.max(max, walk(fragment.selectionSet, depth, new Set([...seen, name])));
      }
    }
    return max;
  };
  return walk(operation.selectionSet, 0, new Set());
}

/** Lists multiply their children's cost by the page size asked for (`first`, `limit`, `pageSize`, or ids given). */
export const pageSizeEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const candidates = [args.first, args.last, args.limit, args.pageSize, args.size];
  let n = candidates.find((v): v is number => typeof v === "number" && v > 0);
  if (n === undefined && Array.isArray(args.ids)) n = args.ids.length;
  if (n === undefined && args.page && typeof args.page === "object" && typeof args.page.first === "number") n = args.page.first;
  if (n === undefined) return undefined;
  return 1 + childComplexity * Math.max(1, n);
};

export function computeComplexity(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string): number {
  return getComplexity({
    schema,
    query: document,
    variables: variables as Record<string, any>,
    operationName,
    estimators: [pageSizeEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
}

/**
 * The depth and complexity checks for one resolved operation: the error to answer with, or
 * undefined when it is within the limits. Shared by HTTP (Apollo plugin) and WebSocket.
 */
export function checkOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  limits: QueryLimits,
  operationName?: string,
): GraphQLError | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const depth = operationDepth(operation, fragments);
  if (depth > limits.maxDepth) {
    return new GraphQLError(`Query depth ${depth} exceeds the limit of ${limits.maxDepth}`, {
      extensions: { code: ErrorCode.QueryTooDeep, maxDepth: limits.maxDepth, depth, http: { status: 400 } },
    });
  }
  let complexity: number;
  try {
    complexity = computeComplexity(schema, document, variables, operation.name?.value ?? operationName);
  } catch {
    return undefined; // bad variables: execution rejects them with BAD_USER_INPUT
  }
  if (complexity > limits.maxComplexity) {
    return new GraphQLError(`Query complexity ${complexity} exceeds the limit of ${limits.maxComplexity}`, {
      extensions: { code: ErrorCode.QueryTooComplex, maxComplexity: limits.maxComplexity, complexity, http: { status: 400 } },
    });
  }
  return undefined;
}

/**
 * Rejects operations deeper than `maxDepth` (QUERY_TOO_DEEP) or costlier than `maxComplexity`
 * (QUERY_TOO_COMPLEX) before anything is executed, so no backend is called for them.
 */
export function queryLimitsPlugin(schema: GraphQLSchema, limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const error = checkOperationLimits(schema, document, operation, request.variables, limits, request.operationName);
          if (error) throw error;
        },
      };
    },
  };
}
