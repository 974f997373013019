import { Field, ObjectType } from "type-graphql";
import { GraphQLJSON } from "graphql-scalars";

@ObjectType("AttributeDefinition", {
  description: "A CZERTAINLY attribute an RA profile asks for when issuing or revoking (BaseAttribute).",
})
export class AttributeDefinition {
  @Field(() => String) uuid!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: "data, info, group, custom…" }) type?: string;
  @Field(() => String, { nullable: true, description: "string, integer, boolean, secret…" }) contentType?: string;
  @Field(() => String, { nullable: true }) label?: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => Boolean) required!: boolean;
  @Field(() => Boolean) readOnly!: boolean;
  @Field(() => Boolean) list!: boolean;
  @Field(() => Boolean) multiSelect!: boolean;
  @Field(() => GraphQLJSON, { nullable: true, description: "Constraints (regexp, range…) as the backend states them." })
  constraints?: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: "Default or selectable content." }) content?: unknown;
}
