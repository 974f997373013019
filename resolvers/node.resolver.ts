import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { ErrorCode } from "../src/errors/error-codes.js";
import { gatewayError } from "../src/errors/gateway-error.js";
import { Node } from "../src/model/node.js";
import type { GatewayContext } from "../src/server/context.js";
import { loadNode, type AnyNode } from "../src/services/node-lookup.js";

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: "Any object by its global id." })
  node(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<AnyNode | null> {
    return loadNode(ctx, id);
  }

  @Query(() => [Node], {
    nullable: "items",
    description: "Many objects by id (at most the gateway's MAX_PAGE_SIZE), batched per backend; null for ids the backends do not know.",
  })
  nodes(@Arg("ids", () => [ID]) ids: string[], @Ctx() ctx: GatewayContext): Promise<(AnyNode | null)[]> {
    const max = ctx.services.config.maxPageSize;
    if (ids.length > max) throw gatewayError(ErrorCode.BadUserInput, `ids may hold at most ${max} ids`);
    return Promise.all(ids.map(id => loadNode(ctx, id)));
  }
}
