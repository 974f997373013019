import { Field, ID, Int, ObjectType } from "type-graphql";
import { Backend } from "./enums.js";
import { Node } from "./node.js";

@ObjectType("KeyItem", { description: "One part of a managed key (private, public…)." })
export class KeyItem {
  @Field(() => String) uuid!: string;
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => String, { nullable: true, description: "Private, Public, Secret or Split." }) type?: string;
  @Field(() => String, { nullable: true }) algorithm?: string;
  @Field(() => String, { nullable: true }) format?: string;
  @Field(() => Int, { nullable: true }) length?: number;
  @Field(() => String, { nullable: true }) state?: string;
  @Field(() => [String]) usage!: string[];
  @Field(() => Boolean, { nullable: true }) enabled?: boolean;
}

@ObjectType("Key", { implements: Node, description: "A CZERTAINLY managed key with its items." })
export class Key implements Node {
  @Field(() => ID) id!: string;
  @Field(() => Backend) backend!: Backend;
  @Field(() => String) backendId!: string;
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => Date, { nullable: true }) creationTime?: Date;
  @Field(() => String, { nullable: true }) tokenProfileName?: string;
  @Field(() => String, { nullable: true }) tokenInstanceName?: string;
  @Field(() => String, { nullable: true }) owner?: string;
  @Field(() => [KeyItem]) items!: KeyItem[];
}
