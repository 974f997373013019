import { Arg, Ctx, ID, Int, Query, Resolver, Root, Subscription, type SubscribeResolverData } from "type-graphql";
import { ErrorCode } from "../src/errors/error-codes.js";
import { gatewayError } from "../src/errors/gateway-error.js";
import { toGraphQLError } from "../src/errors/to-graphql-error.js";
import type { StateEvent, WatchKind } from "../src/events/state-bus.js";
import { watchTarget } from "../src/events/state-events.js";
import type { WatchHub, WatchItem } from "../src/events/watch-hub.js";
import { createLoaders } from "../src/loaders/create-loaders.js";
import { Certificate, type CertificateRecord } from "../src/model/certificate.type.js";
import { CertificateState, RequestStatus } from "../src/model/enums.js";
import { Request, type RequestRecord } from "../src/model/request.type.js";
import type { GatewayContext } from "../src/server/context.js";

/** Longest a waiting query holds: below the usual 60 s proxy idle timeouts. */
export const MAX_WAIT_SECONDS = 30;
const DEFAULT_WAIT_SECONDS = 25;

function hubOf(ctx: GatewayContext): WatchHub {
  const hub = ctx.services.watch;
  if (!hub) throw gatewayError(ErrorCode.Internal, "Watching is not enabled on this gateway");
  return hub;
}

/** Validates the ids, then opens one stream over them; errors become GraphQL errors before any event. */
function openStream(kind: WatchKind, ids: string[], ctx: GatewayContext): AsyncIterable<WatchItem> {
  try {
    const unique = [...new Set(ids)];
    if (unique.length === 0) throw gatewayError(ErrorCode.BadUserInput, "Give at least one id");
    const max = ctx.services.config.maxPageSize;
    if (unique.length > max) throw gatewayError(ErrorCode.BadUserInput, `At most ${max} ids per subscription`);
    const targets = unique.map(id => watchTarget(kind, id));
    return hubOf(ctx).watch(targets, ctx.creds);
  } catch (error) {
    throw toGraphQLError(error);
  }
}

/**
 * Each event is resolved with new DataLoaders: a subscription's context lives as long as the subscription,
 * and nested fields (raProfile, key, request.certificate) must not be served from an earlier event's cache.
 */
function freshLoaders(ctx: GatewayContext): void {
  ctx.loaders = createLoaders(ctx.services.backends, ctx.creds, { onBatch: ctx.services.onLoaderBatch });
}

function eventOf(item: WatchItem): StateEvent {
  if (!item.ok) throw item.error;
  return item.event;
}

function certificateOf(event: StateEvent): Certificate {
  if (event.gone || event.kind !== "certificate" || !event.record) {
    throw gatewayError(ErrorCode.NotFound, "No such certificate (any more)", { id: event.id });
  }
  return new Certificate(event.record as CertificateRecord);
}

function requestOf(event: StateEvent): Request {
  if (event.gone || event.kind !== "request" || !event.record) {
    throw gatewayError(ErrorCode.NotFound, "No such request (any more)", { id: event.id });
  }
  return new Request(event.record as RequestRecord);
}

function waitMs(timeoutSeconds: number): number {
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0 || timeoutSeconds > MAX_WAIT_SECONDS) {
    throw gatewayError(ErrorCode.BadUserInput, `timeoutSeconds must be an integer from 0 to ${MAX_WAIT_SECONDS}`);
  }
  return timeoutSeconds * 1000;
}

