import { Arg, Args, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from "type-graphql";
import type { GraphQLResolveInfo } from "graphql";
import { responsePathAsArray } from "graphql";
import { fromGlobalId } from "../src/domain/ids.js";
import { Certificate } from "../src/model/certificate.type.js";
import { CertificateConnection } from "../src/model/connection.types.js";
import { Backend } from "../src/model/enums.js";
import { CertificatesArgs } from "../src/model/inputs/certificates.args.js";
import { Key } from "../src/model/key.type.js";
import { RaProfile } from "../src/model/ra-profile.type.js";
import type { GatewayContext } from "../src/server/context.js";
import { reportFailures } from "../src/errors/partial.js";
import { searchCertificates } from "../src/services/certificate-search.js";
import { loadCertificate, loadKey, loadRaProfile } from "../src/services/node-lookup.js";

@Resolver(() => Certificate)
export class CertificateResolver {
  @Query(() => Certificate, { nullable: true, description: "One certificate by id; null when the backend has no such certificate." })
  certificate(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Certificate | null> {
    const { backend, backendId } = fromGlobalId(id, "Certificate");
    return loadCertificate(ctx, backend, backendId);
  }

  @Query(() => CertificateConnection, {
    description: "Certificates of one backend or both, filtered by the backends. A failing backend gives partial data and an error.",
  })
  certificates(@Args(() => CertificatesArgs) args: CertificatesArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo) {
    return reportFailures(ctx.partialErrors, responsePathAsArray(info.path), searchCertificates(ctx, args));
  }

  @FieldResolver(() => RaProfile, { nullable: true, description: "CZERTAINLY RA profile; null for Horizon certificates." })
  raProfile(@Root() cert: Certificate, @Ctx() ctx: GatewayContext): Promise<RaProfile | null> | null {
    return cert.record.raProfileUuid ? loadRaProfile(ctx, cert.record.raProfileUuid) : null;
  }

  @FieldResolver(() => Key, { nullable: true, description: "CZERTAINLY managed key of the certificate, when Core holds one." })
  async key(@Root() cert: Certificate, @Ctx() ctx: GatewayContext): Promise<Key | null> {
    if (cert.backend !== Backend.CZERTAINLY) return null;
    // List items carry no key reference: the detail does (or the key index, which remembers it).
    const keyUuid = cert.record.keyUuid ?? (await ctx.loaders.czKeyUuid.load(cert.backendId));
    return keyUuid ? loadKey(ctx, keyUuid) : null;
  }
}
