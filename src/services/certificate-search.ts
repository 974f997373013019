import type { GraphQLError } from "graphql";
import { certificateFromCzertainly, type CzCertificateLike } from "../domain/czertainly.mapper.js";
import { certificateFromHorizon, type HzCertificateLike } from "../domain/horizon.mapper.js";
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
import type { SearchFilterRequestDto } from "../upstreams/czertainly/czertainly.wire.js";
import { decodeCursor, encodeCursor, readWindow, type Window } from "./paging.js";

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

type CzFilter = SearchFilterRequestDto;
const czProp = (fieldIdentifier: string, condition: string, value?: unknown): CzFilter => ({ fieldSource: "property", fieldIdentifier, condition, value });

/**
 * The state part of a CZERTAINLY search, as disjoint sets of filters that Core ANDs: Core has no OR
 * between fields, and ISSUED/EXPIRED are both the code `issued`, told apart by NOT_AFTER. So
 * `[EXPIRED, REVOKED]` is two searches, `state = revoked` and `state = issued AND notAfter < now`,
 * whose pages follow one another. `[]` means no CZERTAINLY state matches (skip the backend);
 * one empty set means no state filter.
 */
export function czertainlyStateSets(states: readonly CertificateState[] | undefined, now: Date): CzFilter[][] {
  if (!states?.length) return [[]];
  const issued = states.includes(CertificateState.ISSUED);
  const expired = states.includes(CertificateState.EXPIRED);
  const others = [...new Set(states.filter(s => s !== CertificateState.ISSUED && s !== CertificateState.EXPIRED).flatMap(czertainlyCodesFor))];
  if (issued && expired) return [[czProp("CERTIFICATE_STATE", "EQUALS", [...others, ...czertainlyCodesFor(CertificateState.ISSUED)])]];
  const sets: CzFilter[][] = [];
  if (others.length) sets.push([czProp("CERTIFICATE_STATE", "EQUALS", others)]);
  // An issued certificate reads EXPIRED once notAfter < now (stateFromCzertainly), ISSUED until then.
  if (issued) sets.push([czProp("CERTIFICATE_STATE", "EQUALS", ["issued"]), czProp("NOT_AFTER", "GREATER_OR_EQUAL", now.toISOString())]);
  if (expired) sets.push([czProp("CERTIFICATE_STATE", "EQUALS", ["issued"]), czProp("NOT_AFTER", "LESSER", now.toISOString())]);
  return sets;
}

/** The filters every CZERTAINLY search of this query shares (everything but the states). */
async function czertainlyBaseFilters(ctx: GatewayContext, filter: CertificateFilter | undefined): Promise<CzFilter[]> {
  const filters: CzFilter[] = [];
  if (filter?.subjectContains) filters.push(czProp("SUBJECTDN", "CONTAINS", filter.subjectContains));
  if (filter?.expiringBefore) filters.push(czProp("NOT_AFTER", "LESSER", filter.expiringBefore.toISOString()));
  if (filter?.raProfileId) {
    const { backendId } = fromGlobalId(filter.raProfileId, "RaProfile");
    const profile = await ctx.loaders.czRaProfile.load(backendId);
    filters.push(czProp("RA_PROFILE_NAME", "EQUALS", [profile?.name ?? backendId]));
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

function czertainlyCount(ctx: GatewayContext, filters: () => Promise<CzFilter[]>): BackendCount {
  return async () => {
    const headers = headersFor(ctx.creds, "czertainly");
    const res = await ctx.services.upstreams.czertainly.searchCertificates({ filters: await filters(), itemsPerPage: 1, pageNumber: 1 }, { headers });
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

function czertainlyWindow(ctx: GatewayContext, filters: () => Promise<CzFilter[]>): BackendWindow {
  return async (offset, size) => {
    const search = await filters();
    const headers = headersFor(ctx.creds, "czertainly");
    const window = await readWindow<CzCertificateLike>(async (pageNumber, itemsPerPage) => {
      const res = await ctx.services.upstreams.czertainly.searchCertificates({ filters: search, itemsPerPage, pageNumber }, { headers });
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
 * One backend search that pages on its own: Horizon is one; CZERTAINLY is one per state set
 * (czertainlyStateSets). `key` names it in cursors: the backend, with `#n` for the n-th further
 * CZERTAINLY search.
 */
interface Source {
  key: string;
  backend: Backend;
  window: BackendWindow;
  count: BackendCount;
}

function sourcesFor(ctx: GatewayContext, filter: CertificateFilter | undefined): Source[] {
  const sources: Source[] = [];
  for (const backend of backendsFor(filter)) {
    if (backend === Backend.HORIZON) {
      sources.push({ key: Backend.HORIZON, backend, window: horizonWindow(ctx, filter), count: horizonCount(ctx, filter) });
      continue;
    }
    let base: Promise<CzFilter[]> | undefined;
    const shared = () => (base ??= czertainlyBaseFilters(ctx, filter));
    czertainlyStateSets(filter?.states, new Date()).forEach((stateFilters, i) => {
      const filters = async () => [...stateFilters, ...(await shared())];
      sources.push({ key: i === 0 ? Backend.CZERTAINLY : `${Backend.CZERTAINLY}#${i}`, backend, window: czertainlyWindow(ctx, filters), count: czertainlyCount(ctx, filters) });
    });
  }
  return sources;
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
  const sources = sourcesFor(ctx, args.filter);
  const start = args.after ? decodeCursor(args.after) : { backend: sources[0]?.key ?? Backend.CZERTAINLY, offset: 0 };
  const startIndex = start ? sources.findIndex(s => s.key === start.backend) : -1;
  if (!start || (sources.length && startIndex < 0)) throw gatewayError(ErrorCode.BadUserInput, "after is not a cursor from this query");

  const edges: { cursor: string; node: Certificate }[] = [];
  const totals = new Map<string, number | undefined>();
  const failures: GraphQLError[] = [];
  const failed = new Set<Backend>();
  let hasNextPage = false;
  for (let i = startIndex; i >= 0 && i < sources.length; i++) {
    const source = sources[i]!;
    // A backend that failed once in this page is not asked again for its next state set.
    if (failed.has(source.backend)) continue;
    const offset = i === startIndex ? start.offset : 0;
    const wanted = args.first - edges.length;
    if (wanted <= 0) {
      hasNextPage = true;
      break;
    }
    try {
      const window = await source.window(offset, wanted);
      totals.set(source.key, window.total);
      window.items.forEach((node, k) => edges.push({ node, cursor: encodeCursor({ backend: source.key, offset: offset + k + 1 }) }));
      if (window.hasMore) {
        hasNextPage = true;
        break;
      }
    } catch (error) {
      failed.add(source.backend);
      failures.push(toGraphQLError(error, path));
    }
  }
  const asked = new Set(sources.slice(Math.max(startIndex, 0)).map(s => s.backend));
  if (failures.length && failed.size >= asked.size && edges.length === 0) {
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
  // Totals already seen on this page cost nothing; the others cost one small search each.
  connection.countTotal = async () => {
    const parts = await Promise.all(sources.map(s => (totals.has(s.key) ? totals.get(s.key) : s.count().catch(() => undefined))));
    return parts.every(p => p !== undefined) ? parts.reduce<number>((a, b) => a + (b ?? 0), 0) : undefined;
  };
  return connection;
}
