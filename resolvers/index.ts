import type { NonEmptyArray } from "type-graphql";
import { CertificateMutationResolver } from "./certificate.mutation.js";
import { CertificateResolver } from "./certificate.resolver.js";
import { CzertainlyMutationResolver } from "./czertainly.mutation.js";
import { NodeResolver } from "./node.resolver.js";
import { RaProfileResolver } from "./ra-profile.resolver.js";
import { RequestMutationResolver } from "./request.mutation.js";
import { RequestResolver } from "./request.resolver.js";
import { SubscriptionResolver } from "./subscription.resolver.js";
import { SystemResolver } from "./system.resolver.js";

/** The one resolver list: the server, the schema emitter and the tests all build from it. */
// type-graphql types its resolver list with the global Function type.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  SystemResolver,
  NodeResolver,
  CertificateResolver,
  RequestResolver,
  RaProfileResolver,
  CertificateMutationResolver,
  RequestMutationResolver,
  CzertainlyMutationResolver,
  SubscriptionResolver,
];
