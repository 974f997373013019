import type { BackendAdapter } from "../backends/adapter.js";
import type { AnyLoaders } from "../backends/registry.js";
import { decodeCursor, encodeCursor } from "../domain/paging.js";
import { ErrorCode } from "../errors/error-codes.js";
import { gatewayError } from "../errors/gateway-error.js";
import { AllBackendsFailed, type BackendFailure, type WithFailures } from "../errors/partial.js";
import type { Certificate } from "../model/certificate.type.js";
import { CertificateConnection } from "../model/connection.types.js";
import type { CertificateFilter } from "../model/inputs/certificates.args.js";
import type { GatewayContext } from "./context.js";

/** The adapters a filter can match, in the order pages walk them (the registry's order). */
function adaptersFor(ctx: GatewayContext, filter: CertificateFilter | undefined): BackendAdapter<AnyLoaders>[] {
  return ctx.services.backends.all.filter(adapter => {
    if (filter?.backends?.length && !filter.backends.includes(adapter.backend)) return false;
    if (!adapter.acceptsFilter(filter)) return false;
    const states = filter?.states;
    return !states?.length || states.some(s => adapter.capabilities.states.includes(s));
  });
}

/**
 * One page over one backend or several: each backend in the registry's order, each filtered by the
 * backend itself. A backend that fails leaves its part out and is returned as a failure beside the data;
 * when every backend the page needed failed, the first failure is thrown (the field fails).
 */
export async function searchCertificates(
  ctx: GatewayContext,
  args: { filter?: CertificateFilter; first: number; after?: string },
): Promise<WithFailures<CertificateConnection>> {
  const max = ctx.services.config.maxPageSize;
  if (args.first > max) throw gatewayError(ErrorCode.BadUserInput, `first must be at most ${max}`);
  const adapters = adaptersFor(ctx, args.filter);
  const start = args.after ? decodeCursor(args.after) : { backend: adapters[0]?.backend ?? "", offset: 0 };
  const startIndex = start ? adapters.findIndex(a => a.backend === start.backend) : -1;
  if (!start || (adapters.length && startIndex < 0)) throw gatewayError(ErrorCode.BadUserInput, "after is not a cursor from this query");

  const edges: { cursor: string; node: Certificate }[] = [];
  const totals = new Map<BackendAdapter<AnyLoaders>, number | undefined>();
  const failures: BackendFailure[] = [];
  let hasNextPage = false;
  for (let i = startIndex; i >= 0 && i < adapters.length; i++) {
    const adapter = adapters[i]!;
    const offset = i === startIndex ? start.offset : 0;
    const wanted = args.first - edges.length;
    if (wanted <= 0) {
      hasNextPage = true;
      break;
    }
    try {
      const window = await adapter.searchCertificates(ctx, args.filter, offset, wanted);
      totals.set(adapter, window.total);
      window.items.forEach((node, k) => edges.push({ node, cursor: encodeCursor({ backend: adapter.backend, offset: offset + k + 1 }) }));
      if (window.hasMore) {
        hasNextPage = true;
        break;
      }
    } catch (error) {
      failures.push({ backend: adapter.key, error });
    }
  }
  if (failures.length && failures.length >= adapters.length - startIndex && edges.length === 0) {
    // Every backend failed: the field fails with the first error, and the others are still told.
    throw new AllBackendsFailed(failures);
  }

  const connection = new CertificateConnection();
  connection.edges = edges;
  connection.nodes = edges.map(e => e.node);
  connection.pageInfo = {
    hasNextPage,
    hasPreviousPage: Boolean(args.after),
    startCursor: edges[0]?.cursor,
    endCursor: edges.at(-1)?.cursor,
  };
  // Totals already seen on this page cost nothing; the others cost one small search each.
  connection.countTotal = async () => {
    const parts = await Promise.all(
      adapters.map(a => (totals.has(a) ? totals.get(a) : a.countCertificates(ctx, args.filter).catch(() => undefined))),
    );
    return parts.every(p => p !== undefined) ? parts.reduce<number>((sum, p) => sum + (p ?? 0), 0) : undefined;
  };
  return { value: connection, failures };
}
