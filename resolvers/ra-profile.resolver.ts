import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { listAuthorities, listEndEntities, listProfileAttributes, listRaProfiles } from "../src/backends/czertainly/ra-profiles.js";
import { AttributeDefinition } from "../src/model/attribute.type.js";
import { Authority, EndEntity, RaProfile } from "../src/model/ra-profile.type.js";
import type { GatewayContext } from "../src/server/context.js";
import { czertainlyCall } from "../src/services/backend-calls.js";
import { loadAuthority } from "../src/services/node-lookup.js";

@Resolver(() => RaProfile)
export class RaProfileResolver {
  @Query(() => [RaProfile], { description: "CZERTAINLY RA profiles." })
  raProfiles(@Ctx() ctx: GatewayContext): Promise<RaProfile[]> {
    return listRaProfiles(czertainlyCall(ctx));
  }

  @Query(() => [Authority], { description: "CZERTAINLY authorities." })
  authorities(@Ctx() ctx: GatewayContext): Promise<Authority[]> {
    return listAuthorities(czertainlyCall(ctx));
  }

  @Query(() => [AttributeDefinition], { description: "Attributes the RA profile asks for when issuing." })
  issueAttributes(@Arg("raProfileId", () => ID) raProfileId: string, @Ctx() ctx: GatewayContext): Promise<AttributeDefinition[]> {
    return listProfileAttributes(czertainlyCall(ctx), raProfileId, "issue");
  }

  @Query(() => [AttributeDefinition], { description: "Attributes the RA profile asks for when revoking." })
  revokeAttributes(@Arg("raProfileId", () => ID) raProfileId: string, @Ctx() ctx: GatewayContext): Promise<AttributeDefinition[]> {
    return listProfileAttributes(czertainlyCall(ctx), raProfileId, "revoke");
  }

  @Query(() => [EndEntity], { description: "Legacy end entities of an RA profile (legacy authorities only)." })
  endEntities(@Arg("raProfileId", () => ID) raProfileId: string, @Ctx() ctx: GatewayContext): Promise<EndEntity[]> {
    return listEndEntities(czertainlyCall(ctx), raProfileId);
  }

  @FieldResolver(() => Authority, { nullable: true })
  authority(@Root() profile: RaProfile, @Ctx() ctx: GatewayContext): Promise<Authority | null> | null {
    return profile.authorityUuid ? loadAuthority(ctx, profile.authorityUuid) : null;
  }
}
