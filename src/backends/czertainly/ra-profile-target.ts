import { fromGlobalId } from "../../domain/ids.js";
import { ErrorCode } from "../../errors/error-codes.js";
import { gatewayError } from "../../errors/gateway-error.js";
import type { CzertainlyCall } from "./call.js";

export interface RaProfileTarget {
  uuid: string;
  name: string;
  authorityUuid: string;
  legacyAuthority: boolean;
}

/** Turns an RaProfile id into what CZERTAINLY paths need (authority uuid, name); NOT_FOUND when Core has no such profile. */
export async function resolveRaProfile(call: CzertainlyCall, raProfileId: string): Promise<RaProfileTarget> {
  const { backendId } = fromGlobalId(raProfileId, "RaProfile");
  const profile = await call.loaders.czRaProfile.load(backendId);
  if (!profile) throw gatewayError(ErrorCode.NotFound, "No such RA profile", { backend: "czertainly" });
  if (!profile.authorityInstanceUuid) throw gatewayError(ErrorCode.UpstreamBadResponse, "RA profile has no authority", { backend: "czertainly" });
  return { uuid: profile.uuid, name: profile.name, authorityUuid: profile.authorityInstanceUuid, legacyAuthority: profile.legacyAuthority ?? false };
}
