import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { ErrorCode } from "../src/errors/error-codes.js";
import { gatewayError } from "../src/errors/gateway-error.js";
import { fromGlobalId } from "../src/domain/ids.js";
import { Backend } from "../src/model/enums.js";
import {
  CancelPendingInput,
  CertificateActionInput,
  FinalizeInput,
  IssueInput,
  RekeyInput,
  RenewInput,
  RevokeInput,
} from "../src/model/inputs/operation.inputs.js";
import { OperationPayload } from "../src/model/payloads.js";
import type { GatewayContext } from "../src/server/context.js";
import { certificateTarget, operationFor } from "../src/services/certificate-operations.js";
import { idempotent } from "../src/services/idempotent-operation.js";

/** Unified certificate operations, routed by the backend that holds the certificate (or the target profile). */
@Resolver()
export class CertificateMutationResolver {
  @Mutation(() => OperationPayload, {
    description: "Issue a certificate: to a CZERTAINLY RA profile (raProfileId) or as a Horizon webra enroll (horizonProfile).",
  })
  issue(@Arg("input", () => IssueInput) input: IssueInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    if (Boolean(input.raProfileId) === Boolean(input.horizonProfile)) {
      throw gatewayError(ErrorCode.BadUserInput, "Set exactly one of raProfileId (CZERTAINLY) and horizonProfile (Horizon)");
    }
    // The target profile names the backend: an RA profile is CZERTAINLY's, a Horizon profile Horizon's.
    const issue = operationFor(ctx, input.raProfileId ? Backend.CZERTAINLY : Backend.HORIZON, "issue");
    return idempotent(ctx, "issue", input, () => issue(ctx, input));
  }

  @Mutation(() => OperationPayload, { description: "Revoke: CZERTAINLY revoke, or a Horizon webra revoke request." })
  revoke(@Arg("input", () => RevokeInput) input: RevokeInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { backend, backendId } = certificateTarget(input.certificateId);
    const revoke = operationFor(ctx, backend, "revoke");
    return idempotent(ctx, "revoke", input, () => revoke(ctx, backendId, input));
  }

  @Mutation(() => OperationPayload, { description: "Renew: CZERTAINLY renew (new certificate, the old stays issued), or a Horizon webra renew." })
  renew(@Arg("input", () => RenewInput) input: RenewInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { backend, backendId } = certificateTarget(input.certificateId);
    const renew = operationFor(ctx, backend, "renew");
    return idempotent(ctx, "renew", input, () => renew(ctx, backendId, input));
  }

  @Mutation(() => OperationPayload, {
    description:
      "Cancel a pending operation: a CZERTAINLY certificate (PENDING_ISSUE → FAILED, PENDING_REVOKE → ISSUED) or a pending Horizon request.",
  })
  cancelPending(@Arg("input", () => CancelPendingInput) input: CancelPendingInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { type, backend, backendId } = fromGlobalId(input.id);
    if (type !== "Request" && type !== "Certificate") throw gatewayError(ErrorCode.BadUserInput, "id must be a Certificate or a Request");
    const cancel = operationFor(ctx, backend, type === "Request" ? "cancelRequest" : "cancelPending");
    return idempotent(ctx, "cancelPending", input, () => cancel(ctx, backendId, input));
  }

  @Mutation(() => OperationPayload, { description: "CZERTAINLY: finish an asynchronous issuance by uploading the issued certificate." })
  finalize(@Arg("input", () => FinalizeInput) input: FinalizeInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { backend, backendId } = certificateTarget(input.certificateId);
    const finalize = operationFor(ctx, backend, "finalize");
    return idempotent(ctx, "finalize", input, () => finalize(ctx, backendId, input));
  }

  @Mutation(() => OperationPayload, { description: "CZERTAINLY: confirm an asynchronous revocation (PENDING_REVOKE → REVOKED)." })
  confirmRevoke(@Arg("input", () => CertificateActionInput) input: CertificateActionInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { backend, backendId } = certificateTarget(input.certificateId);
    const confirmRevoke = operationFor(ctx, backend, "confirmRevoke");
    return idempotent(ctx, "confirmRevoke", input, () => confirmRevoke(ctx, backendId));
  }

  @Mutation(() => OperationPayload, { description: "CZERTAINLY: rekey (same subject, new key)." })
  rekey(@Arg("input", () => RekeyInput) input: RekeyInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { backend, backendId } = certificateTarget(input.certificateId);
    const rekey = operationFor(ctx, backend, "rekey");
    return idempotent(ctx, "rekey", input, () => rekey(ctx, backendId, input));
  }

  @Mutation(() => OperationPayload, { description: "CZERTAINLY: issue a certificate that is in state REQUESTED." })
  issueRequested(@Arg("input", () => CertificateActionInput) input: CertificateActionInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { backend, backendId } = certificateTarget(input.certificateId);
    const issueRequested = operationFor(ctx, backend, "issueRequested");
    return idempotent(ctx, "issueRequested", input, () => issueRequested(ctx, backendId));
  }
}
