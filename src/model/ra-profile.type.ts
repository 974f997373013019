import { Field, ID, ObjectType } from "type-graphql";
import { Backend } from "./enums.js";
import { Node } from "./node.js";

@ObjectType("Authority", { implements: Node, description: "A CZERTAINLY certification authority instance." })
export class Authority implements Node {
  @Field(() => ID) id!: string;
  @Field(() => Backend) backend!: Backend;
  @Field(() => String) backendId!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) status?: string;
  @Field(() => String, { nullable: true }) kind?: string;
  @Field(() => String, { nullable: true }) connectorName?: string;
}

@ObjectType("RaProfile", { implements: Node, description: "A CZERTAINLY RA profile: where certificates are issued and revoked." })
export class RaProfile implements Node {
  @Field(() => ID) id!: string;
  @Field(() => Backend) backend!: Backend;
  @Field(() => String) backendId!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => Boolean, { description: "True for legacy (v1) authorities: use the end-entity operations." })
  legacyAuthority!: boolean;
  /** Not a field: resolved into `authority` by the RA profile resolver. */
  authorityUuid?: string;
  @Field(() => String, { nullable: true }) authorityName?: string;
}

@ObjectType("EndEntity", { description: "A legacy CZERTAINLY end entity (v1 API)." })
export class EndEntity {
  @Field(() => String) username!: string;
  @Field(() => String) subjectDn!: string;
  @Field(() => String, { nullable: true }) email?: string;
  @Field(() => String, { nullable: true }) subjectAltName?: string;
  @Field(() => String) status!: string;
}
