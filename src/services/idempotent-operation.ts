import { OperationPayload } from "../model/payloads.js";
import type { GatewayContext } from "./context.js";

/** A replay returns the first result, minus what may be delivered once only (PKCS#12, generated passwords). */
function replayOf(first: OperationPayload): OperationPayload {
  return Object.assign(new OperationPayload(), { ...first, pkcs12: null, generatedPassword: null, replayed: true });
}

/** Tells watchers at once what a mutation saw (they need not wait for a poll). */
function publish(ctx: GatewayContext, payload: OperationPayload): OperationPayload {
  if (payload.request) ctx.services.publish?.publishRequest(payload.request);
  if (payload.certificate) ctx.services.publish?.publishCertificate(payload.certificate);
  return payload;
}

/** Runs a mutation at most once per (caller, mutation, idempotency key), and publishes what it did. */
export function idempotent(
  ctx: GatewayContext,
  mutation: string,
  input: { idempotencyKey?: string },
  action: () => Promise<OperationPayload>,
): Promise<OperationPayload> {
  return ctx.services.idempotency.run(
    { principal: ctx.creds.principal, mutation, key: input.idempotencyKey, input },
    async () => publish(ctx, await action()),
    replayOf,
  );
}
