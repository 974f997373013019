import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLError,
  Kind,
  getNamedType,
  isAbstractType,
  isCompositeType,
  GraphQLIncludeDirective,
  GraphQLObjectType,
  GraphQLInterfaceType,
  GraphQLSkipDirective,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ParseOptions,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationRule,
} from "graphql";
import { getArgumentValues, getDirectiveValues, getVariableValues } from "graphql/execution/values.js";
import type { Config } from "../config.js";
import { ErrorCode } from "../errors/error-codes.js";

/**
 * What an operation may cost before it runs. Every check here is linear in the document (each
 * fragment is looked at once, its figures memoized and composed at each spread) or bounded by a
 * visit cap, so refusing a hostile document costs about as much as reading it.
 */
export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
  /** Lexical tokens in the document (graphql-js `maxTokens`, enforced while parsing; comments count too). */
  maxTokens: number;
  /** Length of the query text in UTF-16 code units (graphql-js `maxSourceLength`). */
  maxQueryLength: number;
  /** Aliases in an operation, through its fragments (each spread counts its fragment's). */
  maxAliases: number;
  /** Directives in an operation, through its fragments. */
  maxDirectives: number;
  /** Field selections one response name may have in one response level (what field merging compares pairwise). */
  maxRepeatedFields: number;
  /** Values (list items, object fields, scalars) in the variables, counted before any coercion. */
  maxVariableValues: number;
}

export const queryLimitsOf = (config: Config): QueryLimits => ({
  maxDepth: config.maxDepth,
  maxComplexity: config.maxComplexity,
  maxTokens: config.maxTokens,
  maxQueryLength: config.maxQueryLength,
  maxAliases: config.maxAliases,
  maxDirectives: config.maxDirectives,
  maxRepeatedFields: config.maxRepeatedFields,
  maxVariableValues: config.maxVariableValues,
});

/**
 * Parse options that bound parsing (Apollo `parseOptions`, and the WebSocket/SSE guard): tokens,
 * comments (the lexer skips them without counting them as tokens) and the text's length, all
 * checked by graphql-js as it reads, so parsing stops at the limit.
 */
export const parseOptionsOf = (limits: QueryLimits): ParseOptions => ({
  maxTokens: limits.maxTokens,
  maxComments: limits.maxTokens,
  maxSourceLength: limits.maxQueryLength,
});

/** Optional counter of selections looked at: unit tests assert the walks are linear with it. */
export interface WalkStats {
  visits: number;
}

const fragmentsOf = (document: DocumentNode) => {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  return fragments;
};

/** a + b, never past Infinity-safe territory (figures of fragment bombs grow exponentially). */
const add = (a: number, b: number) => Math.min(a + b, Number.MAX_VALUE);

// ---------------------------------------------------------------------------------------------
// Depth
// ---------------------------------------------------------------------------------------------

/**
 * Depth of an operation's selection set: fields nest, fragments are inlined, `__typename` and
 * introspection meta fields do not count. Each fragment's own depth is computed once and added
 * at every spread, so a document whose fragments spread each other many times costs its size,
 * not its expansion. A fragment cycle (already refused by validation) counts as depth 0.
 */
export function operationDepth(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>, stats?: WalkStats): number {
  const memo = new Map<string, number>();
  const fragmentDepth = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    memo.set(name, 0); // in progress: a cycle adds nothing
    const depth = fragment ? walk(fragment.selectionSet) : 0;
    memo.set(name, depth);
    return depth;
  };
  const walk = (set: SelectionSetNode | undefined): number => {
    if (!set) return 0;
    let max = 0;
    for (const sel of set.selections) {
      if (stats) stats.visits++;
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith("__")) continue;
        max = Math.max(max, 1 + walk(sel.selectionSet));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, walk(sel.selectionSet));
      } else {
        max = Math.max(max, fragmentDepth(sel.name.value));
      }
    }
    return max;
  };
  return walk(operation.selectionSet);
}

// ---------------------------------------------------------------------------------------------
// Complexity
// ---------------------------------------------------------------------------------------------

/** The page size a list field asks for (`first`, `last`, `limit`, `pageSize`, `size`, or the ids given), if any. */
export function pageSizeOf(args: Record<string, unknown>): number | undefined {
  const candidates = [args.first, args.last, args.limit, args.pageSize, args.size];
  let n = candidates.find((v): v is number => typeof v === "number" && v > 0);
  if (n === undefined && Array.isArray(args.ids)) n = args.ids.length;
  const page = args.page as { first?: unknown } | undefined;
  if (n === undefined && page && typeof page === "object" && typeof page.first === "number") n = page.first;
  return n;
}

