import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { fromGlobalId } from "../src/domain/ids.js";
import { Certificate } from "../src/model/certificate.type.js";
import { RequestConnection } from "../src/model/connection.types.js";
import { Backend } from "../src/model/enums.js";
import { RequestsArgs } from "../src/model/inputs/certificates.args.js";
import { Request } from "../src/model/request.type.js";
import type { GatewayContext } from "../src/server/context.js";
import { horizonCall } from "../src/services/backend-calls.js";
import { loadCertificate, loadRequest } from "../src/services/node-lookup.js";
import { searchRequests } from "../src/backends/horizon/request-search.js";

@Resolver(() => Request)
export class RequestResolver {
  @Query(() => Request, { nullable: true, description: "One Horizon request by id." })
  request(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Request | null> {
    const { backend, backendId } = fromGlobalId(id, "Request");
    return loadRequest(ctx, backend, backendId);
  }

  @Query(() => RequestConnection, { description: "Horizon requests, filtered by Horizon (HRQL)." })
  requests(@Args(() => RequestsArgs) args: RequestsArgs, @Ctx() ctx: GatewayContext): Promise<RequestConnection> {
    return searchRequests(horizonCall(ctx), args, ctx.services.config.maxPageSize);
  }

  @FieldResolver(() => Certificate, { nullable: true, description: "The certificate the request produced or targets." })
  certificate(@Root() request: Request, @Ctx() ctx: GatewayContext): Promise<Certificate | null> | null {
    const id = request.record.certificateBackendId;
    return id ? loadCertificate(ctx, Backend.HORIZON, id) : null;
  }
}
