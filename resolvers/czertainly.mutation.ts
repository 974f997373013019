import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { ValidateAttributesInput } from "../src/model/inputs/operation.inputs.js";
import { EndEntityInput, LegacyIssueInput, LegacyRevokeInput } from "../src/model/inputs/request.inputs.js";
import { EndEntityPayload, OperationPayload, ValidationResult } from "../src/model/payloads.js";
import type { GatewayContext } from "../src/server/context.js";
import { czertainlyCall } from "../src/services/backend-calls.js";
import { legacyIssue, legacyRevoke, saveEndEntity, validateAttributes } from "../src/backends/czertainly/legacy.js";
import { idempotent } from "../src/services/idempotent-operation.js";

/** CZERTAINLY-only operations: attribute validation and the legacy v1 end-entity API. */
@Resolver()
export class CzertainlyMutationResolver {
  @Mutation(() => ValidationResult, { description: "Check issue attributes against an RA profile without issuing." })
  validateIssueAttributes(@Arg("input", () => ValidateAttributesInput) input: ValidateAttributesInput, @Ctx() ctx: GatewayContext) {
    return validateAttributes(czertainlyCall(ctx), "issue", input);
  }

  @Mutation(() => ValidationResult, { description: "Check revoke attributes against an RA profile without revoking." })
  validateRevokeAttributes(@Arg("input", () => ValidateAttributesInput) input: ValidateAttributesInput, @Ctx() ctx: GatewayContext) {
    return validateAttributes(czertainlyCall(ctx), "revoke", input);
  }

  @Mutation(() => OperationPayload, { description: "Legacy v1: issue from a PKCS#10 with an end entity's username and password." })
  legacyIssue(@Arg("input", () => LegacyIssueInput) input: LegacyIssueInput, @Ctx() ctx: GatewayContext): Promise<OperationPayload> {
    return idempotent(ctx, "legacyIssue", input, () => legacyIssue(czertainlyCall(ctx), input));
  }

  @Mutation(() => Boolean, { description: "Legacy v1: revoke by serial number and issuer DN." })
  legacyRevoke(@Arg("input", () => LegacyRevokeInput) input: LegacyRevokeInput, @Ctx() ctx: GatewayContext): Promise<boolean> {
    return legacyRevoke(czertainlyCall(ctx), input);
  }

  @Mutation(() => EndEntityPayload, { description: "Legacy v1: add an end entity." })
  addEndEntity(@Arg("input", () => EndEntityInput) input: EndEntityInput, @Ctx() ctx: GatewayContext) {
    return saveEndEntity(czertainlyCall(ctx), input, "add");
  }

  @Mutation(() => EndEntityPayload, { description: "Legacy v1: edit an end entity." })
  editEndEntity(@Arg("input", () => EndEntityInput) input: EndEntityInput, @Ctx() ctx: GatewayContext) {
    return saveEndEntity(czertainlyCall(ctx), input, "edit");
  }
}