/**
 * Estimated cost of one operation: 1 per field, plus its children's cost multiplied by the page size
 * it asks for (`pageSizeOf`); fields skipped by `@skip`/`@include` cost nothing; on an abstract type
 * the costliest possible type counts. These are graphql-query-complexity's semantics with our
 * page-size estimator, computed with each fragment's cost memoized (a fragment's cost depends only
 * on the fragment and the variables), so the work is linear in the document.
 * `variables` must already be coerced (`getVariableValues`).
 */
export function operationComplexity(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  stats?: WalkStats,
): number {
  const memo = new Map<string, number>();
  const possibleTypeNames = (type: GraphQLCompositeType): string[] =>
    isAbstractType(type) ? schema.getPossibleTypes(type).map(t => t.name) : [type.name];
  const addTo = (costs: Map<string, number>, cost: number, types: string[]) => {
    for (const t of types) costs.set(t, add(costs.get(t) ?? 0, cost));
  };
  const skipped = (node: SelectionNode): boolean => {
    if (!node.directives?.length) return false;
    if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return true;
    return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if === false;
  };
  const fragmentCost = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    memo.set(name, 0); // in progress: a cycle adds nothing
    const fragment = fragments.get(name);
    const type = fragment && schema.getType(fragment.typeCondition.name.value);
    const cost = fragment && type && isCompositeType(type) ? setCost(fragment.selectionSet, type) : 0;
    memo.set(name, cost);
    return cost;
  };
  const setCost = (set: SelectionSetNode, type: GraphQLCompositeType): number => {
    const fields: Record<string, GraphQLField<unknown, unknown>> = type instanceof GraphQLObjectType || type instanceof GraphQLInterfaceType
      ? type.getFields()
      : {};
    const own = possibleTypeNames(type);
    const costs = new Map<string, number>();
    for (const sel of set.selections) {
      if (stats) stats.visits++;
      if (skipped(sel)) continue;
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        const field =
          name === SchemaMetaFieldDef.name
            ? SchemaMetaFieldDef
            : name === TypeMetaFieldDef.name
              ? TypeMetaFieldDef
              : name === TypeNameMetaFieldDef.name
                ? TypeNameMetaFieldDef
                : fields[name];
        if (!field) continue; // unknown field: validation refuses it
        const fieldType = getNamedType(field.type);
        const child = sel.selectionSet && isCompositeType(fieldType) ? setCost(sel.selectionSet, fieldType) : 0;
        const n = pageSizeOf(getArgumentValues(field, sel, variables));
        addTo(costs, n === undefined ? add(1, child) : add(1, child * Math.max(1, n)), own);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const cond = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : type;
        if (!cond || !isCompositeType(cond)) continue;
        addTo(costs, setCost(sel.selectionSet, cond), possibleTypeNames(cond));
      } else {
        const fragment = fragments.get(sel.name.value);
        const cond = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!cond || !isCompositeType(cond)) continue;
        addTo(costs, fragmentCost(sel.name.value), possibleTypeNames(cond));
      }
    }
    return Math.max(0, ...costs.values());
  };
  const root =
    operation.operation === "query"
      ? schema.getQueryType()
      : operation.operation === "mutation"
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) throw new Error(`The schema has no ${operation.operation} type`);
  return setCost(operation.selectionSet, root);
}

/** Complexity of a document's operation with raw (uncoerced) variables; throws when they do not coerce. */
export function computeComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName?: string,
  stats?: WalkStats,
): number {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find(o => o.name?.value === operationName) : operations[0];
  if (!operation) throw new Error("No operation to price");
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
  if (coerced.errors) throw coerced.errors[0];
  return operationComplexity(schema, operation, fragmentsOf(document), coerced.coerced, stats);
}

// ---------------------------------------------------------------------------------------------
// Variables
// ---------------------------------------------------------------------------------------------

/**
 * Counts the values in raw variables (every list item, object field and scalar), iteratively and
 * stopping past `max`, so a huge or deeply nested variable costs at most `max` steps.
 */
export function countVariableValues(variables: unknown, max: number): number {
  let count = 0;
  const stack: unknown[] = [variables];
  while (stack.length) {
    const value = stack.pop();
    if (value === null || typeof value !== "object") continue;
    const items = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
    count += items.length;
    if (count > max) return count;
    for (const item of items) if (item !== null && typeof item === "object") stack.push(item);
  }
  return count;
}

/** Deepest nesting of arrays and objects a JSON request body may have (JSON.parse of a 1 MB `[[[[…` costs ~150 ms). */
export const MAX_JSON_NESTING = 64;

