import * as x509 from "@peculiar/x509";
import type { ClientEndEntityDto, EndEntityStatus } from "../../backends/czertainly/wire.js";
import type { CoreEngine } from "./engine.js";
import { REVOCATION_REASONS } from "./engine.js";
import { badRequest, CoreError, notFound, validation } from "./errors.js";
import type { EmulatedEndEntity, EmulatedRaProfile } from "./model.js";
import { derivedOf } from "./views.js";

const STATUSES: EndEntityStatus[] = [
  "NEW",
  "FAILED",
  "INITIALIZED",
  "IN_PROCESS",
  "GENERATED",
  "REVOKED",
  "HISTORICAL",
  "KEY_RECOVERY",
  "WAITING_FOR_ADD_APPROVAL",
];

type Body = Record<string, unknown>;
const obj = (raw: unknown): Body => {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw badRequest("Unable to read HTTP message");
  return raw as Body;
};
const str = (b: Body, field: string, required: boolean): string | undefined => {
  const v = b[field];
  if (v === undefined || v === null || v === "") {
    if (required) throw new CoreError(422, { message: `${field}: must not be blank` });
    return undefined;
  }
  if (typeof v !== "string") throw badRequest("Unable to read HTTP message");
  return v;
};

/** Legacy v1 operations (`/v1/operations/{raProfileName}/…`): only on enabled RA profiles of a legacy authority. */
export class LegacyOperations {
  constructor(
    private readonly engine: CoreEngine,
    private readonly changed: () => void,
  ) {}

  private get state() {
    return this.engine.state;
  }

  profile(name: string): EmulatedRaProfile {
    const p = [...this.state.raProfiles.values()].find(x => x.name === name && x.enabled);
    if (!p) throw notFound("RaProfile", name);
    // Core would call a v1 connector that the authority does not have (inferred).
    if (!this.state.authorities.get(p.authorityUuid)?.legacy)
      throw new CoreError(404, { message: "V1 implementation not found on the connector of this RA profile" });
    return p;
  }

  private entities(p: EmulatedRaProfile): EmulatedEndEntity[] {
    return this.state.endEntities.filter(e => e.raProfileName === p.name);
  }

  private view(e: EmulatedEndEntity): ClientEndEntityDto {
    return {
      username: e.username,
      subjectDN: e.subjectDN,
      status: e.status,
      ...(e.email ? { email: e.email } : {}),
      ...(e.subjectAltName ? { subjectAltName: e.subjectAltName } : {}),
      ...(e.extensionData ? { extensionData: e.extensionData } : {}),
    };
  }

  list(name: string): ClientEndEntityDto[] {
    return this.entities(this.profile(name)).map(e => this.view(e));
  }

  get(name: string, username: string): ClientEndEntityDto {
    const e = this.entities(this.profile(name)).find(x => x.username === username);
    if (!e) throw notFound("EndEntity", username);
    return this.view(e);
  }

  add(name: string, raw: unknown): void {
    const p = this.profile(name);
    const b = obj(raw);
    const username = str(b, "username", true)!;
    if (this.entities(p).some(e => e.username === username)) throw badRequest(`End entity ${username} already exists`);
    this.state.endEntities.push({
      raProfileName: p.name,
      username,
      password: str(b, "password", true)!,
      subjectDN: str(b, "subjectDN", true)!,
      email: str(b, "email", false),
      subjectAltName: str(b, "subjectAltName", false),
      extensionData: Array.isArray(b.extensionData) ? (b.extensionData as { name: string; value: string }[]) : undefined,
      status: "NEW",
    });
    this.changed();
  }

  edit(name: string, username: string, raw: unknown): void {
    const p = this.profile(name);
    const e = this.entities(p).find(x => x.username === username);
    if (!e) throw notFound("EndEntity", username);
    const b = obj(raw);
    const status = str(b, "status", true) as EndEntityStatus;
    if (!STATUSES.includes(status)) throw badRequest("Unable to read HTTP message");
    Object.assign(e, {
      password: str(b, "password", true)!,
      subjectDN: str(b, "subjectDN", true)!,
      email: str(b, "email", false),
      subjectAltName: str(b, "subjectAltName", false),
      status,
    });
    if (Array.isArray(b.extensionData)) e.extensionData = b.extensionData as { name: string; value: string }[];
    this.changed();
  }

  /** Synchronous issue for an end entity authenticated by username and password; the certificate joins the inventory. */
  async issue(name: string, raw: unknown): Promise<{ certificateData: string }> {
    const p = this.profile(name);
    const b = obj(raw);
    const username = str(b, "username", true)!;
    const password = str(b, "password", true)!;
    const pkcs10 = str(b, "pkcs10", true)!;
    const e = this.entities(p).find(x => x.username === username);
    if (!e || e.password !== password) throw badRequest("Failed to issue certificate: end entity authentication failed");
    if (e.status === "REVOKED" || e.status === "HISTORICAL") throw badRequest(`Failed to issue certificate: end entity ${username} is ${e.status}`);
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(Buffer.from(pkcs10, "base64"));
    } catch {
      throw badRequest("Failed to issue certificate: pkcs10 is not a valid PKCS#10 request");
    }
    if (!(await csr.verify())) throw badRequest("Failed to issue certificate: the CSR signature does not verify");
    // The end entity's registered DN wins over the CSR's, as EJBCA does.
    const issued = await this.engine.ca.signCsr(csr, { subject: e.subjectDN });
    this.engine.addCertificate(
      { state: "issued", raProfileUuid: p.uuid, content: issued.base64, csr: Buffer.from(csr.rawData).toString("base64"), owner: username },
      "Issue Certificate",
      `Issued using RA Profile ${p.name} for end entity ${username}`,
    );
    e.status = "GENERATED";
    this.changed();
    return { certificateData: issued.base64 };
  }

  revoke(name: string, raw: unknown): void {
    const p = this.profile(name);
    const b = obj(raw);
    const serial = str(b, "certificateSN", true)!.toLowerCase().replace(/^0+/, "");
    const issuerDN = str(b, "issuerDN", true)!;
    const reason = str(b, "reason", true)!;
    if (!REVOCATION_REASONS.includes(reason as never)) throw badRequest("Unable to read HTTP message");
    const norm = (dn: string) => dn.replace(/\s*,\s*/g, ",").toLowerCase();
    const c = [...this.state.certificates.values()].find(
      x =>
        x.content &&
        x.raProfileUuid === p.uuid &&
        derivedOf(x).serialNumber?.replace(/^0+/, "") === serial &&
        norm(derivedOf(x).issuerDn ?? "") === norm(issuerDN),
    );
    if (!c) throw notFound("Certificate", `serial number ${serial} and issuer ${issuerDN}`);
    if (c.state !== "issued") throw validation(`Cannot revoke certificate in state ${c.state}`);
    c.state = "revoked";
    c.revocationReason = reason as never;
    this.engine.event(c, "Revoke Certificate", `Revoked using legacy RA Profile ${p.name}`, "SUCCESS", { reason });
    this.changed();
  }
}
