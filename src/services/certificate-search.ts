import type { GraphQLError } from "graphql";
import { certificateFromCzertainly, type CzCertificateLike } from "../backends/czertainly/mapper.js";
import { certificateFromHorizon, type HzCertificateLike } from "../backends/horizon/mapper.js";
import { fromGlobalId } from "../domain/ids.js";
import { czertainlyCodesFor } from "../domain/states.js";
import { ErrorCode } from "../errors/error-codes.js";
import { gatewayError } from "../errors/gateway-error.js";
import { toGraphQLError } from "../errors/to-graphql-error.js";
import { Certificate } from "../model/certificate.type.js";
import { CertificateConnection } from "../model/connection.types.js";
import { Backend, CertificateState } from "../model/enums.js";
import type { CertificateFilter } from "../model/inputs/certificates.args.js";
import type { GatewayContext } from "../server/context.js";
import { headersFor } from "../server/credentials.js";
import type { SearchFilterRequestDto } from "../backends/czertainly/wire.js";
import { decodeCursor, encodeCursor, readWindow, type Window } from "../domain/paging.js";

const HAS_CONTENT = new Set(["issued", "revoked", "pending_revoke"]);

type BackendWindow = (offset: number, size: number) => Promise<Window<Certificate>>;
type BackendCount = () => Promise<number | undefined>;

/** The backends a filter can match, in the order pages walk them. */
function backendsFor(filter: CertificateFilter | undefined): Backend[] {
  let list = filter?.backends?.length ? [Backend.CZERTAINLY, Backend.HORIZON].filter(b => filter.backends!.includes(b)) : [Backend.CZERTAINLY, Backend.HORIZON];
  if (filter?.raProfileId) list = list.filter(b => b === Backend.CZERTAINLY);
  if (filter?.horizonProfile) list = list.filter(b => b === Backend.HORIZON);
  const states = filter?.states;
  if (states?.length) {
    // Horizon holds issued certificates only.
    const hzStates = [CertificateState.ISSUED, CertificateState.REVOKED, CertificateState.EXPIRED];
    if (!states.some(s => hzStates.includes(s))) list = list.filter(b => b !== Backend.HORIZON);
  }
  return list;
}

async function czertainlyFilters(ctx: GatewayContext, filter: CertificateFilter | undefined) {
  const filters: SearchFilterRequestDto[] = [];
  const prop = (fieldIdentifier: string, condition: string, value?: unknown) =>
    filters.push({ fieldSource: "property", fieldIdentifier, condition, value });
  if (filter?.states?.length) prop("CERTIFICATE_STATE", "EQUALS", [...new Set(filter.states.flatMap(czertainlyCodesFor))]);
  const onlyExpired = filter?.states?.length === 1 && filter.states[0] === CertificateState.EXPIRED;
  const onlyIssued = filter?.states?.length === 1 && filter.states[0] === CertificateState.ISSUED;
  const now = new Date().toISOString();
  if (onlyExpired) prop("NOT_AFTER", "LESSER", now);
  if (onlyIssued) prop("NOT_AFTER", "GREATER", now);
  if (filter?.subjectContains) prop("SUBJECTDN", "CONTAINS", filter.subjectContains);
  if (filter?.expiringBefore) prop("NOT_AFTER", "LESSER", filter.expiringBefore.toISOString());
  if (filter?.raProfileId) {
    const { backendId } = fromGlobalId(filter.raProfileId, "RaProfile");
    const profile = await ctx.loaders.czRaProfile.load(backendId);
    prop("RA_PROFILE_NAME", "EQUALS", [profile?.name ?? backendId]);
  }
  return filters;
}

const hcqlString = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

function horizonQuery(filter: CertificateFilter | undefined): string | undefined {
  const parts: string[] = [];
  const statuses = (filter?.states ?? []).flatMap(s =>
    s === CertificateState.ISSUED ? ["valid"] : s === CertificateState.REVOKED ? ["revoked"] : s === CertificateState.EXPIRED ? ["expired"] : [],
  );
  if (statuses.length) parts.push(`(${statuses.map(s => `status is ${s}`).join(" or ")})`);
  if (filter?.subjectContains) parts.push(`dn contains ${hcqlString(filter.subjectContains)}`);
  if (filter?.expiringBefore) parts.push(`valid.until before ${hcqlString(filter.expiringBefore.toISOString())}`);
  if (filter?.horizonProfile) parts.push(`profile equals ${hcqlString(filter.horizonProfile)}`);
  return parts.length ? parts.join(" and ") : undefined;
}

function czertainlyCount(ctx: GatewayContext, filter: CertificateFilter | undefined): BackendCount {
  return async () => {
    const filters = await czertainlyFilters(ctx, filter);
    const headers = headersFor(ctx.creds, "czertainly");
    const res = await ctx.services.upstreams.czertainly.searchCertificates({ filters, itemsPerPage: 1, pageNumber: 1 }, { headers });
    return res.totalItems;
  };
}

function horizonCount(ctx: GatewayContext, filter: CertificateFilter | undefined): BackendCount {
  return async () => {
    const headers = headersFor(ctx.creds, "horizon");
    const query = horizonQuery(filter);
    const res = await ctx.services.upstreams.horizon.searchCertificates({ query, pageIndex: 1, pageSize: 1, withCount: true }, { headers });
    return res.count ?? undefined;
  };
}