/**
 * Whether a JSON text nests arrays/objects deeper than `max`: one pass over its characters (strings
 * skipped), about 1 ms per MB, so a body can be refused before `JSON.parse` spends its time on it.
 */
export function jsonNestsDeeperThan(text: string, max: number = MAX_JSON_NESTING): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Document shape, checked before validation
// ---------------------------------------------------------------------------------------------

interface LocalFigures {
  aliases: number;
  directives: number;
  spreads: Map<string, number>;
}

/** Aliases and directives of one definition as written, and the fragments it spreads (how often). */
function localFigures(root: SelectionSetNode, stats?: WalkStats): LocalFigures {
  const figures: LocalFigures = { aliases: 0, directives: 0, spreads: new Map() };
  const stack: SelectionSetNode[] = [root];
  while (stack.length) {
    const set = stack.pop()!;
    for (const sel of set.selections) {
      if (stats) stats.visits++;
      figures.directives += sel.directives?.length ?? 0;
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) figures.aliases++;
        if (sel.selectionSet) stack.push(sel.selectionSet);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        stack.push(sel.selectionSet);
      } else {
        figures.spreads.set(sel.name.value, (figures.spreads.get(sel.name.value) ?? 0) + 1);
      }
    }
  }
  return figures;
}

const refusal = (message: string, extensions: Record<string, unknown>) =>
  new GraphQLError(message, { extensions: { http: { status: 400 }, ...extensions } });

/**
 * The most field selections one response name has in one response level of the operation: fields
 * of the same response name in a selection set, its inline fragments and the fragments it spreads
 * (each fragment once per level, as execution collects them), and at the next level the union of
 * all their sub-selections (what execution merges). This is what graphql-js's field-merging
 * validation compares pairwise, and execution resolves, so it must be small.
 * Stops past `maxVisits` selections (returns `visits` > `maxVisits`).
 */
export function repeatedFields(
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  maxVisits: number,
  stats?: WalkStats,
): { max: number; responseName?: string; visits: number } {
  let max = 0;
  let responseName: string | undefined;
  let visits = 0;
  const levels: SelectionSetNode[][] = [[operation.selectionSet]];
  while (levels.length) {
    const level = levels.pop()!;
    const subsets = new Map<string, SelectionSetNode[]>();
    const counts = new Map<string, number>();
    const seenFragments = new Set<string>();
    const stack = [...level];
    while (stack.length) {
      const set = stack.pop()!;
      for (const sel of set.selections) {
        if (++visits > maxVisits) return { max, responseName, visits };
        if (stats) stats.visits++;
        if (sel.kind === Kind.FIELD) {
          const key = sel.alias?.value ?? sel.name.value;
          const n = (counts.get(key) ?? 0) + 1;
          counts.set(key, n);
          if (n > max) [max, responseName] = [n, key];
          if (sel.selectionSet) {
            const sub = subsets.get(key);
            if (sub) sub.push(sel.selectionSet);
            else subsets.set(key, [sel.selectionSet]);
          }
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          stack.push(sel.selectionSet);
        } else if (!seenFragments.has(sel.name.value)) {
          seenFragments.add(sel.name.value);
          const fragment = fragments.get(sel.name.value);
          if (fragment) stack.push(fragment.selectionSet);
        }
      }
    }
    for (const sub of subsets.values()) levels.push(sub);
  }
  return { max, responseName, visits };
}

/**
 * The shape limits checked before validation: aliases, directives and repeated fields of each
 * operation (the token limit is enforced while parsing). Answers the refusal, or undefined.
 */
