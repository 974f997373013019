import { Ctx, Query, Resolver } from "type-graphql";
import { BackendInfo } from "../src/model/backend-info.type.js";
import type { GatewayContext } from "../src/server/context.js";

@Resolver()
export class SystemResolver {
  @Query(() => [BackendInfo], { description: "The backends behind this gateway and whether they answer now." })
  backends(@Ctx() ctx: GatewayContext): Promise<BackendInfo[]> {
    const { backends, embedded } = ctx.services;
    return Promise.all(
      backends.all.map(async adapter => ({ backend: adapter.backend, embedded: embedded[adapter.key], reachable: await adapter.ping() })),
    );
  }
}
