import type { BackendAdapter, CertificateSearch } from "../backends/adapter.js";
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

interface Source {
  adapter: BackendAdapter<AnyLoaders>;
  search: CertificateSearch;
}

/** Every search of every matching backend, in the order pages walk them. */
function sourcesFor(ctx: GatewayContext, filter: CertificateFilter | undefined): Source[] {
  return adaptersFor(ctx, filter).flatMap(adapter => adapter.certificateSearches(ctx, filter).map(search => ({ adapter, search })));
}

/**
 * One page over one backend or several: each backend's searches in the registry's order, each filtered by
 * the backend itself; the cursor names the search and the position in it. A backend that fails leaves its
 * part out and is returned as a failure beside the data; when every backend the page needed failed, the
 * field fails (AllBackendsFailed).
 */
export async function searchCertificates(
  ctx: GatewayContext,
  args: { filter?: CertificateFilter; first: number; after?: string },
): Promise<WithFailures<CertificateConnection>> {
  const max = ctx.services.config.maxPageSize;
  if (args.first > max) throw gatewayError(ErrorCode.BadUserInput, `first must be at most ${max}`);
  const sources = sourcesFor(ctx, args.filter);
  const start = args.after ? decodeCursor(args.after) : { backend: sources[0]?.search.key ?? "", offset: 0 };
  const startIndex = start ? sources.findIndex(s => s.search.key === start.backend) : -1;
  if (!start || (sources.length && startIndex < 0)) throw gatewayError(ErrorCode.BadUserInput, "after is not a cursor from this query");

  const edges: { cursor: string; node: Certificate }[] = [];
  const totals = new Map<string, number | undefined>();
  const failures: BackendFailure[] = [];
  const failed = new Set<BackendAdapter<AnyLoaders>>();
  let hasNextPage = false;
  for (let i = startIndex; i >= 0 && i < sources.length; i++) {
    const { adapter, search } = sources[i]!;
    // A backend that failed once in this page is not asked again for its next search.
    if (failed.has(adapter)) continue;
    const offset = i === startIndex ? start.offset : 0;
    const wanted = args.first - edges.length;
    if (wanted <= 0) {
      hasNextPage = true;
      break;
    }
    try {
      const window = await search.window(offset, wanted);
      totals.set(search.key, window.total);
      window.items.forEach((node, k) => edges.push({ node, cursor: encodeCursor({ backend: search.key, offset: offset + k + 1 }) }));
      if (window.hasMore) {
        hasNextPage = true;
        break;
      }
    } catch (error) {
      failed.add(adapter);
      failures.push({ backend: adapter.key, error });
    }
  }
  const asked = new Set(sources.slice(Math.max(startIndex, 0)).map(s => s.adapter));
  if (failures.length && failed.size >= asked.size && edges.length === 0) throw new AllBackendsFailed(failures);

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
      sources.map(s => (totals.has(s.search.key) ? totals.get(s.search.key) : s.search.count().catch(() => undefined))),
    );
    return parts.every(p => p !== undefined) ? parts.reduce<number>((sum, p) => sum + (p ?? 0), 0) : undefined;
  };
  return { value: connection, failures };
}
