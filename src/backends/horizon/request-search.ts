import type { HzRequestLike } from "./mapper.js";
import { ErrorCode } from "../../errors/error-codes.js";
import { gatewayError } from "../../errors/gateway-error.js";
import { RequestConnection } from "../../model/connection.types.js";
import type { RequestFilter } from "../../model/inputs/certificates.args.js";
import type { HorizonCall } from "./call.js";
import { headersFor } from "../credentials.js";
import { requestWithCertificate } from "./prime.js";
import { decodeCursor, encodeCursor, readWindow } from "../../domain/paging.js";

const quote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** Builds an HRQL query (lower-case field names, as Horizon requires). */
export function requestQuery(filter: RequestFilter | undefined): string | undefined {
  const parts: string[] = [];
  if (filter?.statuses?.length) {
    parts.push(`(${filter.statuses.map(s => `status equals ${quote(s.toLowerCase())}`).join(" or ")})`);
  }
  if (filter?.workflow) parts.push(`workflow equals ${quote(filter.workflow)}`);
  if (filter?.module) parts.push(`module equals ${quote(filter.module)}`);
  if (filter?.profile) parts.push(`profile equals ${quote(filter.profile)}`);
  if (filter?.requester) parts.push(`requester equals ${quote(filter.requester)}`);
  return parts.length ? parts.join(" and ") : undefined;
}

/** A page of Horizon requests (HRQL search, 1-based pages). */
export async function searchRequests(
  call: HorizonCall,
  args: { filter?: RequestFilter; first: number; after?: string },
  max: number,
): Promise<RequestConnection> {
  if (args.first > max) throw gatewayError(ErrorCode.BadUserInput, `first must be at most ${max}`);
  const start = args.after ? decodeCursor(args.after) : { backend: "HORIZON", offset: 0 };
  if (!start || start.backend !== "HORIZON") throw gatewayError(ErrorCode.BadUserInput, "after is not a cursor from this query");
  const headers = headersFor(call.creds, "horizon");
  const query = requestQuery(args.filter);
  const window = await readWindow<HzRequestLike>(
    async (pageIndex, pageSize) => {
      const res = await call.client.searchRequests({ query, pageIndex, pageSize, withCount: true }, { headers });
      return { items: res.results as HzRequestLike[], total: res.count ?? undefined, hasMore: res.hasMore };
    },
    start.offset,
    args.first,
  );
  const edges = window.items.map((r, k) => ({
    node: requestWithCertificate(call, r),
    cursor: encodeCursor({ backend: "HORIZON", offset: start.offset + k + 1 }),
  }));
  const connection = new RequestConnection();
  connection.edges = edges;
  connection.nodes = edges.map(e => e.node);
  connection.pageInfo = {
    hasNextPage: window.hasMore,
    hasPreviousPage: start.offset > 0,
    startCursor: edges[0]?.cursor,
    endCursor: edges.at(-1)?.cursor,
  };
  connection.totalCount = window.total;
  return connection;
}