export function checkDocumentShape(document: DocumentNode, limits: QueryLimits, stats?: WalkStats): GraphQLError | undefined {
  const fragments = fragmentsOf(document);
  const local = new Map<string, LocalFigures>();
  for (const [name, fragment] of fragments) local.set(name, localFigures(fragment.selectionSet, stats));
  // Each fragment's totals through the fragments it spreads, once per fragment; a cycle adds nothing.
  const totals = new Map<string, { aliases: number; directives: number }>();
  const totalOf = (name: string): { aliases: number; directives: number } => {
    const known = totals.get(name);
    if (known) return known;
    const zero = { aliases: 0, directives: 0 };
    totals.set(name, zero);
    const figures = local.get(name);
    const total = figures ? compose(figures) : zero;
    totals.set(name, total);
    return total;
  };
  const compose = (figures: LocalFigures) => {
    let { aliases, directives } = figures;
    for (const [name, times] of figures.spreads) {
      const t = totalOf(name);
      aliases = add(aliases, t.aliases * times);
      directives = add(directives, t.directives * times);
    }
    return { aliases, directives };
  };
  for (const def of document.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    const own = localFigures(def.selectionSet, stats);
    own.directives += def.directives?.length ?? 0;
    const { aliases, directives } = compose(own);
    const label = def.name ? `Operation "${def.name.value}"` : "The operation";
    if (aliases > limits.maxAliases) {
      return refusal(`${label} has ${aliases} aliases, more than the ${limits.maxAliases} allowed (MAX_ALIASES)`, {
        aliases,
        maxAliases: limits.maxAliases,
      });
    }
    if (directives > limits.maxDirectives) {
      return refusal(`${label} has ${directives} directives, more than the ${limits.maxDirectives} allowed (MAX_DIRECTIVES)`, {
        directives,
        maxDirectives: limits.maxDirectives,
      });
    }
    // Each selection counts at least 1 towards the complexity, so the walk stops there.
    const repeated = repeatedFields(def, fragments, limits.maxComplexity, stats);
    if (repeated.visits > limits.maxComplexity) {
      return refusal(`${label} expands to more than ${limits.maxComplexity} selections (MAX_QUERY_COMPLEXITY)`, {
        maxComplexity: limits.maxComplexity,
      });
    }
    if (repeated.max > limits.maxRepeatedFields) {
      return refusal(
        `${label} selects "${repeated.responseName}" ${repeated.max} times in one place, more than the ${limits.maxRepeatedFields} allowed (MAX_REPEATED_FIELDS)`,
        { repeatedFields: repeated.max, maxRepeatedFields: limits.maxRepeatedFields },
      );
    }
  }
  return undefined;
}

/**
 * A validation rule that applies `checkDocumentShape` when validation starts, before the schema
 * rules look at any selection: a document over a limit gets one error and is not walked further
 * (the Document visitor answers `null`, which graphql-js's visitor takes as "remove this node", so
 * no later rule visits anything inside it). Must run in the same `validate` call as the
 * specified rules; their Document-level work before it is linear.
 */
export function documentShapeRule(limits: QueryLimits): ValidationRule {
  return context => ({
    Document: {
      enter(document) {
        const error = checkDocumentShape(document, limits);
        if (!error) return undefined;
        context.reportError(error);
        return null;
      },
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Per operation, after validation
// ---------------------------------------------------------------------------------------------

/**
 * The variable, depth and complexity checks for one resolved operation: the error to answer with,
 * or undefined when it is within the limits. Shared by HTTP (Apollo plugin) and WebSocket/SSE.
 * Variables that do not coerce are left to execution, which refuses them (BAD_USER_INPUT) before
 * any resolver runs; any other failure to price the operation refuses it (QUERY_TOO_COMPLEX).
 */
export function checkOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  limits: QueryLimits,
  _operationName?: string,
): GraphQLError | undefined {
  const values = countVariableValues(variables, limits.maxVariableValues);
  if (values > limits.maxVariableValues) {
    return new GraphQLError(`Variables hold more than ${limits.maxVariableValues} values (MAX_VARIABLE_VALUES)`, {
      extensions: { code: ErrorCode.BadUserInput, maxVariableValues: limits.maxVariableValues, http: { status: 400 } },
    });
  }
  const fragments = fragmentsOf(document);
  const depth = operationDepth(operation, fragments);
  if (depth > limits.maxDepth) {
    return new GraphQLError(`Query depth ${depth} exceeds the limit of ${limits.maxDepth}`, {
      extensions: { code: ErrorCode.QueryTooDeep, maxDepth: limits.maxDepth, depth, http: { status: 400 } },
    });
  }
  const tooComplex = (message: string, extra: Record<string, unknown> = {}) =>
    new GraphQLError(message, {
      extensions: { code: ErrorCode.QueryTooComplex, maxComplexity: limits.maxComplexity, ...extra, http: { status: 400 } },
    });
  let complexity: number;
  try {
    // maxErrors: the first error is enough to know execution will refuse them.
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
    if (coerced.errors) return undefined; // execution refuses them with BAD_USER_INPUT, before any resolver
    complexity = operationComplexity(schema, operation, fragments, coerced.coerced);
  } catch {
    return tooComplex("Query complexity could not be estimated");
  }
  if (!Number.isFinite(complexity) || complexity > limits.maxComplexity) {
    return tooComplex(`Query complexity ${complexity} exceeds the limit of ${limits.maxComplexity}`, { complexity });
  }
  return undefined;
}

/**
 * Rejects operations deeper than `maxDepth` (QUERY_TOO_DEEP) or costlier than `maxComplexity`
 * (QUERY_TOO_COMPLEX) before anything is executed, so no backend is called for them.
 * The token and shape limits are Apollo options: `parseOptions` and `documentShapeRule` among the
 * `validationRules` (see gateway.ts).
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
