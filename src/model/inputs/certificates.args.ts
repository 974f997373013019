import { IsOptional, Max, MaxLength, Min, ValidateNested } from "class-validator";
import { ArgsType, Field, ID, InputType, Int } from "type-graphql";
import { Backend, CertificateState, RequestStatus } from "../enums.js";

@InputType("CertificateFilter", { description: "Filters applied by the backends themselves (never in the gateway)." })
export class CertificateFilter {
  @Field(() => [Backend], { nullable: true, description: "Only these backends (default: both)." })
  backends?: Backend[];

  @Field(() => [CertificateState], { nullable: true }) states?: CertificateState[];

  @Field(() => String, { nullable: true, description: "Text the subject DN contains." })
  @MaxLength(256)
  subjectContains?: string;

  @Field(() => Date, { nullable: true, description: "Only certificates whose notAfter is before this instant." })
  expiringBefore?: Date;

  @Field(() => ID, { nullable: true, description: "Only certificates of this CZERTAINLY RA profile (implies CZERTAINLY)." })
  raProfileId?: string;

  @Field(() => String, { nullable: true, description: "Only certificates of this Horizon profile (implies HORIZON)." })
  @MaxLength(256)
  horizonProfile?: string;
}

@ArgsType()
export class CertificatesArgs {
  @Field(() => CertificateFilter, { nullable: true }) @IsOptional() @ValidateNested() filter?: CertificateFilter;

  @Field(() => Int, { defaultValue: 20, description: "Page size (at most the gateway's MAX_PAGE_SIZE)." })
  @Min(1)
  @Max(1000)
  first!: number;

  @Field(() => String, { nullable: true, description: "endCursor of the previous page." })
  @MaxLength(512)
  after?: string;
}

@InputType("RequestFilter")
export class RequestFilter {
  @Field(() => [RequestStatus], { nullable: true }) statuses?: RequestStatus[];
  @Field(() => String, { nullable: true }) @MaxLength(64) workflow?: string;
  @Field(() => String, { nullable: true }) @MaxLength(64) module?: string;
  @Field(() => String, { nullable: true }) @MaxLength(256) profile?: string;
  @Field(() => String, { nullable: true }) @MaxLength(256) requester?: string;
}

@ArgsType()
export class RequestsArgs {
  @Field(() => RequestFilter, { nullable: true }) @IsOptional() @ValidateNested() filter?: RequestFilter;
  @Field(() => Int, { defaultValue: 20 }) @Min(1) @Max(1000) first!: number;
  @Field(() => String, { nullable: true }) @MaxLength(512) after?: string;
}
