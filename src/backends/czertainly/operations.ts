import { revocationReasonForCzertainly } from "../../domain/states.js";
import type { Certificate } from "../../model/certificate.type.js";
import type {
  CancelPendingInput,
  FinalizeInput,
  IssueInput,
  RekeyInput,
  RenewInput,
  RevokeInput,
} from "../../model/inputs/operation.inputs.js";
import { toBase64Der } from "../../model/inputs/validators.js";
import { OperationPayload } from "../../model/payloads.js";
import type { GatewayContext } from "../../server/context.js";
import { headersFor } from "../../server/credentials.js";
import { czertainlyTarget, freshCzertainlyCertificate, toRequestAttributes } from "./target.js";
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
      ...csrPart(input.csr),
      attributes: toRequestAttributes(input.attributes),
      csrAttributes: toRequestAttributes(input.csrAttributes),
      ...(input.tokenProfileUuid ? { tokenProfileUuid: input.tokenProfileUuid } : {}),
      ...(input.keyUuid ? { keyUuid: input.keyUuid } : {}),
    },
    opts(ctx),
  );
  return after(ctx, res.uuid);
}

type CzClient = GatewayContext["services"]["upstreams"]["czertainly"];
type PathArgs = [authorityUuid: string, raProfileUuid: string, uuid: string];

/**
 * Runs one v2 operation on an existing certificate: loads it fresh (for its RA profile path), acts,
 * then re-reads the resulting certificate (a new uuid for renew/rekey, else the same one).
 */
async function onCertificate(
  ctx: GatewayContext,
  uuid: string,
  act: (client: CzClient, path: PathArgs, o: ReturnType<typeof opts>) => Promise<{ uuid?: string } | void>,
): Promise<OperationPayload> {
  const t = await czertainlyTarget(ctx, uuid);
  const result = await act(ctx.services.upstreams.czertainly, [t.authorityUuid, t.raProfileUuid, t.uuid], opts(ctx));
  return after(ctx, (result && result.uuid) || t.uuid);
}

const csrPart = (csr: string | undefined) => (csr ? { request: toBase64Der(csr), format: "pkcs10" as const } : {});

export const czertainlyIssueRequested = (ctx: GatewayContext, uuid: string) =>
  onCertificate(ctx, uuid, (c, path, o) => c.issueRequestedCertificate(...path, o));

export const czertainlyRevoke = (ctx: GatewayContext, uuid: string, input: RevokeInput) =>
  onCertificate(ctx, uuid, (c, path, o) =>
    c.revokeCertificate(
      ...path,
      { reason: revocationReasonForCzertainly(input.reason), attributes: toRequestAttributes(input.attributes), destroyKey: input.destroyKey ?? false },
      o,
    ),
  );

export const czertainlyRenew = (ctx: GatewayContext, uuid: string, input: RenewInput) =>
  onCertificate(ctx, uuid, (c, path, o) => c.renewCertificate(...path, { ...csrPart(input.csr), replaceInLocations: false }, o));

export const czertainlyRekey = (ctx: GatewayContext, uuid: string, input: RekeyInput) =>
  onCertificate(ctx, uuid, (c, path, o) =>
    c.rekeyCertificate(
      ...path,
      {
        ...csrPart(input.csr),
        ...(input.keyUuid ? { keyUuid: input.keyUuid } : {}),
        ...(input.tokenProfileUuid ? { tokenProfileUuid: input.tokenProfileUuid } : {}),
        replaceInLocations: false,
      },
      o,
    ),
  );

export const czertainlyFinalize = (ctx: GatewayContext, uuid: string, input: FinalizeInput) =>
  onCertificate(ctx, uuid, async (c, path, o) => {
    await c.finalizeIssue(...path, { certificate: toBase64Der(input.certificate), customAttributes: [] }, o);
  });

export const czertainlyConfirmRevoke = (ctx: GatewayContext, uuid: string) =>
  onCertificate(ctx, uuid, (c, path, o) => c.confirmRevoke(...path, o));

/** Core's cancel answer may show the state read before its update (contract §6.2): the re-read is the truth. */
export const czertainlyCancel = (ctx: GatewayContext, uuid: string, input: CancelPendingInput) =>
  onCertificate(ctx, uuid, async (c, path, o) => {
    await c.cancelPending(...path, input.reason ? { reason: input.reason } : {}, o);
  });