function czertainlyWindow(ctx: GatewayContext, filter: CertificateFilter | undefined): BackendWindow {
  return async (offset, size) => {
    const filters = await czertainlyFilters(ctx, filter);
    const headers = headersFor(ctx.creds, "czertainly");
    const window = await readWindow<CzCertificateLike>(async (pageNumber, itemsPerPage) => {
      const res = await ctx.services.upstreams.czertainly.searchCertificates({ filters, itemsPerPage, pageNumber }, { headers });
      return { items: res.certificates as CzCertificateLike[], total: res.totalItems };
    }, offset, size);
    // The list DTO carries no content: one batch call fetches it for every certificate that has one.
    const withContent = window.items.filter(c => HAS_CONTENT.has(c.state ?? ""));
    const contents = await ctx.loaders.czContent.loadMany(withContent.map(c => c.uuid));
    const contentByUuid = new Map(withContent.map((c, i) => [c.uuid, contents[i]]));
    return {
      ...window,
      items: window.items.map(c => {
        const content = contentByUuid.get(c.uuid);
        return new Certificate(certificateFromCzertainly(c, typeof content === "string" ? content : undefined));
      }),
    };
  };
}

function horizonWindow(ctx: GatewayContext, filter: CertificateFilter | undefined): BackendWindow {
  return async (offset, size) => {
    const headers = headersFor(ctx.creds, "horizon");
    const query = horizonQuery(filter);
    const window = await readWindow<HzCertificateLike>(async (pageIndex, pageSize) => {
      const res = await ctx.services.upstreams.horizon.searchCertificates({ query, pageIndex, pageSize, withCount: true }, { headers });
      return { items: res.results as HzCertificateLike[], total: res.count ?? undefined, hasMore: res.hasMore };
    }, offset, size);
    for (const c of window.items) ctx.loaders.hzCertificate.prime(c._id, c);
    return { ...window, items: window.items.map(c => new Certificate(certificateFromHorizon(c))) };
  };
}

/**
 * One page over one backend or both: CZERTAINLY first, then Horizon, each filtered by the backend.
 * A backend that fails leaves its part out and adds a typed error beside the data.
 */
export async function searchCertificates(
  ctx: GatewayContext,
  args: { filter?: CertificateFilter; first: number; after?: string },
  path: readonly (string | number)[],
): Promise<CertificateConnection> {
  const max = ctx.services.config.maxPageSize;
  if (args.first > max) throw gatewayError(ErrorCode.BadUserInput, `first must be at most ${max}`);
  const backends = backendsFor(args.filter);
  const windows: Record<Backend, BackendWindow> = {
    [Backend.CZERTAINLY]: czertainlyWindow(ctx, args.filter),
    [Backend.HORIZON]: horizonWindow(ctx, args.filter),
  };
  const start = args.after ? decodeCursor(args.after) : { backend: backends[0] ?? Backend.CZERTAINLY, offset: 0 };
  const startIndex = start ? backends.indexOf(start.backend as Backend) : -1;
  if (!start || (backends.length && startIndex < 0)) throw gatewayError(ErrorCode.BadUserInput, "after is not a cursor from this query");

  const edges: { cursor: string; node: Certificate }[] = [];
  const totals = new Map<Backend, number | undefined>();
  const failures: GraphQLError[] = [];
  let hasNextPage = false;
  for (let i = startIndex; i >= 0 && i < backends.length; i++) {
    const backend = backends[i]!;
    const offset = i === startIndex ? start.offset : 0;
    const wanted = args.first - edges.length;
    if (wanted <= 0) {
      hasNextPage = true;
      break;
    }
    try {
      const window = await windows[backend](offset, wanted);
      totals.set(backend, window.total);
      window.items.forEach((node, k) => edges.push({ node, cursor: encodeCursor({ backend, offset: offset + k + 1 }) }));
      if (window.hasMore) {
        hasNextPage = true;
        break;
      }
    } catch (error) {
      failures.push(toGraphQLError(error, path));
    }
  }
  if (failures.length && failures.length >= backends.length - startIndex && edges.length === 0) {
    // Every backend failed: the field fails with the first error, and the others are still told.
    ctx.partialErrors.push(...failures.slice(1));
    throw failures[0];
  }
  ctx.partialErrors.push(...failures);

  const connection = new CertificateConnection();
  connection.edges = edges;
  connection.nodes = edges.map(e => e.node);
  connection.pageInfo = {
    hasNextPage,
    hasPreviousPage: Boolean(args.after),
    startCursor: edges[0]?.cursor,
    endCursor: edges.at(-1)?.cursor,
  };
  const counts: Record<Backend, BackendCount> = {
    [Backend.CZERTAINLY]: czertainlyCount(ctx, args.filter),
    [Backend.HORIZON]: horizonCount(ctx, args.filter),
  };
  // Totals already seen on this page cost nothing; the others cost one small search each.
  connection.countTotal = async () => {
    const parts = await Promise.all(backends.map(b => (totals.has(b) ? totals.get(b) : counts[b]().catch(() => undefined))));
    return parts.every(p => p !== undefined) ? parts.reduce<number>((a, b) => a + (b ?? 0), 0) : undefined;
  };
  return connection;
}
