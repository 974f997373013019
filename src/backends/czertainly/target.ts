import { certificateFromCzertainly, type CzCertificateLike } from "./mapper.js";
import { ErrorCode } from "../../errors/error-codes.js";
import { gatewayError } from "../../errors/gateway-error.js";
import { Certificate } from "../../model/certificate.type.js";
import type { AttributeInput } from "../../model/inputs/operation.inputs.js";
import type { CzertainlyCall } from "./call.js";

/** A CZERTAINLY certificate with the path parts its v2 operations need. */
export interface CzTarget {
  uuid: string;
  authorityUuid: string;
  raProfileUuid: string;
  dto: CzCertificateLike;
}

/** Loads a CZERTAINLY certificate fresh (a mutation must act on current state) and its RA profile path. */
export async function czertainlyTarget(call: CzertainlyCall, certificateUuid: string): Promise<CzTarget> {
  call.loaders.czCertificate.clear(certificateUuid);
  const dto = await call.loaders.czCertificate.load(certificateUuid);
  if (!dto) throw gatewayError(ErrorCode.NotFound, "No such certificate", { backend: "czertainly" });
  const raProfileUuid = dto.raProfile?.uuid;
  const authorityUuid = dto.raProfile?.authorityInstanceUuid;
  if (!raProfileUuid || !authorityUuid) {
    throw gatewayError(ErrorCode.InvalidState, "The certificate has no RA profile, so CZERTAINLY cannot operate on it", { backend: "czertainly" });
  }
  return { uuid: certificateUuid, authorityUuid, raProfileUuid, dto };
}

/** Re-reads a CZERTAINLY certificate after an operation, bypassing the operation's cache. */
export async function freshCzertainlyCertificate(call: CzertainlyCall, uuid: string): Promise<Certificate | null> {
  call.loaders.czCertificate.clear(uuid);
  const dto = await call.loaders.czCertificate.load(uuid);
  return dto ? new Certificate(certificateFromCzertainly(dto)) : null;
}

/** AttributeInput → CZERTAINLY RequestAttribute (v2). */
export function toRequestAttributes(attributes: AttributeInput[] | undefined) {
  return (attributes ?? []).map(a => ({
    ...(a.uuid ? { uuid: a.uuid } : {}),
    name: a.name,
    contentType: a.contentType ?? "string",
    content: a.values.map(data => ({ data })),
  }));
}
