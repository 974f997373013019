import type { HzRequest, HzRequestAction, HzSubmitRequest } from "../../backends/horizon/wire.js";
import { prepareChallenge } from "./challenge.js";
import type { OpCtx, Prepared } from "./context.js";
import { DAY_MS, newId, type StoredRequest } from "./model.js";
import { bad, forbidden, invalidRequest, requestNotFound } from "./problems.js";
import { prepareImport, prepareMigrate, prepareRevoke, prepareUpdate } from "./webra-manage.js";
import { prepareEnroll, prepareRecover, prepareRenew } from "./webra-issue.js";

/** Dispatches on module + workflow (revoke/update/recover may omit module: it comes from the certificate). */
function prepare(ctx: OpCtx, body: HzSubmitRequest): Prepared {
  if (!body || typeof body !== "object") throw invalidRequest("body must be a request object");
  const module = (body as { module?: string }).module ?? "webra";
  if (module === "est" || module === "scep") {
    if (body.workflow !== "enroll") throw invalidRequest(`${module} supports only the enroll workflow`);
    return prepareChallenge(ctx, body as never);
  }
  if (module !== "webra") throw invalidRequest(`unsupported module ${module}`);
  switch (body.workflow) {
    case "enroll":
      return prepareEnroll(ctx, body as never);
    case "revoke":
      return prepareRevoke(ctx, body as never);
    case "update":
      return prepareUpdate(ctx, body as never);
    case "recover":
      return prepareRecover(ctx, body as never);
    case "migrate":
      return prepareMigrate(ctx, body as never);
    case "renew":
      return prepareRenew(ctx, body as never);
    case "import":
      return prepareImport(ctx, body as never);
    default:
      throw invalidRequest(`unsupported workflow ${String((body as { workflow?: unknown }).workflow)}`);
  }
}

/** Runs a workflow and records the outcome on the request (WEBRA-ENROLL-011 if the CA fails unexpectedly). */
async function complete(ctx: OpCtx, stored: StoredRequest, prepared: Prepared): Promise<void> {
  const result = await prepared.run();
  Object.assign(stored.wire, result, { status: "completed", lastModificationDate: ctx.now() });
}

export async function submit(ctx: OpCtx, body: HzSubmitRequest): Promise<{ status: number; body: HzRequest }> {
  if (!ctx.account.canRequest) throw forbidden(`${ctx.account.apiId} may not submit requests`);
  const prepared = prepare(ctx, body);
  const now = ctx.now();
  const profile = ctx.state.profiles.get(prepared.profile);
  const b = body as HzSubmitRequest & { template?: Record<string, unknown> | null };
  const wire: HzRequest = {
    _id: newId(now),
    module: (body as { module?: string }).module ?? "webra",
    workflow: body.workflow,
    status: "pending",
    profile: prepared.profile,
    registrationDate: now,
    lastModificationDate: now,
    removeAt: now + 90 * DAY_MS,
    expirationDate: now + (profile?.requestTtlMs ?? 7 * DAY_MS),
    holderId: prepared.holderId,
    dn: prepared.dn,
    requester: ctx.account.apiId,
    approver: null,
    team: ctx.account.team ?? null,
    requesterComment: body.requesterComment ?? null,
    template: b.template ?? null,
    certificateId: prepared.certificateId ?? null,
    dryRun: body.dryRun ?? null,
    labels: [],
    metadata: [],
    triggerResults: [],
  };
  if (body.dryRun) return { status: 201, body: wire }; // validated, nothing stored or executed
  const stored: StoredRequest = { wire, body, requester: ctx.account.apiId };
  ctx.state.requests.set(wire._id, stored);
  if (!profile?.approval) await complete(ctx, stored, prepared);
  return { status: 201, body: wire };
}

/** Loads a request that must still be pending (REQ-003 / REQ-004 / REQ-005). */
function pendingRequest(ctx: OpCtx, action: HzRequestAction): StoredRequest {
  if (!action || typeof action._id !== "string") throw invalidRequest("_id is required");
  const stored = ctx.state.requests.get(action._id);
  if (!stored) throw requestNotFound(action._id);
  if (stored.wire.status !== "pending") throw bad("REQ-004", "Invalid Request status", `request is ${stored.wire.status}`);
  if ((stored.wire.expirationDate ?? Infinity) < ctx.now()) throw bad("REQ-005", "Expired Request");
  return stored;
}

export async function approve(ctx: OpCtx, action: HzRequestAction): Promise<HzRequest> {
  if (!ctx.account.canApprove) throw forbidden(`${ctx.account.apiId} may not approve`);
  const stored = pendingRequest(ctx, action);
  // Approver may edit the template; the workflow is re-validated against today's state.
  const body = action.template ? ({ ...stored.body, template: action.template } as HzSubmitRequest) : stored.body;
  const prepared = prepare(ctx, body);
  if (action.dryRun) return stored.wire;
  Object.assign(stored.wire, { approver: ctx.account.apiId, approverComment: action.approverComment ?? null });
  await complete(ctx, stored, prepared);
  return stored.wire;
}

export function deny(ctx: OpCtx, action: HzRequestAction): HzRequest {
  if (!ctx.account.canApprove) throw forbidden(`${ctx.account.apiId} may not deny`);
  const stored = pendingRequest(ctx, action);
  Object.assign(stored.wire, {
    status: "denied",
    approver: ctx.account.apiId,
    approverComment: action.approverComment ?? null,
    lastModificationDate: ctx.now(),
  });
  return stored.wire;
}

/** Cancel: the requester (or anyone who may approve). */
export function cancel(ctx: OpCtx, action: HzRequestAction): HzRequest {
  const stored = pendingRequest(ctx, action);
  if (stored.requester !== ctx.account.apiId && !ctx.account.canApprove) throw forbidden("only the requester may cancel");
  Object.assign(stored.wire, { status: "canceled", lastModificationDate: ctx.now() });
  return stored.wire;
}
