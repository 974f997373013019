import { Field, Int, ObjectType } from "type-graphql";

@ObjectType("DistinguishedName", { description: "An X.500 name, with its most used attributes split out." })
export class DistinguishedName {
  @Field(() => String, { description: "The full DN in RFC 4514 form." }) dn!: string;
  @Field(() => String, { nullable: true }) commonName?: string;
  @Field(() => String, { nullable: true }) organization?: string;
  @Field(() => String, { nullable: true }) organizationalUnit?: string;
  @Field(() => String, { nullable: true }) country?: string;
  @Field(() => String, { nullable: true }) locality?: string;
  @Field(() => String, { nullable: true }) stateOrProvince?: string;
  @Field(() => String, { nullable: true }) email?: string;
}

@ObjectType("SubjectAlternativeNames", { description: "Subject alternative names, by kind." })
export class SubjectAlternativeNames {
  @Field(() => [String]) dns!: string[];
  @Field(() => [String]) email!: string[];
  @Field(() => [String]) ip!: string[];
  @Field(() => [String]) uri!: string[];
  @Field(() => [String], { description: "Other kinds, as type:value." }) other!: string[];
}

@ObjectType("PublicKeyInfo", { description: "The certified public key." })
export class PublicKeyInfo {
  @Field(() => String, { description: "RSA, EC, or the algorithm name." }) algorithm!: string;
  @Field(() => Int, { nullable: true, description: "Key size in bits (curve size for EC)." }) size?: number;
  @Field(() => String, { nullable: true, description: "Named curve for EC keys." }) curve?: string;
}

@ObjectType("BasicConstraints")
export class BasicConstraints {
  @Field(() => Boolean) ca!: boolean;
  @Field(() => Int, { nullable: true }) pathLength?: number;
}

@ObjectType("Label", { description: "A key/value label (Horizon labels, CZERTAINLY groups)." })
export class Label {
  @Field(() => String) key!: string;
  @Field(() => String, { nullable: true }) value?: string;
}
