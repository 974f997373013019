import type { NonEmptyArray } from "type-graphql";
import { CertificateResolver } from "./certificate.resolver.js";
import { NodeResolver } from "./node.resolver.js";
import { RaProfileResolver } from "./ra-profile.resolver.js";
import { RequestResolver } from "./request.resolver.js";
import { SystemResolver } from "./system.resolver.js";

/** The one resolver list: the server, the schema emitter and the tests all build from it. */
export const resolvers: NonEmptyArray<Function> = [
  SystemResolver,
  NodeResolver,
  CertificateResolver,
  RequestResolver,
  RaProfileResolver,
];
