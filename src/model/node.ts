import { Field, ID, InterfaceType } from "type-graphql";

@InterfaceType("Node", { description: "An object with a globally unique, opaque id (Relay Node)." })
export abstract class Node {
  @Field(() => ID, { description: "Opaque global id; pass it to node(id) or the matching query." })
  id!: string;
}
