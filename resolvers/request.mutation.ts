import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { RequestDecisionInput, SubmitRequestInput } from "../src/model/inputs/request.inputs.js";
import { OperationPayload } from "../src/model/payloads.js";
import type { GatewayContext } from "../src/server/context.js";
import { horizonCall } from "../src/services/backend-calls.js";
import { decideRequest, submitRequest } from "../src/backends/horizon/operations.js";
import { idempotent } from "../src/services/idempotent-operation.js";

@Resolver()
export class RequestMutationResolver {
  @Mutation(() => OperationPayload, {
    description: "Submit one Horizon request (webra enroll/revoke/update/recover/migrate/renew/import, est or scep enroll).",
  })
  submitRequest(@Arg("input", () => SubmitRequestInput) input: SubmitRequestInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    return idempotent(ctx, "submitRequest", input, () => submitRequest(horizonCall(ctx), input));
  }

  @Mutation(() => OperationPayload, { description: "Approve a pending Horizon request (needs approver rights on Horizon)." })
  approveRequest(@Arg("input", () => RequestDecisionInput) input: RequestDecisionInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    return idempotent(ctx, "approveRequest", input, () => decideRequest(horizonCall(ctx), "approve", input));
  }

  @Mutation(() => OperationPayload, { description: "Deny a pending Horizon request." })
  denyRequest(@Arg("input", () => RequestDecisionInput) input: RequestDecisionInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    return idempotent(ctx, "denyRequest", input, () => decideRequest(horizonCall(ctx), "deny", input));
  }
}
