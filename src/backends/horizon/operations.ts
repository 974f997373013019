import { certificateFromHorizon, type HzCertificateLike, type HzRequestLike } from "./mapper.js";
import { enrollFromIssue, submitBody, variantsOf } from "./submit.js";
import { fromGlobalId } from "../../domain/ids.js";
import { ErrorCode } from "../../errors/error-codes.js";
import { gatewayError } from "../../errors/gateway-error.js";
import { Certificate } from "../../model/certificate.type.js";
import { Backend } from "../../model/enums.js";
import type { IssueInput, RenewInput, RevokeInput } from "../../model/inputs/operation.inputs.js";
import type { RequestDecisionInput, SubmitRequestInput } from "../../model/inputs/request.inputs.js";
import { OperationPayload } from "../../model/payloads.js";
import type { GatewayContext } from "../../server/context.js";
import { headersFor } from "../../server/credentials.js";
import { requestWithCertificate } from "../../services/node-lookup.js";

const opts = (ctx: GatewayContext) => ({ headers: headersFor(ctx.creds, "horizon") });

/** Horizon's _id behind a gateway Certificate id (Horizon certificates only). */
function horizonCertificateId(id: string): string {
  const { backend, backendId } = fromGlobalId(id, "Certificate");
  if (backend !== Backend.HORIZON) throw gatewayError(ErrorCode.BadUserInput, "certificateId must be a Horizon certificate");
  return backendId;
}

interface SubmitResponse extends HzRequestLike {
  pkcs12?: { value?: string } | null;
  password?: { value?: string } | null;
}

/** Maps a request Horizon answered with into a payload, and tells watchers. */
function requestPayload(ctx: GatewayContext, res: SubmitResponse, sentPassword: boolean): OperationPayload {
  const request = requestWithCertificate(ctx, res);
  const embedded = res.certificate as HzCertificateLike | null | undefined;
  const certificate = embedded?._id && embedded.certificate ? new Certificate(certificateFromHorizon(embedded)) : null;
  ctx.services.publish?.publishRequest(request);
  if (certificate) ctx.services.publish?.publishCertificate(certificate);
  return Object.assign(new OperationPayload(), {
    request,
    certificate,
    pkcs12: res.pkcs12?.value ?? null,
    // A password the caller sent is never echoed; one Horizon generated must reach the caller once.
    generatedPassword: sentPassword ? null : (res.password?.value ?? null),
    replayed: false,
  });
}

const sentPassword = (input: SubmitRequestInput) =>
  Boolean(
    input.webraEnroll?.password ?? input.webraRecover?.password ?? input.webraRenew?.password ?? input.estEnroll?.password ?? input.scepEnroll?.password,
  );

/** POST /api/v1/requests/submit for exactly one variant. */
export async function submitRequest(ctx: GatewayContext, input: SubmitRequestInput): Promise<OperationPayload> {
  const variants = variantsOf(input);
  if (variants.length !== 1) {
    throw gatewayError(ErrorCode.BadUserInput, `Set exactly one request variant (got ${variants.length ? variants.join(", ") : "none"})`);
  }
  const body = submitBody(input, variants[0]!, horizonCertificateId);
  const res = (await ctx.services.upstreams.horizon.submit(body as never, opts(ctx))) as SubmitResponse;
  return requestPayload(ctx, res, sentPassword(input));
}

export function horizonIssue(ctx: GatewayContext, input: IssueInput): Promise<OperationPayload> {
  return submitRequest(ctx, enrollFromIssue(input));
}

export function horizonRevoke(ctx: GatewayContext, input: RevokeInput): Promise<OperationPayload> {
  return submitRequest(ctx, {
    webraRevoke: { certificateId: input.certificateId, reason: input.reason },
    dryRun: false,
    comment: input.comment,
  } as SubmitRequestInput);
}

export function horizonRenew(ctx: GatewayContext, input: RenewInput): Promise<OperationPayload> {
  return submitRequest(ctx, {
    webraRenew: { certificateId: input.certificateId, csr: input.csr, password: input.password },
    dryRun: false,
    comment: input.comment,
  } as SubmitRequestInput);
}

/** Loads a request fresh: approve/deny/cancel need its module and workflow, and act on current state. */
async function currentRequest(ctx: GatewayContext, requestId: string): Promise<HzRequestLike> {
  const { backendId } = fromGlobalId(requestId, "Request");
  ctx.loaders.hzRequest.clear(backendId);
  const r = await ctx.loaders.hzRequest.load(backendId);
  if (!r) throw gatewayError(ErrorCode.NotFound, "No such request", { backend: "horizon" });
  return r;
}

export async function decideRequest(
  ctx: GatewayContext,
  decision: "approve" | "deny" | "cancel",
  input: RequestDecisionInput,
): Promise<OperationPayload> {
  const r = await currentRequest(ctx, input.requestId);
  const body = {
    _id: r._id,
    module: r.module,
    workflow: r.workflow,
    ...(decision !== "cancel" && input.comment ? { approverComment: input.comment } : {}),
  };
  const client = ctx.services.upstreams.horizon;
  const res = (await (decision === "approve"
    ? client.approve(body as never, opts(ctx))
    : decision === "deny"
      ? client.deny(body as never, opts(ctx))
      : client.cancel(body as never, opts(ctx)))) as SubmitResponse;
  return requestPayload(ctx, res, true);
}
