import { IsIn, IsOptional, MaxLength, MinLength, ValidateNested } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { RevocationReason } from "../enums.js";
import { DnElementInput, LabelInput, SanInput } from "./operation.inputs.js";
import { IsCertificateContent, IsCsr } from "./validators.js";

@InputType("RequestTargetInput", { description: "The certificate a Horizon request acts on: its id, or its PEM." })
export class RequestTargetInput {
  @Field(() => ID, { nullable: true }) @IsOptional() @MaxLength(512) certificateId?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsCertificateContent() certificatePem?: string;
}

@InputType("WebraEnrollInput")
export class WebraEnrollInput {
  @Field(() => String) @MaxLength(256) profile!: string;
  @Field(() => String, { nullable: true, description: "Decentralized: the PKCS#10 CSR." }) @IsOptional() @IsCsr() csr?: string;
  @Field(() => String, { nullable: true, description: "Centralized: key type to generate." }) @IsOptional() @MaxLength(64) keyType?: string;
  @Field(() => [DnElementInput], { nullable: true }) @IsOptional() @ValidateNested({ each: true }) subject?: DnElementInput[];
  @Field(() => [SanInput], { nullable: true }) @IsOptional() @ValidateNested({ each: true }) sans?: SanInput[];
  @Field(() => [LabelInput], { nullable: true }) @IsOptional() @ValidateNested({ each: true }) labels?: LabelInput[];
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(256) owner?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(256) team?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(256) contactEmail?: string;
  @Field(() => String, { nullable: true, description: "PKCS#12 password (manual mode). Write-only." })
  @IsOptional()
  @MinLength(1)
  @MaxLength(256)
  password?: string;
}

@InputType("WebraRevokeInput")
export class WebraRevokeInput extends RequestTargetInput {
  @Field(() => RevocationReason, { defaultValue: RevocationReason.UNSPECIFIED }) reason!: RevocationReason;
}

@InputType("WebraUpdateInput", { description: "Change labels, owner, team or contact of a certificate." })
export class WebraUpdateInput extends RequestTargetInput {
  @Field(() => [LabelInput], { nullable: true }) @IsOptional() @ValidateNested({ each: true }) labels?: LabelInput[];
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(256) owner?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(256) team?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(256) contactEmail?: string;
}

@InputType("WebraRecoverInput", { description: "Recover an escrowed key as a PKCS#12." })
export class WebraRecoverInput extends RequestTargetInput {
  @Field(() => String, { nullable: true, description: "PKCS#12 password (manual mode). Write-only." })
  @IsOptional()
  @MaxLength(256)
  password?: string;
}

@InputType("WebraMigrateInput", { description: "Move a certificate to another profile." })
export class WebraMigrateInput extends WebraUpdateInput {
  @Field(() => String, { description: "Target profile." }) @MaxLength(256) profile!: string;
}

@InputType("WebraRenewInput")
export class WebraRenewInput extends RequestTargetInput {
  @Field(() => String, { nullable: true }) @IsOptional() @IsCsr() csr?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(64) keyType?: string;
  @Field(() => String, { nullable: true, description: "Write-only." }) @IsOptional() @MaxLength(256) password?: string;
}

@InputType("WebraImportInput", { description: "Import an existing certificate (and its key when the profile escrows)." })
export class WebraImportInput {
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(256) profile?: string;
  @Field(() => String) @IsCertificateContent() certificatePem!: string;
  @Field(() => String, { nullable: true, description: "PEM private key, when the profile escrows. Write-only." })
  @IsOptional()
  @MaxLength(65536)
  privateKey?: string;
  @Field(() => [LabelInput], { nullable: true }) @IsOptional() @ValidateNested({ each: true }) labels?: LabelInput[];
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(256) owner?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(256) team?: string;
}

@InputType("ChallengeEnrollInput", { description: "EST or SCEP enrollment: creates a challenge." })
export class ChallengeEnrollInput {
  @Field(() => String) @MaxLength(256) profile!: string;
  @Field(() => String, { nullable: true, description: "DN the challenge is for (required by DN whitelists)." })
  @IsOptional()
  @MaxLength(2048)
  dn?: string;
  @Field(() => String, { nullable: true, description: "Challenge password (manual mode). Write-only." })
  @IsOptional()
  @MaxLength(256)
  password?: string;
}

