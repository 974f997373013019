import { ArrayMaxSize, IsIn, IsOptional, IsUUID, Matches, MaxLength, MinLength, ValidateNested } from "class-validator";
import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, InputType } from "type-graphql";
import { RevocationReason } from "../enums.js";
import { IsCertificateContent, IsCsr } from "./validators.js";

const IDEMPOTENCY_KEY = {
  nullable: true,
  description:
    "Any string up to 128 characters. A retried call with the same key (same caller, same mutation, same input) returns the first result and never acts twice.",
};

@InputType("AttributeInput", { description: "A CZERTAINLY request attribute (RequestAttribute)." })
export class AttributeInput {
  @Field(() => String) @MaxLength(256) name!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsUUID() uuid?: string;
  @Field(() => String, { nullable: true, description: "string, integer, boolean, secret… (default string)" })
  @IsOptional()
  @MaxLength(32)
  contentType?: string;
  @Field(() => [GraphQLJSON], { description: "The values (the `data` of each content item)." })
  @ArrayMaxSize(100)
  values!: unknown[];
}

@InputType("DnElementInput", { description: 'A subject DN element for Horizon templates, e.g. {element: "cn.1", value: "app.example.com"}.' })
export class DnElementInput {
  @Field(() => String) @Matches(/^[A-Za-z]+\.[1-9]\d*$/, { message: "element must look like cn.1" }) element!: string;
  @Field(() => String) @MaxLength(1024) value!: string;
}

@InputType("SanInput", { description: "Subject alternative names of one type (DNSNAME, RFC822NAME, IPADDRESS, URI, OTHERNAME_UPN…)." })
export class SanInput {
  @Field(() => String)
  @IsIn(["RFC822NAME", "DNSNAME", "URI", "IPADDRESS", "OTHERNAME_UPN", "OTHERNAME_GUID", "REGISTERED_ID"])
  type!: string;
  @Field(() => [String]) @ArrayMaxSize(100) @MaxLength(1024, { each: true }) values!: string[];
}

@InputType("LabelInput")
export class LabelInput {
  @Field(() => String) @MaxLength(256) key!: string;
  @Field(() => String, { nullable: true, description: "null deletes the label on update." }) @IsOptional() @MaxLength(1024) value?: string;
}

@InputType("IssueInput", {
  description: "Issue a certificate: to a CZERTAINLY RA profile (raProfileId) or as a Horizon webra enroll (horizonProfile). Exactly one of the two.",
})
export class IssueInput {
  @Field(() => ID, { nullable: true, description: "CZERTAINLY RA profile." }) @IsOptional() @MaxLength(512) raProfileId?: string;
  @Field(() => String, { nullable: true, description: "Horizon profile (webra enroll)." }) @IsOptional() @MaxLength(256) horizonProfile?: string;
  @Field(() => String, { nullable: true, description: "PKCS#10 CSR, PEM or base64 DER. Omit for server-side key generation." })
  @IsOptional()
  @IsCsr()
  csr?: string;
  @Field(() => [AttributeInput], { nullable: true, description: "CZERTAINLY issue attributes of the RA profile." })
  @IsOptional()
  @ValidateNested({ each: true })
  attributes?: AttributeInput[];
  @Field(() => [AttributeInput], { nullable: true, description: "CZERTAINLY CSR attributes for server-side key generation (e.g. commonName)." })
  @IsOptional()
  @ValidateNested({ each: true })
  csrAttributes?: AttributeInput[];
  @Field(() => String, { nullable: true, description: "CZERTAINLY token profile for server-side key generation." })
  @IsOptional()
  @IsUUID()
  tokenProfileUuid?: string;
  @Field(() => String, { nullable: true, description: "CZERTAINLY existing key to certify." }) @IsOptional() @IsUUID() keyUuid?: string;
  @Field(() => [DnElementInput], { nullable: true, description: "Horizon subject elements." })
  @IsOptional()
  @ValidateNested({ each: true })
  subject?: DnElementInput[];
  @Field(() => [SanInput], { nullable: true, description: "Horizon SANs." }) @IsOptional() @ValidateNested({ each: true }) sans?: SanInput[];
  @Field(() => [LabelInput], { nullable: true, description: "Horizon labels." }) @IsOptional() @ValidateNested({ each: true }) labels?: LabelInput[];
  @Field(() => String, { nullable: true, description: "Horizon centralized enrollment: key type to generate (rsa-2048, ec-secp256r1…)." })
  @IsOptional()
  @MaxLength(64)
  keyType?: string;
  @Field(() => String, { nullable: true, description: "Horizon centralized enrollment: PKCS#12 password (manual mode). Write-only." })
  @IsOptional()
  @MinLength(1)
  @MaxLength(256)
  password?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(1000) comment?: string;
  @Field(() => String, IDEMPOTENCY_KEY) @IsOptional() @MaxLength(128) idempotencyKey?: string;
}

