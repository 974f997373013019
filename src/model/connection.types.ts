import { Field, Int, ObjectType } from "type-graphql";
import { Certificate } from "./certificate.type.js";
import { Request } from "./request.type.js";

@ObjectType("PageInfo", { description: "Relay page information." })
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor?: string;
  @Field(() => String, { nullable: true }) endCursor?: string;
}

@ObjectType("CertificateEdge")
export class CertificateEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Certificate) node!: Certificate;
}

@ObjectType("CertificateConnection", { description: "A page of certificates, from one backend or both." })
export class CertificateConnection {
  @Field(() => [CertificateEdge]) edges!: CertificateEdge[];
  @Field(() => [Certificate], { description: "The nodes of edges, for clients that need no cursors." }) nodes!: Certificate[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  /** Set by the search service; asked only when a client selects totalCount. */
  countTotal?: () => Promise<number | undefined>;

  @Field(() => Int, { nullable: true, description: "Total matching certificates over the backends searched (null if one cannot tell)." })
  async totalCount(): Promise<number | undefined> {
    return this.countTotal?.();
  }
}

@ObjectType("RequestEdge")
export class RequestEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Request) node!: Request;
}

@ObjectType("RequestConnection", { description: "A page of Horizon requests." })
export class RequestConnection {
  @Field(() => [RequestEdge]) edges!: RequestEdge[];
  @Field(() => [Request]) nodes!: Request[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int, { nullable: true }) totalCount?: number;
}
