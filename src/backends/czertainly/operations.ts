import { revocationReasonForCzertainly } from "./states.js";
import type { Certificate } from "../../model/certificate.type.js";
import type { CancelPendingInput, FinalizeInput, IssueInput, RekeyInput, RenewInput, RevokeInput } from "../../model/inputs/operation.inputs.js";
import { toBase64Der } from "../../model/inputs/validators.js";
import { OperationPayload } from "../../model/payloads.js";
import type { CzertainlyCall } from "./call.js";
import { headersFor } from "../credentials.js";
import { czertainlyTarget, freshCzertainlyCertificate, toRequestAttributes } from "./target.js";
import { resolveRaProfile } from "./ra-profile-target.js";

const opts = (call: CzertainlyCall) => ({ headers: headersFor(call.creds, "czertainly") });

/** Wraps the resulting certificate (the caller's service layer tells watchers). */
export function certificatePayload(certificate: Certificate | null): OperationPayload {
  return Object.assign(new OperationPayload(), { certificate, request: null, replayed: false });
}

async function after(call: CzertainlyCall, uuid: string): Promise<OperationPayload> {
  return certificatePayload(await freshCzertainlyCertificate(call, uuid));
}

/** POST …/certificates: issue from a CSR, or from a key Core generates (token profile + CSR attributes). */
export async function czertainlyIssue(call: CzertainlyCall, input: IssueInput): Promise<OperationPayload> {
  const profile = await resolveRaProfile(call, input.raProfileId!);
  const res = await call.client.issueCertificate(
    profile.authorityUuid,
    profile.uuid,
    {
      ...csrPart(input.csr),
      attributes: toRequestAttributes(input.attributes),
      csrAttributes: toRequestAttributes(input.csrAttributes),
      ...(input.tokenProfileUuid ? { tokenProfileUuid: input.tokenProfileUuid } : {}),
      ...(input.keyUuid ? { keyUuid: input.keyUuid } : {}),
    },
    opts(call),
  );
  return after(call, res.uuid);
}

type CzClient = CzertainlyCall["client"];
type PathArgs = [authorityUuid: string, raProfileUuid: string, uuid: string];

/**
 * Runs one v2 operation on an existing certificate: loads it fresh (for its RA profile path), acts,
 * then re-reads the resulting certificate (a new uuid for renew/rekey, else the same one).
 */
async function onCertificate(
  call: CzertainlyCall,
  uuid: string,
  act: (client: CzClient, path: PathArgs, o: ReturnType<typeof opts>) => Promise<{ uuid?: string } | void>,
): Promise<OperationPayload> {
  const t = await czertainlyTarget(call, uuid);
  const result = await act(call.client, [t.authorityUuid, t.raProfileUuid, t.uuid], opts(call));
  return after(call, (result && result.uuid) || t.uuid);
}

const csrPart = (csr: string | undefined) => (csr ? { request: toBase64Der(csr), format: "pkcs10" as const } : {});

export const czertainlyIssueRequested = (call: CzertainlyCall, uuid: string) =>
  onCertificate(call, uuid, (c, path, o) => c.issueRequestedCertificate(...path, o));

export const czertainlyRevoke = (call: CzertainlyCall, uuid: string, input: RevokeInput) =>
  onCertificate(call, uuid, (c, path, o) =>
    c.revokeCertificate(
      ...path,
      {
        reason: revocationReasonForCzertainly(input.reason),
        attributes: toRequestAttributes(input.attributes),
        destroyKey: input.destroyKey ?? false,
      },
      o,
    ),
  );

export const czertainlyRenew = (call: CzertainlyCall, uuid: string, input: RenewInput) =>
  onCertificate(call, uuid, (c, path, o) => c.renewCertificate(...path, { ...csrPart(input.csr), replaceInLocations: false }, o));

export const czertainlyRekey = (call: CzertainlyCall, uuid: string, input: RekeyInput) =>
  onCertificate(call, uuid, (c, path, o) =>
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

export const czertainlyFinalize = (call: CzertainlyCall, uuid: string, input: FinalizeInput) =>
  onCertificate(call, uuid, async (c, path, o) => {
    await c.finalizeIssue(...path, { certificate: toBase64Der(input.certificate), customAttributes: [] }, o);
  });

export const czertainlyConfirmRevoke = (call: CzertainlyCall, uuid: string) => onCertificate(call, uuid, (c, path, o) => c.confirmRevoke(...path, o));

/** Core's cancel answer may show the state read before its update (contract §6.2): the re-read is the truth. */
export const czertainlyCancel = (call: CzertainlyCall, uuid: string, input: CancelPendingInput) =>
  onCertificate(call, uuid, async (c, path, o) => {
    await c.cancelPending(...path, input.reason ? { reason: input.reason } : {}, o);
  });
