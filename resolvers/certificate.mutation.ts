import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { ErrorCode } from "../src/errors/error-codes.js";
import { gatewayError } from "../src/errors/gateway-error.js";
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
import { certificateIdFor } from "../src/backends/czertainly/target.js";
import {
  czertainlyCancel,
  czertainlyConfirmRevoke,
  czertainlyFinalize,
  czertainlyIssue,
  czertainlyIssueRequested,
  czertainlyRekey,
  czertainlyRenew,
  czertainlyRevoke,
} from "../src/backends/czertainly/operations.js";
import { decideRequest, horizonIssue, horizonRenew, horizonRevoke } from "../src/backends/horizon/operations.js";
import { idempotent } from "../src/services/idempotent-operation.js";
import { fromGlobalId } from "../src/domain/ids.js";

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
    return idempotent(ctx, "issue", input, () => (input.raProfileId ? czertainlyIssue(ctx, input) : horizonIssue(ctx, input)));
  }

  @Mutation(() => OperationPayload, { description: "Revoke: CZERTAINLY revoke, or a Horizon webra revoke request." })
  revoke(@Arg("input", () => RevokeInput) input: RevokeInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { backend, backendId } = certificateIdFor(input.certificateId);
    return idempotent(ctx, "revoke", input, () =>
      backend === Backend.CZERTAINLY ? czertainlyRevoke(ctx, backendId, input) : horizonRevoke(ctx, input),
    );
  }

  @Mutation(() => OperationPayload, { description: "Renew: CZERTAINLY renew (new certificate, the old stays issued), or a Horizon webra renew." })
  renew(@Arg("input", () => RenewInput) input: RenewInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { backend, backendId } = certificateIdFor(input.certificateId);
    return idempotent(ctx, "renew", input, () =>
      backend === Backend.CZERTAINLY ? czertainlyRenew(ctx, backendId, input) : horizonRenew(ctx, input),
    );
  }

  @Mutation(() => OperationPayload, {
    description: "Cancel a pending operation: a CZERTAINLY certificate (PENDING_ISSUE → FAILED, PENDING_REVOKE → ISSUED) or a pending Horizon request.",
  })
  cancelPending(@Arg("input", () => CancelPendingInput) input: CancelPendingInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { type, backendId } = fromGlobalId(input.id);
    if (type === "Request") {
      return idempotent(ctx, "cancelPending", input, () => decideRequest(ctx, "cancel", { requestId: input.id }));
    }
    certificateIdFor(input.id, Backend.CZERTAINLY);
    return idempotent(ctx, "cancelPending", input, () => czertainlyCancel(ctx, backendId, input));
  }

  @Mutation(() => OperationPayload, { description: "CZERTAINLY: finish an asynchronous issuance by uploading the issued certificate." })
  finalize(@Arg("input", () => FinalizeInput) input: FinalizeInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { backendId } = certificateIdFor(input.certificateId, Backend.CZERTAINLY);
    return idempotent(ctx, "finalize", input, () => czertainlyFinalize(ctx, backendId, input));
  }

  @Mutation(() => OperationPayload, { description: "CZERTAINLY: confirm an asynchronous revocation (PENDING_REVOKE → REVOKED)." })
  confirmRevoke(@Arg("input", () => CertificateActionInput) input: CertificateActionInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { backendId } = certificateIdFor(input.certificateId, Backend.CZERTAINLY);
    return idempotent(ctx, "confirmRevoke", input, () => czertainlyConfirmRevoke(ctx, backendId));
  }

  @Mutation(() => OperationPayload, { description: "CZERTAINLY: rekey (same subject, new key)." })
  rekey(@Arg("input", () => RekeyInput) input: RekeyInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { backendId } = certificateIdFor(input.certificateId, Backend.CZERTAINLY);
    return idempotent(ctx, "rekey", input, () => czertainlyRekey(ctx, backendId, input));
  }

  @Mutation(() => OperationPayload, { description: "CZERTAINLY: issue a certificate that is in state REQUESTED." })
  issueRequested(@Arg("input", () => CertificateActionInput) input: CertificateActionInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    const { backendId } = certificateIdFor(input.certificateId, Backend.CZERTAINLY);
    return idempotent(ctx, "issueRequested", input, () => czertainlyIssueRequested(ctx, backendId));
  }
}
