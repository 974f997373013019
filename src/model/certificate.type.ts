import { Field, ID, ObjectType } from "type-graphql";
import { decodeCertificate, decodeDnString, type DecodedCertificate } from "../domain/x509.js";
import { BasicConstraints, DistinguishedName, Label, PublicKeyInfo, SubjectAlternativeNames } from "./common.types.js";
import { Backend, CertificateState } from "./enums.js";
import { Node } from "./node.js";

/** What the domain mappers extract from either backend; the X.509 content, when present, is the truth. */
export interface CertificateRecord {
  id: string;
  backend: Backend;
  backendId: string;
  state: CertificateState;
  /** base64 DER or PEM, once the certificate exists. */
  content?: string;
  subjectDn?: string;
  issuerDn?: string;
  serialNumber?: string;
  notBefore?: Date;
  notAfter?: Date;
  fingerprintSha256?: string;
  owner?: string;
  groups: string[];
  labels: Label[];
  raProfileUuid?: string;
  authorityUuid?: string;
  keyUuid?: string;
  complianceStatus?: string;
  validationStatus?: string;
  profile?: string;
  team?: string;
  module?: string;
  holderId?: string;
  revocationDate?: Date;
  revocationReason?: string;
}

@ObjectType("Certificate", {
  implements: Node,
  description: "An X.509 certificate held by either backend. Identity, validity, key and extension fields are decoded from the certificate itself.",
})
export class Certificate implements Node {
  private decodedCache?: DecodedCertificate | null;

  constructor(readonly record: CertificateRecord) {}

  /** Decoded lazily: a query that asks for no X.509 field never parses the certificate. */
  get x509(): DecodedCertificate | undefined {
    if (this.decodedCache === undefined) {
      this.decodedCache = this.record.content ? decodeCertificate(this.record.content) : null;
    }
    return this.decodedCache ?? undefined;
  }

  @Field(() => ID) get id(): string {
    return this.record.id;
  }

  @Field(() => Backend) get backend(): Backend {
    return this.record.backend;
  }

  @Field(() => String, { description: "The backend's own id (CZERTAINLY uuid, Horizon _id)." })
  get backendId(): string {
    return this.record.backendId;
  }

  @Field(() => CertificateState) get state(): CertificateState {
    return this.record.state;
  }

  @Field(() => DistinguishedName, { nullable: true }) get subject(): DistinguishedName | undefined {
    return this.x509?.subject ?? (this.record.subjectDn ? decodeDnString(this.record.subjectDn) : undefined);
  }

  @Field(() => DistinguishedName, { nullable: true }) get issuer(): DistinguishedName | undefined {
    return this.x509?.issuer ?? (this.record.issuerDn ? decodeDnString(this.record.issuerDn) : undefined);
  }

  @Field(() => String, { nullable: true, description: "Serial number, lower-case hex." })
  get serialNumber(): string | undefined {
    return this.x509?.serialNumber ?? this.record.serialNumber?.toLowerCase();
  }

  @Field(() => Date, { nullable: true }) get notBefore(): Date | undefined {
    return this.x509?.notBefore ?? this.record.notBefore;
  }

  @Field(() => Date, { nullable: true }) get notAfter(): Date | undefined {
    return this.x509?.notAfter ?? this.record.notAfter;
  }

  @Field(() => String, { nullable: true, description: "SHA-256 of the DER, lower-case hex." })
  get fingerprintSha256(): string | undefined {
    return this.x509?.fingerprintSha256 ?? this.record.fingerprintSha256;
  }

  @Field(() => String, { nullable: true, description: "SHA-1 of the DER (the 'thumbprint' of many tools)." })
  get fingerprintSha1(): string | undefined {
    return this.x509?.fingerprintSha1;
  }

  @Field(() => PublicKeyInfo, { nullable: true }) get publicKey(): PublicKeyInfo | undefined {
    const d = this.x509;
    return d && { algorithm: d.publicKeyAlgorithm, size: d.publicKeySize, curve: d.publicKeyCurve };
  }

  @Field(() => String, { nullable: true }) get signatureAlgorithm(): string | undefined {
    return this.x509?.signatureAlgorithm;
  }

  @Field(() => SubjectAlternativeNames, { nullable: true }) get subjectAlternativeNames(): SubjectAlternativeNames | undefined {
    return this.x509?.sans;
  }

  @Field(() => [String], { description: "Key usage bits set (digitalSignature, keyCertSign…)." })
  get keyUsage(): string[] {
    return this.x509?.keyUsage ?? [];
  }

  @Field(() => [String], { description: "Extended key usages, by name where known, else OID." })
  get extendedKeyUsage(): string[] {
    return this.x509?.extendedKeyUsage ?? [];
  }

  @Field(() => BasicConstraints, { nullable: true }) get basicConstraints(): BasicConstraints | undefined {
    return this.x509?.basicConstraints;
  }

  @Field(() => String, { nullable: true, description: "The certificate in PEM; null while not yet issued." })
  get pem(): string | undefined {
    return this.x509?.pem;
  }

  @Field(() => String, { nullable: true }) get owner(): string | undefined {
    return this.record.owner;
  }

  @Field(() => [String], { description: "CZERTAINLY groups; empty for Horizon." }) get groups(): string[] {
    return this.record.groups;
  }

  @Field(() => [Label]) get labels(): Label[] {
    return this.record.labels;
  }

  @Field(() => String, { nullable: true, description: "CZERTAINLY compliance status (ok, nok, na, not_checked, failed)." })
  get complianceStatus(): string | undefined {
    return this.record.complianceStatus;
  }

  @Field(() => String, { nullable: true, description: "CZERTAINLY validation status (valid, expiring, revoked…)." })
  get validationStatus(): string | undefined {
    return this.record.validationStatus;
  }

  @Field(() => String, { nullable: true, description: "Horizon certificate profile." }) get profile(): string | undefined {
    return this.record.profile;
  }

  @Field(() => String, { nullable: true, description: "Horizon team." }) get team(): string | undefined {
    return this.record.team;
  }

  @Field(() => String, { nullable: true, description: "Horizon module that issued it (webra, est, scep…)." })
  get module(): string | undefined {
    return this.record.module;
  }

  @Field(() => String, { nullable: true, description: "Horizon holder id (hash of DN and SANs)." })
  get holderId(): string | undefined {
    return this.record.holderId;
  }

  @Field(() => Date, { nullable: true }) get revocationDate(): Date | undefined {
    return this.record.revocationDate;
  }

  @Field(() => String, { nullable: true }) get revocationReason(): string | undefined {
    return this.record.revocationReason;
  }
}
