import { randomUUID, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type {
  CertificateDetailDto,
  CertificateRevocationReason,
  CertificateStateCode,
  ClientCertificateDataResponseDto,
  RequestAttribute,
} from "../../backends/czertainly/wire.js";
import { createCsr, type EmulatorCa, type KeyAlgorithm, generateKeyPair, parseCertificate, parseCsr } from "../ca.js";
import { validateAttributes } from "./attributes.js";
import { badRequest, conflict, CoreError, notFound, requireUuid, validation } from "./errors.js";
import { type CzertainlyState, type EmulatedKey, type EmulatedRaProfile, STATE_LABEL, type StoredCertificate, TOKEN } from "./model.js";
import { certificateDetailDto, derivedOf, publicKeyOf } from "./views.js";

export const REVOCATION_REASONS: CertificateRevocationReason[] = [
  "unspecified",
  "keyCompromise",
  "cACompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
  "certificateHold",
  "privilegeWithdrawn",
  "aACompromise",
];

type Body = Record<string, unknown>;

const asBody = (body: unknown): Body => {
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body)) throw badRequest("Unable to read HTTP message");
  return body as Body;
};

const b64 = (buf: ArrayBuffer) => Buffer.from(buf).toString("base64");

/**
 * Core's v2 client operations and their state machine (ClientOperationServiceImpl in OmniTrustILM/core@2.18.0), over in-memory state.
 * Each HTTP call runs the queued connector step before answering, so the caller's next read sees its outcome.
 */
