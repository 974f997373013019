import type { GraphQLError } from "graphql";
import { toGraphQLError } from "./to-graphql-error.js";

/** A backend's part that could not be read: the failure as a value, until the resolver reports it. */
export interface BackendFailure {
  backend: string;
  error: unknown;
}

/** A result with the failures of the backends whose part is missing from it. */
export interface WithFailures<T> {
  value: T;
  failures: BackendFailure[];
}

/** Every backend a result needed failed: the field fails with the first, the others are reported beside it. */
export class AllBackendsFailed extends Error {
  constructor(readonly failures: BackendFailure[]) {
    super("Every backend failed");
    this.name = "AllBackendsFailed";
  }
}

/**
 * The one place where per-backend failures become GraphQL errors: each becomes a typed error at the
 * field's path, added beside the data (partial result); when all failed, the field fails with the first.
 */
export async function reportFailures<T>(
  partialErrors: GraphQLError[],
  path: readonly (string | number)[],
  result: Promise<WithFailures<T>>,
): Promise<T> {
  try {
    const { value, failures } = await result;
    partialErrors.push(...failures.map(f => toGraphQLError(f.error, path)));
    return value;
  } catch (error) {
    if (!(error instanceof AllBackendsFailed)) throw error;
    const [first, ...rest] = error.failures.map(f => toGraphQLError(f.error, path));
    partialErrors.push(...rest);
    throw first;
  }
}
