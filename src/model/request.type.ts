import { Field, ID, Int, ObjectType } from "type-graphql";
import { Label } from "./common.types.js";
import { Backend, RequestStatus } from "./enums.js";
import { Node } from "./node.js";

/** What the domain mapper extracts from a Horizon request. */
export interface RequestRecord {
  id: string;
  backendId: string;
  status: RequestStatus;
  module: string;
  workflow: string;
  profile?: string;
  dn?: string;
  holderId?: string;
  requester?: string;
  approver?: string;
  team?: string;
  contact?: string;
  requesterComment?: string;
  approverComment?: string;
  registrationDate?: Date;
  lastModificationDate?: Date;
  expirationDate?: Date;
  labels: Label[];
  metadata: Label[];
  /** Horizon _id of the certificate the request produced or targets. */
  certificateBackendId?: string;
  globalHolderIdCount?: number;
  profileHolderIdCount?: number;
  error?: string;
  dryRun?: boolean;
}

@ObjectType("Request", {
  implements: Node,
  description: "A Horizon request (enroll, revoke, renew…), which may wait for approval before it completes.",
})
export class Request implements Node {
  constructor(readonly record: RequestRecord) {}

  @Field(() => ID) get id(): string {
    return this.record.id;
  }
  @Field(() => Backend) get backend(): Backend {
    return Backend.HORIZON;
  }
  @Field(() => String, { description: "Horizon's request _id." }) get backendId(): string {
    return this.record.backendId;
  }
  @Field(() => RequestStatus) get status(): RequestStatus {
    return this.record.status;
  }
  @Field(() => Boolean, { description: "True once the status can no longer change." }) get final(): boolean {
    return isFinalRequestStatus(this.record.status);
  }
  @Field(() => String) get module(): string {
    return this.record.module;
  }
  @Field(() => String) get workflow(): string {
    return this.record.workflow;
  }
  @Field(() => String, { nullable: true }) get profile(): string | undefined {
    return this.record.profile;
  }
  @Field(() => String, { nullable: true, description: "Subject DN of the certificate requested." }) get dn(): string | undefined {
    return this.record.dn;
  }
  @Field(() => String, { nullable: true }) get holderId(): string | undefined {
    return this.record.holderId;
  }
  @Field(() => String, { nullable: true }) get requester(): string | undefined {
    return this.record.requester;
  }
  @Field(() => String, { nullable: true }) get approver(): string | undefined {
    return this.record.approver;
  }
  @Field(() => String, { nullable: true }) get team(): string | undefined {
    return this.record.team;
  }
  @Field(() => String, { nullable: true }) get contact(): string | undefined {
    return this.record.contact;
  }
  @Field(() => String, { nullable: true }) get requesterComment(): string | undefined {
    return this.record.requesterComment;
  }
  @Field(() => String, { nullable: true }) get approverComment(): string | undefined {
    return this.record.approverComment;
  }
  @Field(() => Date, { nullable: true }) get registrationDate(): Date | undefined {
    return this.record.registrationDate;
  }
  @Field(() => Date, { nullable: true }) get lastModificationDate(): Date | undefined {
    return this.record.lastModificationDate;
  }
  @Field(() => Date, { nullable: true, description: "When a pending request expires." }) get expirationDate(): Date | undefined {
    return this.record.expirationDate;
  }
  @Field(() => [Label]) get labels(): Label[] {
    return this.record.labels;
  }
  @Field(() => [Label]) get metadata(): Label[] {
    return this.record.metadata;
  }
  @Field(() => Int, { nullable: true, description: "Valid certificates with the same holder, all profiles." })
  get globalHolderIdCount(): number | undefined {
    return this.record.globalHolderIdCount;
  }
  @Field(() => Int, { nullable: true, description: "Valid certificates with the same holder in this profile." })
  get profileHolderIdCount(): number | undefined {
    return this.record.profileHolderIdCount;
  }
  @Field(() => String, { nullable: true, description: "Execution error reported by Horizon." }) get error(): string | undefined {
    return this.record.error;
  }
  @Field(() => Boolean, { nullable: true }) get dryRun(): boolean | undefined {
    return this.record.dryRun;
  }
}

const FINAL_REQUEST_STATUSES = new Set([RequestStatus.DENIED, RequestStatus.CANCELED, RequestStatus.COMPLETED, RequestStatus.FAILED]);

export function isFinalRequestStatus(status: RequestStatus): boolean {
  return FINAL_REQUEST_STATUSES.has(status);
}