@InputType("SubmitRequestInput", {
  description: "One Horizon request: set exactly one variant (GraphQL @oneOf style).",
})
export class SubmitRequestInput {
  @Field(() => WebraEnrollInput, { nullable: true }) @IsOptional() @ValidateNested() webraEnroll?: WebraEnrollInput;
  @Field(() => WebraRevokeInput, { nullable: true }) @IsOptional() @ValidateNested() webraRevoke?: WebraRevokeInput;
  @Field(() => WebraUpdateInput, { nullable: true }) @IsOptional() @ValidateNested() webraUpdate?: WebraUpdateInput;
  @Field(() => WebraRecoverInput, { nullable: true }) @IsOptional() @ValidateNested() webraRecover?: WebraRecoverInput;
  @Field(() => WebraMigrateInput, { nullable: true }) @IsOptional() @ValidateNested() webraMigrate?: WebraMigrateInput;
  @Field(() => WebraRenewInput, { nullable: true }) @IsOptional() @ValidateNested() webraRenew?: WebraRenewInput;
  @Field(() => WebraImportInput, { nullable: true }) @IsOptional() @ValidateNested() webraImport?: WebraImportInput;
  @Field(() => ChallengeEnrollInput, { nullable: true }) @IsOptional() @ValidateNested() estEnroll?: ChallengeEnrollInput;
  @Field(() => ChallengeEnrollInput, { nullable: true }) @IsOptional() @ValidateNested() scepEnroll?: ChallengeEnrollInput;
  @Field(() => Boolean, { defaultValue: false, description: "Validate only; Horizon acts on nothing." }) dryRun!: boolean;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(1000) comment?: string;
  @Field(() => String, { nullable: true, description: "Retry key: same key, same input → the first result, never twice." })
  @IsOptional()
  @MaxLength(128)
  idempotencyKey?: string;
}

@InputType("RequestDecisionInput")
export class RequestDecisionInput {
  @Field(() => ID) @MaxLength(512) requestId!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(1000) comment?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(128) idempotencyKey?: string;
}

@InputType("LegacyIssueInput", { description: "Legacy v1: issue from a PKCS#10 with end-entity username and password." })
export class LegacyIssueInput {
  @Field(() => ID) @MaxLength(512) raProfileId!: string;
  @Field(() => String) @MaxLength(256) username!: string;
  @Field(() => String, { description: "Write-only." }) @MaxLength(256) password!: string;
  @Field(() => String) @IsCsr() csr!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(128) idempotencyKey?: string;
}

@InputType("LegacyRevokeInput", { description: "Legacy v1: revoke by serial number and issuer DN." })
export class LegacyRevokeInput {
  @Field(() => ID) @MaxLength(512) raProfileId!: string;
  @Field(() => String) @MaxLength(128) serialNumber!: string;
  @Field(() => String) @MaxLength(2048) issuerDn!: string;
  @Field(() => RevocationReason, { defaultValue: RevocationReason.UNSPECIFIED }) reason!: RevocationReason;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(128) idempotencyKey?: string;
}

@InputType("EndEntityInput", { description: "Legacy v1 end entity to add or edit." })
export class EndEntityInput {
  @Field(() => ID) @MaxLength(512) raProfileId!: string;
  @Field(() => String) @MaxLength(256) username!: string;
  @Field(() => String, { description: "Write-only." }) @MaxLength(256) password!: string;
  @Field(() => String) @MaxLength(2048) subjectDn!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(256) email?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(2048) subjectAltName?: string;
  @Field(() => String, { nullable: true, description: "Edit only: new status (e.g. NEW, GENERATED)." })
  @IsOptional()
  @IsIn(["NEW", "FAILED", "INITIALIZED", "IN_PROCESS", "GENERATED", "REVOKED", "HISTORICAL", "KEY_RECOVERY", "WAITING_FOR_ADD_APPROVAL"])
  status?: string;
}
