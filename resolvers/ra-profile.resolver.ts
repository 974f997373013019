import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { attributeFromCzertainly, type CzAttributeLike } from "../src/backends/czertainly/attributes.mapper.js";
import { authorityFromCzertainly, endEntityFromCzertainly, raProfileFromCzertainly, type CzEndEntityLike } from "../src/backends/czertainly/mapper.js";
import { AttributeDefinition } from "../src/model/attribute.type.js";
import { Authority, EndEntity, RaProfile } from "../src/model/ra-profile.type.js";
import type { GatewayContext } from "../src/server/context.js";
import { headersFor } from "../src/server/credentials.js";
import { loadAuthority } from "../src/services/node-lookup.js";
import { resolveRaProfile } from "../src/backends/czertainly/ra-profile-target.js";

@Resolver(() => RaProfile)
export class RaProfileResolver {
  @Query(() => [RaProfile], { description: "CZERTAINLY RA profiles." })
  async raProfiles(@Ctx() ctx: GatewayContext): Promise<RaProfile[]> {
    return (await ctx.loaders.czRaProfiles()).map(raProfileFromCzertainly);
  }

  @Query(() => [Authority], { description: "CZERTAINLY authorities." })
  async authorities(@Ctx() ctx: GatewayContext): Promise<Authority[]> {
    return (await ctx.loaders.czAuthorities()).map(authorityFromCzertainly);
  }

  @Query(() => [AttributeDefinition], { description: "Attributes the RA profile asks for when issuing." })
  async issueAttributes(@Arg("raProfileId", () => ID) raProfileId: string, @Ctx() ctx: GatewayContext): Promise<AttributeDefinition[]> {
    const p = await resolveRaProfile(ctx, raProfileId);
    const list = await ctx.services.upstreams.czertainly.listIssueAttributes(p.authorityUuid, p.uuid, { headers: headersFor(ctx.creds, "czertainly") });
    return (list as CzAttributeLike[]).map(attributeFromCzertainly);
  }

  @Query(() => [AttributeDefinition], { description: "Attributes the RA profile asks for when revoking." })
  async revokeAttributes(@Arg("raProfileId", () => ID) raProfileId: string, @Ctx() ctx: GatewayContext): Promise<AttributeDefinition[]> {
    const p = await resolveRaProfile(ctx, raProfileId);
    const list = await ctx.services.upstreams.czertainly.listRevokeAttributes(p.authorityUuid, p.uuid, { headers: headersFor(ctx.creds, "czertainly") });
    return (list as CzAttributeLike[]).map(attributeFromCzertainly);
  }

  @Query(() => [EndEntity], { description: "Legacy end entities of an RA profile (legacy authorities only)." })
  async endEntities(@Arg("raProfileId", () => ID) raProfileId: string, @Ctx() ctx: GatewayContext): Promise<EndEntity[]> {
    const p = await resolveRaProfile(ctx, raProfileId);
    const list = await ctx.services.upstreams.czertainly.listEndEntities(p.name, { headers: headersFor(ctx.creds, "czertainly") });
    return (list as CzEndEntityLike[]).map(endEntityFromCzertainly);
  }

  @FieldResolver(() => Authority, { nullable: true })
  authority(@Root() profile: RaProfile, @Ctx() ctx: GatewayContext): Promise<Authority | null> | null {
    return profile.authorityUuid ? loadAuthority(ctx, profile.authorityUuid) : null;
  }
}