const idArg = (data: SubscribeResolverData<unknown, Record<string, unknown>, GatewayContext>) => [String(data.args.id)];
const idsArg = (data: SubscribeResolverData<unknown, Record<string, unknown>, GatewayContext>) => (data.args.ids as string[]).map(String);

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => Certificate, {
    description:
      "The certificate's current state at once, then each change (PENDING_ISSUE → ISSUED, PENDING_REVOKE → REVOKED…); " +
      "completes when the state is final (ISSUED, REVOKED, FAILED, REJECTED, EXPIRED). One upstream watcher per " +
      "certificate however many subscribers; changes made through the gateway arrive without waiting for a poll.",
    subscribe: data => openStream("certificate", idArg(data), data.context),
  })
  certificateChanged(@Arg("id", () => ID) _id: string, @Root() item: WatchItem, @Ctx() ctx: GatewayContext): Certificate {
    freshLoaders(ctx);
    return certificateOf(eventOf(item));
  }

  @Subscription(() => Certificate, {
    description: "certificateChanged over several certificates: each one's current state, then each change; completes when all are final.",
    subscribe: data => openStream("certificate", idsArg(data), data.context),
  })
  certificatesChanged(@Arg("ids", () => [ID]) _ids: string[], @Root() item: WatchItem, @Ctx() ctx: GatewayContext): Certificate {
    freshLoaders(ctx);
    return certificateOf(eventOf(item));
  }

  @Subscription(() => Request, {
    description: "The Horizon request's current status at once, then each change; completes when final (COMPLETED, DENIED, CANCELED, FAILED).",
    subscribe: data => openStream("request", idArg(data), data.context),
  })
  requestChanged(@Arg("id", () => ID) _id: string, @Root() item: WatchItem, @Ctx() ctx: GatewayContext): Request {
    freshLoaders(ctx);
    return requestOf(eventOf(item));
  }

  @Subscription(() => Request, {
    description: "requestChanged over several requests; completes when all are final.",
    subscribe: data => openStream("request", idsArg(data), data.context),
  })
  requestsChanged(@Arg("ids", () => [ID]) _ids: string[], @Root() item: WatchItem, @Ctx() ctx: GatewayContext): Request {
    freshLoaders(ctx);
    return requestOf(eventOf(item));
  }

  @Query(() => Certificate, {
    nullable: true,
    description:
      "For clients that can only poll: answers as soon as the certificate's state differs from knownState (or is final), " +
      `else its unchanged state after timeoutSeconds (0–${MAX_WAIT_SECONDS}). Without knownState, the current state at once. ` +
      "Served by the same shared watcher as subscriptions: waiting callers cost no extra upstream calls. Null when there is no such certificate.",
  })
  async waitForCertificateChange(
    @Arg("id", () => ID) id: string,
    @Arg("knownState", () => CertificateState, { nullable: true }) knownState: CertificateState | undefined | null,
    @Arg("timeoutSeconds", () => Int, { defaultValue: DEFAULT_WAIT_SECONDS }) timeoutSeconds: number,
    @Ctx() ctx: GatewayContext,
  ): Promise<Certificate | null> {
    const timeout = waitMs(timeoutSeconds);
    const event = await hubOf(ctx).waitForChange(watchTarget("certificate", id), ctx.creds, knownState ?? undefined, timeout);
    return event.gone ? null : certificateOf(event);
  }

  @Query(() => Request, {
    nullable: true,
    description:
      "For clients that can only poll: answers as soon as the request's status differs from knownStatus (or is final), " +
      `else its unchanged status after timeoutSeconds (0–${MAX_WAIT_SECONDS}). Without knownStatus, the current status at once. Null when there is no such request.`,
  })
  async waitForRequestChange(
    @Arg("id", () => ID) id: string,
    @Arg("knownStatus", () => RequestStatus, { nullable: true }) knownStatus: RequestStatus | undefined | null,
    @Arg("timeoutSeconds", () => Int, { defaultValue: DEFAULT_WAIT_SECONDS }) timeoutSeconds: number,
    @Ctx() ctx: GatewayContext,
  ): Promise<Request | null> {
    const timeout = waitMs(timeoutSeconds);
    const event = await hubOf(ctx).waitForChange(watchTarget("request", id), ctx.creds, knownStatus ?? undefined, timeout);
    return event.gone ? null : requestOf(event);
  }
}
