import type { AttributeDefinition } from "../../model/attribute.type.js";
import type { Authority, EndEntity, RaProfile } from "../../model/ra-profile.type.js";
import { headersFor } from "../credentials.js";
import { attributeFromCzertainly, type CzAttributeLike } from "./attributes.mapper.js";
import type { CzertainlyCall } from "./call.js";
import { authorityFromCzertainly, endEntityFromCzertainly, raProfileFromCzertainly, type CzEndEntityLike } from "./mapper.js";
import { resolveRaProfile } from "./ra-profile-target.js";

const opts = (call: CzertainlyCall) => ({ headers: headersFor(call.creds, "czertainly") });

export const listRaProfiles = async (call: CzertainlyCall): Promise<RaProfile[]> => (await call.loaders.czRaProfiles()).map(raProfileFromCzertainly);

export const listAuthorities = async (call: CzertainlyCall): Promise<Authority[]> =>
  (await call.loaders.czAuthorities()).map(authorityFromCzertainly);

/** The attributes an RA profile asks for when issuing or revoking. */
export async function listProfileAttributes(call: CzertainlyCall, raProfileId: string, kind: "issue" | "revoke"): Promise<AttributeDefinition[]> {
  const p = await resolveRaProfile(call, raProfileId);
  const list =
    kind === "issue"
      ? await call.client.listIssueAttributes(p.authorityUuid, p.uuid, opts(call))
      : await call.client.listRevokeAttributes(p.authorityUuid, p.uuid, opts(call));
  return (list as CzAttributeLike[]).map(attributeFromCzertainly);
}

/** Legacy end entities of an RA profile (legacy authorities only). */
export async function listEndEntities(call: CzertainlyCall, raProfileId: string): Promise<EndEntity[]> {
  const p = await resolveRaProfile(call, raProfileId);
  const list = await call.client.listEndEntities(p.name, opts(call));
  return (list as CzEndEntityLike[]).map(endEntityFromCzertainly);
}