@InputType("RevokeInput")
export class RevokeInput {
  @Field(() => ID) @MaxLength(512) certificateId!: string;
  @Field(() => RevocationReason, { defaultValue: RevocationReason.UNSPECIFIED }) reason!: RevocationReason;
  @Field(() => [AttributeInput], { nullable: true, description: "CZERTAINLY revoke attributes." })
  @IsOptional()
  @ValidateNested({ each: true })
  attributes?: AttributeInput[];
  @Field(() => Boolean, { nullable: true, description: "CZERTAINLY: destroy the managed key too." }) destroyKey?: boolean;
  @Field(() => String, { nullable: true, description: "Horizon requester comment." }) @IsOptional() @MaxLength(1000) comment?: string;
  @Field(() => String, IDEMPOTENCY_KEY) @IsOptional() @MaxLength(128) idempotencyKey?: string;
}

@InputType("RenewInput")
export class RenewInput {
  @Field(() => ID) @MaxLength(512) certificateId!: string;
  @Field(() => String, { nullable: true, description: "New CSR (PEM or base64); omitted: the backend reuses the existing request." })
  @IsOptional()
  @IsCsr()
  csr?: string;
  @Field(() => String, { nullable: true, description: "Horizon: PKCS#12 password for a centralized renewal. Write-only." })
  @IsOptional()
  @MaxLength(256)
  password?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(1000) comment?: string;
  @Field(() => String, IDEMPOTENCY_KEY) @IsOptional() @MaxLength(128) idempotencyKey?: string;
}

@InputType("RekeyInput", { description: "CZERTAINLY rekey: same subject, new key." })
export class RekeyInput {
  @Field(() => ID) @MaxLength(512) certificateId!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsCsr() csr?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsUUID() keyUuid?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsUUID() tokenProfileUuid?: string;
  @Field(() => String, IDEMPOTENCY_KEY) @IsOptional() @MaxLength(128) idempotencyKey?: string;
}

@InputType("FinalizeInput", { description: "CZERTAINLY: finish an asynchronous issuance by uploading the issued certificate." })
export class FinalizeInput {
  @Field(() => ID) @MaxLength(512) certificateId!: string;
  @Field(() => String, { description: "The issued certificate, PEM or base64 DER; its key must match the request." })
  @IsCertificateContent()
  certificate!: string;
  @Field(() => String, IDEMPOTENCY_KEY) @IsOptional() @MaxLength(128) idempotencyKey?: string;
}

@InputType("CertificateActionInput", { description: "An operation on one certificate with no other input." })
export class CertificateActionInput {
  @Field(() => ID) @MaxLength(512) certificateId!: string;
  @Field(() => String, IDEMPOTENCY_KEY) @IsOptional() @MaxLength(128) idempotencyKey?: string;
}

@InputType("CancelPendingInput", {
  description: "Cancel a pending operation: a CZERTAINLY certificate (PENDING_ISSUE → FAILED, PENDING_REVOKE → ISSUED) or a pending Horizon request.",
})
export class CancelPendingInput {
  @Field(() => ID, { description: "A Certificate id (CZERTAINLY) or a Request id (Horizon)." }) @MaxLength(512) id!: string;
  @Field(() => String, { nullable: true, description: "Why (at most 1000 characters); kept in the history." })
  @IsOptional()
  @MaxLength(1000)
  reason?: string;
  @Field(() => String, IDEMPOTENCY_KEY) @IsOptional() @MaxLength(128) idempotencyKey?: string;
}

@InputType("ValidateAttributesInput")
export class ValidateAttributesInput {
  @Field(() => ID) @MaxLength(512) raProfileId!: string;
  @Field(() => [AttributeInput]) @ValidateNested({ each: true }) attributes!: AttributeInput[];
}
