import { Ctx, Query, Resolver } from "type-graphql";
import { BackendInfo } from "../src/model/backend-info.type.js";
import { Backend } from "../src/model/enums.js";
import type { GatewayContext } from "../src/server/context.js";

@Resolver()
export class SystemResolver {
  @Query(() => [BackendInfo], { description: "The backends behind this gateway and whether they answer now." })
  async backends(@Ctx() ctx: GatewayContext): Promise<BackendInfo[]> {
    const { upstreams, embedded } = ctx.services;
    const [cz, hz] = await Promise.all([upstreams.czertainly.ping(), upstreams.horizon.ping()]);
    return [
      { backend: Backend.CZERTAINLY, embedded: embedded.czertainly, reachable: cz },
      { backend: Backend.HORIZON, embedded: embedded.horizon, reachable: hz },
    ];
  }
}
