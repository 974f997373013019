import { revocationReasonForCzertainly } from "../domain/states.js";
import type { Certificate } from "../model/certificate.type.js";
import type {
  CancelPendingInput,
  CertificateActionInput,
  FinalizeInput,
  IssueInput,
  RekeyInput,
  RenewInput,
  RevokeInput,
} from "../model/inputs/operation.inputs.js";
import { toBase64Der } from "../model/inputs/validators.js";
import { OperationPayload } from "../model/payloads.js";
import type { GatewayContext } from "../server/context.js";
import { headersFor } from "../server/credentials.js";
import { czertainlyTarget, freshCzertainlyCertificate, toRequestAttributes } from "./certificate-target.js";
import { resolveRaProfile } from "./ra-profile-target.js";

const opts = (ctx: GatewayContext) => ({ headers: headersFor(ctx.creds, "czertainly") });

/** Wraps the resulting certificate and tells watchers at once. */
export function certificatePayload(ctx: GatewayContext, certificate: Certificate | null): OperationPayload {
  if (certificate) ctx.services.publish?.publishCertificate(certificate);
  return Object.assign(new OperationPayload(), { certificate, request: null, replayed: false });
}

async function after(ctx: GatewayContext, uuid: string): Promise<OperationPayload> {
  return certificatePayload(ctx, await freshCzertainlyCertificate(ctx, uuid));
}

/** POST …/certificates: issue from a CSR, or from a key Core generates (token profile + CSR attributes). */
export async function czertainlyIssue(ctx: GatewayContext, input: IssueInput): Promise<OperationPayload> {
  const profile = await resolveRaProfile(ctx, input.raProfileId!);
  const res = await ctx.services.upstreams.czertainly.issueCertificate(
    profile.authorityUuid,
    profile.uuid,
    {
      ...(input.csr ? { request: toBase64Der(input.csr), format: "pkcs10" } : {}),
      attributes: toRequestAttributes(input.attributes),
      csrAttributes: toRequestAttributes(input.csrAttributes),
      ...(input.tokenProfileUuid ? { tokenProfileUuid: input.tokenProfileUuid } : {}),
      ...(input.keyUuid ? { keyUuid: input.keyUuid } : {}),
    },
    opts(ctx),
  );
  return after(ctx, res.uuid);
}

export async function czertainlyIssueRequested(ctx: GatewayContext, uuid: string, _input: CertificateActionInput): Promise<OperationPayload> {
  const t = await czertainlyTarget(ctx, uuid);
  const res = await ctx.services.upstreams.czertainly.issueRequestedCertificate(t.authorityUuid, t.raProfileUuid, t.uuid, opts(ctx));
  return after(ctx, res.uuid ?? t.uuid);
}

export async function czertainlyRevoke(ctx: GatewayContext, uuid: string, input: RevokeInput): Promise<OperationPayload> {
  const t = await czertainlyTarget(ctx, uuid);
  await ctx.services.upstreams.czertainly.revokeCertificate(
    t.authorityUuid,
    t.raProfileUuid,
    t.uuid,
    { reason: revocationReasonForCzertainly(input.reason), attributes: toRequestAttributes(input.attributes), destroyKey: input.destroyKey ?? false },
    opts(ctx),
  );
  return after(ctx, t.uuid);
}

export async function czertainlyRenew(ctx: GatewayContext, uuid: string, input: RenewInput): Promise<OperationPayload> {
  const t = await czertainlyTarget(ctx, uuid);
  const res = await ctx.services.upstreams.czertainly.renewCertificate(
    t.authorityUuid,
    t.raProfileUuid,
    t.uuid,
    { ...(input.csr ? { request: toBase64Der(input.csr), format: "pkcs10" } : {}), replaceInLocations: false },
    opts(ctx),
  );
  return after(ctx, res.uuid);
}

export async function czertainlyRekey(ctx: GatewayContext, uuid: string, input: RekeyInput): Promise<OperationPayload> {
  const t = await czertainlyTarget(ctx, uuid);
  const res = await ctx.services.upstreams.czertainly.rekeyCertificate(
    t.authorityUuid,
    t.raProfileUuid,
    t.uuid,
    {
      ...(input.csr ? { request: toBase64Der(input.csr), format: "pkcs10" } : {}),
      ...(input.keyUuid ? { keyUuid: input.keyUuid } : {}),
      ...(input.tokenProfileUuid ? { tokenProfileUuid: input.tokenProfileUuid } : {}),
      replaceInLocations: false,
    },
    opts(ctx),
  );
  return after(ctx, res.uuid);
}

export async function czertainlyFinalize(ctx: GatewayContext, uuid: string, input: FinalizeInput): Promise<OperationPayload> {
  const t = await czertainlyTarget(ctx, uuid);
  await ctx.services.upstreams.czertainly.finalizeIssue(
    t.authorityUuid,
    t.raProfileUuid,
    t.uuid,
    { certificate: toBase64Der(input.certificate), customAttributes: [] },
    opts(ctx),
  );
  return after(ctx, t.uuid);
}

export async function czertainlyConfirmRevoke(ctx: GatewayContext, uuid: string): Promise<OperationPayload> {
  const t = await czertainlyTarget(ctx, uuid);
  await ctx.services.upstreams.czertainly.confirmRevoke(t.authorityUuid, t.raProfileUuid, t.uuid, opts(ctx));
  return after(ctx, t.uuid);
}

export async function czertainlyCancel(ctx: GatewayContext, uuid: string, input: CancelPendingInput): Promise<OperationPayload> {
  const t = await czertainlyTarget(ctx, uuid);
  await ctx.services.upstreams.czertainly.cancelPending(
    t.authorityUuid,
    t.raProfileUuid,
    t.uuid,
    (input.reason ? { reason: input.reason } : {}),
    opts(ctx),
  );
  return after(ctx, t.uuid);
}