export class CoreEngine {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly state: CzertainlyState,
    readonly ca: EmulatorCa,
    private readonly changed: () => void = () => {},
  ) {}

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  // ---- lookups and guards ----

  /** The RA profile of a v2 path: exists under that authority, and is not on a legacy connector. */
  profile(authorityUuid: string, raProfileUuid: string): EmulatedRaProfile {
    requireUuid(authorityUuid);
    const p = this.state.raProfiles.get(requireUuid(raProfileUuid));
    if (!p || p.authorityUuid !== authorityUuid.toLowerCase()) throw notFound("RaProfile", raProfileUuid);
    if (this.state.authorities.get(p.authorityUuid)?.legacy)
      throw new CoreError(404, { message: "Legacy Authority. V2 Implementation not found on the connector" });
    return p;
  }

  private enabled(p: EmulatedRaProfile): void {
    if (!p.enabled) throw validation(`RA Profile ${p.name} is disabled`);
  }

  certificate(uuid: string): StoredCertificate {
    const c = this.state.certificates.get(requireUuid(uuid));
    if (!c) throw notFound("Certificate", uuid);
    return c;
  }

  private onProfile(p: EmulatedRaProfile, uuid: string): StoredCertificate {
    const c = this.certificate(uuid);
    if (c.raProfileUuid !== p.uuid) throw validation(`Certificate ${c.uuid} is not associated with RA Profile ${p.name}`);
    return c;
  }

  private noPending(c: StoredCertificate, operation: string): void {
    if (c.state === "pending_issue" || c.state === "pending_revoke") {
      throw validation(
        `Cannot perform operation ${operation} on certificate with a pending operation. Finalize or cancel the pending operation first.`,
      );
    }
  }

  private mustBeIssued(c: StoredCertificate, operation: string): void {
    this.noPending(c, operation);
    if (c.state !== "issued")
      throw validation(`Cannot perform operation ${operation} on certificate in state ${STATE_LABEL[c.state]}. Certificate: ${c.uuid}`);
  }

  // ---- history ----

  event(
    c: StoredCertificate,
    event: string,
    message: string,
    status: "SUCCESS" | "FAILED" = "SUCCESS",
    additionalInformation?: Record<string, unknown>,
  ): void {
    c.history.push({
      uuid: randomUUID(),
      certificateUuid: c.uuid,
      created: new Date().toISOString(),
      createdBy: "emulator",
      event,
      status,
      message,
      ...(additionalInformation ? { additionalInformation } : {}),
    });
  }

  private setState(c: StoredCertificate, to: CertificateStateCode, message?: string): void {
    const from = c.state;
    c.state = to;
    this.event(c, "Update State", message ?? `Certificate state changed from ${STATE_LABEL[from]} to ${STATE_LABEL[to]}`, "SUCCESS", { from, to });
  }

  // ---- keys ----

  private async generateKey(name: string, algorithm: KeyAlgorithm = "EC"): Promise<EmulatedKey> {
    const pair = await generateKeyPair(algorithm);
    const key: EmulatedKey = {
      uuid: randomUUID(),
      name,
      creationTime: new Date().toISOString(),
      algorithm: algorithm === "EC" ? "ECDSA" : "RSA",
      length: algorithm === "EC" ? 256 : 2048,
      privateItemUuid: randomUUID(),
      publicItemUuid: randomUUID(),
      state: "active",
      pkcs8: b64(await webcrypto.subtle.exportKey("pkcs8", pair.privateKey as webcrypto.CryptoKey)),
      spki: b64(await webcrypto.subtle.exportKey("spki", pair.publicKey as webcrypto.CryptoKey)),
      certificateUuids: [],
    };
    this.state.keys.set(key.uuid, key);
    return key;
  }

  private async keyPair(key: EmulatedKey): Promise<CryptoKeyPair> {
    const params = key.algorithm === "ECDSA" ? { name: "ECDSA", namedCurve: "P-256" } : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    const subtle = webcrypto.subtle;
    return {
      privateKey: (await subtle.importKey("pkcs8", Buffer.from(key.pkcs8, "base64"), params, true, ["sign"])) as unknown as CryptoKey,
      publicKey: (await subtle.importKey("spki", Buffer.from(key.spki, "base64"), params, true, ["verify"])) as unknown as CryptoKey,
    };
  }

  private managedKey(uuid: unknown): EmulatedKey {
    const key = this.state.keys.get(requireUuid(String(uuid)));
    if (!key) throw notFound("CryptographicKey", String(uuid));
    return key;
  }

  /** A CSR signed on the token with a managed key (base64 DER). */
  private async csrOnToken(key: EmulatedKey, subject: string, dns: string[]): Promise<string> {
    if (key.state !== "active") throw validation(`Key ${key.uuid} is not active`);
    return b64((await createCsr(subject, await this.keyPair(key), { dns })).rawData);
  }

  /** Core builds the CSR on the token from the CSR attributes when no request is uploaded. */
  private async csrFromKey(key: EmulatedKey, csrAttributes: unknown): Promise<string> {
    const values = new Map<string, string>();
    for (const a of Array.isArray(csrAttributes) ? (csrAttributes as RequestAttribute[]) : []) {
      const v = a?.content?.[0]?.data;
      if (a?.name && typeof v === "string" && v) values.set(a.name, v);
    }
    const commonName = values.get("commonName");
    if (!commonName) throw validation("CSR attribute 'commonName' is required when the key is generated by the platform");
    const rdn = [
      ["CN", "commonName"],
      ["OU", "organizationalUnit"],
      ["O", "organization"],
      ["L", "locality"],
      ["ST", "state"],
      ["C", "country"],
    ]
      .filter(([, n]) => values.has(n!))
      .map(([k, n]) => `${k}=${values.get(n!)!.replace(/([,+="\\<>;])/g, "\\$1")}`)
      .join(", ");
    return this.csrOnToken(
      key,
      rdn,
      values
        .get("dnsNames")
        ?.split(/[\s,]+/)
        .filter(Boolean) ?? [commonName],
    );
  }

  private async parseRequest(request: unknown): Promise<string> {
    if (typeof request !== "string" || !request.trim()) throw badRequest("Failed to submit certificate request: request content is empty");
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = parseCsr(request);
    } catch {
      throw badRequest("Failed to submit certificate request: the request is not a valid PKCS#10 CSR");
    }
    if (!(await csr.verify())) throw badRequest("Failed to submit certificate request: the CSR signature does not verify");
    return b64(csr.rawData);
  }

  /** A CSR from the body's `request`, or from a managed key (existing keyUuid, or one generated on the token profile). */
  private async requestFrom(body: Body, name: string): Promise<{ csr: string; keyUuid?: string }> {
    if (body.format !== undefined && body.format !== "pkcs10")
      throw new CoreError(501, { message: `Certificate request format ${String(body.format)} is not supported` });
    if (body.request !== undefined && body.request !== null && body.request !== "") return { csr: await this.parseRequest(body.request) };
    if (typeof body.tokenProfileUuid === "string" && body.tokenProfileUuid) {
      if (body.tokenProfileUuid.toLowerCase() !== TOKEN.profileUuid) throw notFound("TokenProfile", body.tokenProfileUuid);
      const key = typeof body.keyUuid === "string" && body.keyUuid ? this.managedKey(body.keyUuid) : await this.generateKey(`${name}-key`);
      return { csr: await this.csrFromKey(key, body.csrAttributes), keyUuid: key.uuid };
    }
    throw validation("Cannot submit certificate request without specifying key or uploaded request content");
  }

  // ---- issuance ----

  /** Puts a certificate in the inventory with its first history event (operations, legacy issue, demo seed). */
  addCertificate(
    fields: Pick<StoredCertificate, "state" | "raProfileUuid" | "csr"> &
      Partial<Pick<StoredCertificate, "content" | "keyUuid" | "owner" | "created" | "issueAttributes">>,
    event: string,
    message: string,
  ): StoredCertificate {
    const c: StoredCertificate = {
      uuid: randomUUID(),
      created: new Date().toISOString(),
      csrUuid: randomUUID(),
      groups: [],
      issueAttributes: [],
      revokeAttributes: [],
      history: [],
      ...fields,
    };
    if (c.keyUuid) this.state.keys.get(c.keyUuid)?.certificateUuids.push(c.uuid);
    this.state.certificates.set(c.uuid, c);
    this.event(c, event, message);
    return c;
  }

  /** A certificate in state REQUESTED, as Core records it before the connector is called. */
  newCertificate(p: EmulatedRaProfile, csr: string, keyUuid: string | undefined, issueAttributes: RequestAttribute[]): StoredCertificate {
    return this.addCertificate(
      { state: "requested", raProfileUuid: p.uuid, csr, ...(keyUuid ? { keyUuid } : {}), issueAttributes },
      "Request Certificate",
      `Certificate requested using RA Profile ${p.name}`,
    );
  }

  /** The queued connector step: 200 → issued, 202 → pending_issue. */
  private async runIssue(p: EmulatedRaProfile, c: StoredCertificate, label = "Issue Certificate"): Promise<void> {
    if (p.behaviour.mode === "sync") {
      await this.sign(c);
      c.state = "issued";
      this.event(c, label, `Issued using RA Profile ${p.name}`);
    } else {
      c.state = "pending_issue";
      this.event(c, label, "Issuance accepted; awaiting asynchronous completion.");
      this.scheduleCompletion(p, c);
    }
  }

  private async sign(c: StoredCertificate): Promise<void> {
    const csr = new x509.Pkcs10CertificateRequest(Buffer.from(c.csr!, "base64"));
    const days = Number(c.issueAttributes.find(a => a.name === "validityDays")?.content?.[0]?.data ?? 365);
    c.content = (await this.ca.signCsr(csr, { validityDays: Number.isFinite(days) && days > 0 ? days : 365 })).base64;
  }

  private scheduleCompletion(p: EmulatedRaProfile, c: StoredCertificate): void {
    const delay = p.behaviour.autoCompleteAfterMs;
    if (delay === undefined) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.completePending(c.uuid).catch(() => undefined);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  /** What the CA does when it finishes an asynchronous operation (auto-completion, and tests). */
  async completePending(uuid: string): Promise<void> {
    const c = this.state.certificates.get(uuid);
    if (!c) return;
    if (c.state === "pending_issue") {
      await this.sign(c);
      this.setState(c, "issued", "Asynchronous issuance completed by the authority");
    } else if (c.state === "pending_revoke") {
      this.applyRevocation(c, c.pendingRevocation ?? { reason: "unspecified", attributes: [], destroyKey: false });
      this.event(c, "Revoke Certificate", "Asynchronous revocation completed by the authority");
    } else return;
    this.changed();
  }

  async issue(p: EmulatedRaProfile, raw: unknown): Promise<ClientCertificateDataResponseDto> {
    this.enabled(p);
    const body = asBody(raw);
    const messages = validateAttributes(p.issueAttributes, body.attributes);
    if (messages.length) throw validation(...messages);
    const { csr, keyUuid } = await this.requestFrom(body, p.name);
    const c = this.newCertificate(p, csr, keyUuid, (body.attributes as RequestAttribute[] | undefined) ?? []);
    await this.runIssue(p, c);
    this.changed();
    return { certificateData: "", uuid: c.uuid };
  }

  async issueRequested(p: EmulatedRaProfile, uuid: string): Promise<ClientCertificateDataResponseDto> {
    this.enabled(p);
    const c = this.onProfile(p, uuid);
    if (c.state !== "requested") throw validation(`Cannot issue requested certificate with state ${STATE_LABEL[c.state]}. Certificate: ${c.uuid}`);
    await this.runIssue(p, c);
    this.changed();
    return { certificateData: "", uuid: c.uuid };
  }

  async renew(p: EmulatedRaProfile, uuid: string, raw: unknown): Promise<ClientCertificateDataResponseDto> {
    this.enabled(p);
    const old = this.onProfile(p, uuid);
    this.mustBeIssued(old, "RENEW");
    const body = asBody(raw);
    let csr = old.csr!;
    if (body.request !== undefined && body.request !== null && body.request !== "") {
      csr = await this.parseRequest(body.request);
      const probe = { ...old, content: undefined, csr };
      if (publicKeyOf(probe) !== publicKeyOf(old))
        throw validation("Public key of the renewal request does not match the certificate. Renewal keeps the key pair; use rekey to change it.");
    }
    return this.successor(p, old, csr, old.keyUuid, "renewal", "Renew Certificate");
  }

  async rekey(p: EmulatedRaProfile, uuid: string, raw: unknown): Promise<ClientCertificateDataResponseDto> {
    this.enabled(p);
    const old = this.onProfile(p, uuid);
    this.mustBeIssued(old, "REKEY");
    const body = asBody(raw);
    if ((body.request === undefined || body.request === null || body.request === "") && !body.keyUuid) {
      throw validation("Cannot rekey certificate without specifying a new key or request content");
    }
    const subjectDn = derivedOf(old).subjectDn;
    let csr: string;
    let keyUuid: string | undefined;
    if (body.request) csr = await this.parseRequest(body.request);
    else {
      // A key already on the token: Core signs a CSR for the same subject with it.
      const key = this.managedKey(body.keyUuid);
      csr = await this.csrOnToken(key, subjectDn, derivedOf(old).subjectAlternativeNames.dNSName ?? []);
      keyUuid = key.uuid;
    }
    const probe = { ...old, content: undefined, csr };
    if (publicKeyOf(probe) === publicKeyOf(old))
      throw validation("Rekey requires a new key: the request uses the key of the certificate being rekeyed.");
    if (body.request && derivedOf(probe).subjectDn !== subjectDn) {
      throw validation(`Rekey must keep the subject of the certificate: expected '${subjectDn}', got '${derivedOf(probe).subjectDn}'.`);
    }
    return this.successor(p, old, csr, keyUuid, "rekey", "Rekey Certificate");
  }

  private async successor(
    p: EmulatedRaProfile,
    old: StoredCertificate,
    csr: string,
    keyUuid: string | undefined,
    relation: "renewal" | "rekey",
    label: string,
  ): Promise<ClientCertificateDataResponseDto> {
    const c = this.newCertificate(p, csr, keyUuid, old.issueAttributes);
    c.predecessorUuid = old.uuid;
    c.relation = relation;
    c.owner = old.owner;
    c.groups = old.groups;
    this.event(old, label, `${label} requested; successor ${c.uuid}`);
    await this.runIssue(p, c, label);
    this.changed();
    return { certificateData: "", uuid: c.uuid };
  }

  // ---- revocation ----

  async revoke(p: EmulatedRaProfile, uuid: string, raw: unknown): Promise<void> {
    this.enabled(p);
    const c = this.onProfile(p, uuid);
    this.mustBeIssued(c, "REVOKE");
    const body = asBody(raw);
    const reason = (body.reason ?? "unspecified") as CertificateRevocationReason;
    if (!REVOCATION_REASONS.includes(reason)) throw badRequest("Unable to read HTTP message");
    const messages = validateAttributes(p.revokeAttributes, body.attributes);
    if (messages.length) throw validation(...messages);
    const pending = { reason, attributes: (body.attributes as RequestAttribute[] | undefined) ?? [], destroyKey: body.destroyKey === true };
    if (p.behaviour.mode === "sync") {
      this.applyRevocation(c, pending);
      this.event(c, "Revoke Certificate", `Revoked using RA Profile ${p.name}`, "SUCCESS", { reason });
    } else {
      c.pendingRevocation = pending;
      c.state = "pending_revoke";
      this.event(c, "Revoke Certificate", "Revocation accepted; awaiting asynchronous completion.", "SUCCESS", { reason });
      this.scheduleCompletion(p, c);
    }
    this.changed();
  }

  private applyRevocation(
    c: StoredCertificate,
    r: { reason: CertificateRevocationReason; attributes: RequestAttribute[]; destroyKey: boolean },
  ): void {
    c.state = "revoked";
    c.revocationReason = r.reason;
    c.revokeAttributes = r.attributes;
    delete c.pendingRevocation;
    if (r.destroyKey && c.keyUuid) {
      const key = this.state.keys.get(c.keyUuid);
      if (key) key.state = "destroyed";
    }
  }

  async confirmRevoke(p: EmulatedRaProfile, uuid: string): Promise<void> {
    const c = this.onProfile(p, uuid);
    if (c.state !== "pending_revoke") throw validation("Certificate is not in PENDING_REVOKE state");
    this.applyRevocation(c, c.pendingRevocation ?? { reason: "unspecified", attributes: [], destroyKey: false });
    this.event(c, "Revoke Certificate", "Revocation confirmed manually");
    this.changed();
  }

  // ---- finalize and cancel ----

  async finalize(p: EmulatedRaProfile, uuid: string, raw: unknown): Promise<CertificateDetailDto> {
    const c = this.onProfile(p, uuid);
    if (c.state !== "pending_issue") {
      throw validation(
        `Cannot finalize issuance: certificate is not in PENDING_ISSUE. Current state: ${STATE_LABEL[c.state]}. Certificate: ${c.uuid}`,
      );
    }
    if (!c.csr) throw validation(`Cannot finalize issuance: certificate ${c.uuid} has no certificate request`);
    const body = asBody(raw);
    if (typeof body.certificate !== "string" || !body.certificate) throw new CoreError(422, { message: "certificate: must not be blank" });
    let uploaded: x509.X509Certificate;
    try {
      uploaded = parseCertificate(body.certificate);
    } catch {
      throw badRequest("Failed to parse the uploaded certificate");
    }
    const content = b64(uploaded.rawData);
    const probe = { ...c, content, csr: undefined };
    if (publicKeyOf(probe) !== publicKeyOf(c)) throw validation("Public key of the uploaded certificate does not match the certificate request");
    const fingerprint = derivedOf(probe).fingerprint;
    for (const other of this.state.certificates.values()) {
      if (other.content && other.uuid !== c.uuid && derivedOf(other).fingerprint === fingerprint)
        throw conflict(`Certificate already exists with fingerprint ${fingerprint}`);
    }
    const warning = derivedOf(probe).subjectDn !== derivedOf(c).subjectDn ? " (warning: subject DN differs from the request)" : "";
    c.content = content;
    this.setState(c, "issued", `Issuance finalized by uploading the issued certificate${warning}`);
    this.changed();
    return certificateDetailDto(this.state, c);
  }

  async cancel(p: EmulatedRaProfile, uuid: string, raw: unknown): Promise<CertificateDetailDto> {
    const c = this.onProfile(p, uuid);
    const body = asBody(raw);
    if (body.reason !== undefined && body.reason !== null && typeof body.reason !== "string") throw badRequest("Unable to read HTTP message");
    const reason = (body.reason as string | undefined) ?? "";
    if (reason.length > 1000) throw new CoreError(422, { message: "reason: size must be between 0 and 1000" });
    if (c.state !== "pending_issue" && c.state !== "pending_revoke") {
      throw validation(`Cannot cancel: certificate has no pending operation. Current state: ${STATE_LABEL[c.state]}. Certificate: ${c.uuid}`);
    }
    if (!p.behaviour.cancellable) {
      this.event(c, "Update State", `Cancel refused by the authority${reason ? `: ${reason}` : ""}`, "FAILED");
      this.changed();
      throw validation("The pending operation cannot be aborted: the authority has progressed beyond the point where cancellation is possible");
    }
    const to = c.state === "pending_issue" ? "failed" : "issued";
    if (to === "issued") delete c.pendingRevocation;
    this.setState(c, to, `Pending ${c.state === "pending_issue" ? "issuance" : "revocation"} cancelled${reason ? `: ${reason}` : ""}`);
    this.changed();
    return certificateDetailDto(this.state, c);
  }
}
