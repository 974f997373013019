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
import type { HorizonCall } from "./call.js";
import { headersFor } from "../credentials.js";
import { requestWithCertificate } from "./prime.js";

const opts = (call: HorizonCall) => ({ headers: headersFor(call.creds, "horizon") });

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

/** Maps a request Horizon answered with into a payload (the caller's service layer tells watchers). */
function requestPayload(call: HorizonCall, res: SubmitResponse, sentPassword: boolean): OperationPayload {
  const request = requestWithCertificate(call, res);
  const embedded = res.certificate as HzCertificateLike | null | undefined;
  const certificate = embedded?._id && embedded.certificate ? new Certificate(certificateFromHorizon(embedded)) : null;
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
    input.webraEnroll?.password ??
    input.webraRecover?.password ??
    input.webraRenew?.password ??
    input.estEnroll?.password ??
    input.scepEnroll?.password,
  );

/** POST /api/v1/requests/submit for exactly one variant. */
export async function submitRequest(call: HorizonCall, input: SubmitRequestInput): Promise<OperationPayload> {
  const variants = variantsOf(input);
  if (variants.length !== 1) {
    throw gatewayError(ErrorCode.BadUserInput, `Set exactly one request variant (got ${variants.length ? variants.join(", ") : "none"})`);
  }
  const body = submitBody(input, variants[0]!, horizonCertificateId);
  const res = (await call.client.submit(body as never, opts(call))) as SubmitResponse;
  return requestPayload(call, res, sentPassword(input));
}

export function horizonIssue(call: HorizonCall, input: IssueInput): Promise<OperationPayload> {
  return submitRequest(call, enrollFromIssue(input));
}

export function horizonRevoke(call: HorizonCall, input: RevokeInput): Promise<OperationPayload> {
  return submitRequest(call, {
    webraRevoke: { certificateId: input.certificateId, reason: input.reason },
    dryRun: false,
    comment: input.comment,
  } as SubmitRequestInput);
}

export function horizonRenew(call: HorizonCall, input: RenewInput): Promise<OperationPayload> {
  return submitRequest(call, {
    webraRenew: { certificateId: input.certificateId, csr: input.csr, password: input.password },
    dryRun: false,
    comment: input.comment,
  } as SubmitRequestInput);
}

/** Loads a request fresh: approve/deny/cancel need its module and workflow, and act on current state. */
async function currentRequest(call: HorizonCall, requestId: string): Promise<HzRequestLike> {
  const { backendId } = fromGlobalId(requestId, "Request");
  call.loaders.hzRequest.clear(backendId);
  const r = await call.loaders.hzRequest.load(backendId);
  if (!r) throw gatewayError(ErrorCode.NotFound, "No such request", { backend: "horizon" });
  return r;
}

export async function decideRequest(
  call: HorizonCall,
  decision: "approve" | "deny" | "cancel",
  input: RequestDecisionInput,
): Promise<OperationPayload> {
  const r = await currentRequest(call, input.requestId);
  const body = {
    _id: r._id,
    module: r.module,
    workflow: r.workflow,
    ...(decision !== "cancel" && input.comment ? { approverComment: input.comment } : {}),
  };
  const client = call.client;
  const res = (await (decision === "approve"
    ? client.approve(body as never, opts(call))
    : decision === "deny"
      ? client.deny(body as never, opts(call))
      : client.cancel(body as never, opts(call)))) as SubmitResponse;
  return requestPayload(call, res, true);
}
