import { Field, ObjectType } from "type-graphql";
import { Backend } from "./enums.js";

@ObjectType("BackendInfo", { description: "A backend the gateway talks to." })
export class BackendInfo {
  @Field(() => Backend) backend!: Backend;
  @Field(() => Boolean, { description: "True when the gateway started its embedded emulator for this backend." })
  embedded!: boolean;
  @Field(() => Boolean, { description: "Whether the backend answered a cheap read just now." }) reachable!: boolean;
}
