import { OperationPayload } from "../model/payloads.js";
import type { GatewayContext } from "../server/context.js";

/** A replay returns the first result, minus what may be delivered once only (PKCS#12, generated passwords). */
function replayOf(first: OperationPayload): OperationPayload {
  return Object.assign(new OperationPayload(), { ...first, pkcs12: null, generatedPassword: null, replayed: true });
}

/** Runs a mutation at most once per (caller, mutation, idempotency key). */
export function idempotent(
  ctx: GatewayContext,
  mutation: string,
  input: { idempotencyKey?: string },
  action: () => Promise<OperationPayload>,
): Promise<OperationPayload> {
  return ctx.services.idempotency.run(
    { principal: ctx.creds.principal, mutation, key: input.idempotencyKey, input },
    action,
    replayOf,
  );
}
