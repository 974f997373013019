import * as x509 from "@peculiar/x509";
import { parseCsr, readSans } from "../ca.js";
import type { HzRequest, HzSecretString, HzWebRaEnrollSubmit, HzWebRaRecoverSubmit, HzWebRaRenewSubmit } from "../../backends/horizon/wire.js";
import {
  buildPkcs12,
  canGenerate,
  holderIdOf,
  issueCentralized,
  keyTypeOf,
  randomPassword,
  sansFromTemplate,
  subjectFromTemplate,
  toWireCertificate,
} from "./certs.js";
import { applyEditable, checkEditable, findTarget, getProfile, type OpCtx, type Prepared } from "./context.js";
import { type HorizonProfile, newId, type StoredCertificate } from "./model.js";
import { bad } from "./problems.js";

/** Password of a PKCS#12: required in manual mode, generated in random mode. */
function p12Password(p: HorizonProfile, given: HzSecretString | null | undefined, code: string): string | undefined {
  if (p.p12passwordMode === "manual") {
    if (!given?.value) throw bad(code, "Invalid request", "password is required: the profile's PKCS#12 password mode is manual");
    return given.value;
  }
  return given?.value ?? undefined;
}

function store(ctx: OpCtx, pem: string, p: HorizonProfile, privateKeyPem?: string): StoredCertificate {
  const id = newId(ctx.now());
  const stored: StoredCertificate = {
    wire: toWireCertificate(id, pem, { profile: p.name, escrowed: !!privateKeyPem && p.escrow }),
    privateKeyPem,
  };
  ctx.state.certificates.set(id, stored);
  return stored;
}

/** A CSR is signed as it is; without one, a key of `keyType` is generated and handed back in a PKCS#12. */
async function issue(
  ctx: OpCtx,
  p: HorizonProfile,
  subject: string,
  sans: ReturnType<typeof readSans>,
  csr: x509.Pkcs10CertificateRequest | undefined,
  password: string | undefined,
  keyType: string,
): Promise<{ cert: StoredCertificate; secrets: Partial<HzRequest> }> {
  const notBefore = new Date(ctx.now() - 60_000);
  if (csr) {
    const issued = await ctx.ca.signCsr(csr, { subject, sans, validityDays: p.validityDays, notBefore });
    return { cert: store(ctx, issued.pem, p), secrets: {} };
  }
  const made = await issueCentralized(ctx.ca, subject, sans, p.validityDays, notBefore, keyType);
  const cert = store(ctx, made.pem, p, made.privateKeyPem);
  const pass = password ?? randomPassword();
  return { cert, secrets: { pkcs12: { value: await buildPkcs12(made.privateKeyPem, made.pem, pass) }, password: { value: pass } } };
}

/** webra/enroll: decentralized (CSR) or centralized (server key → PKCS#12). */
export function prepareEnroll(ctx: OpCtx, body: HzWebRaEnrollSubmit): Prepared {
  const p = getProfile(ctx, body.profile);
  if (p.module !== "webra")
    throw bad("WEBRA-ENROLL-012", "Invalid Web Registration Authority Enroll Request", `profile ${p.name} is not a WebRA profile`);
  const t = body.template;
  if (!t || typeof t !== "object") throw bad("WEBRA-ENROLL-012", "Invalid Web Registration Authority Enroll Request", "template is required");
  let csr: x509.Pkcs10CertificateRequest | undefined;
  let password: string | undefined;
  const keyType = t.keyType ?? "rsa-2048";
  if (t.csr) {
    if (!p.decentralized) throw bad("WEBRA-ENROLL-001", "Invalid enrollment mode", `profile ${p.name} does not allow decentralized enrollment`);
    try {
      csr = parseCsr(t.csr);
    } catch {
      throw bad("WEBRA-ENROLL-003", "Invalid certificate request", "csr is not a PKCS#10 request");
    }
  } else {
    if (!p.centralized) throw bad("WEBRA-ENROLL-001", "Invalid enrollment mode", `profile ${p.name} does not allow centralized enrollment`);
    if (!p.authorizedKeyTypes.includes(keyType) || !canGenerate(keyType))
      throw bad("WEBRA-ENROLL-002", "Invalid key type", `${keyType} not in ${p.authorizedKeyTypes.join(", ")}`);
    if (!t.subject?.length) throw bad("WEBRA-ENROLL-004", "Invalid subject parameter(s)", "subject is required in centralized mode");
    password = p12Password(p, body.password, "WEBRA-ENROLL-012");
  }
  const subject = t.subject?.length ? subjectFromTemplate(t.subject) : csr!.subject;
  const sans = t.sans ? sansFromTemplate(t.sans) : csr ? readSans(csr) : {};
  checkEditable(ctx, t);
  const dn = new x509.Name(subject).toString();
  const holderId = holderIdOf(
    dn,
    Object.values(sans)
      .flat()
      .map(value => ({ value })),
  );
  return {
    profile: p.name,
    dn,
    holderId,
    async run() {
      if (csr && !(await csr.verify())) throw bad("WEBRA-ENROLL-003", "Invalid certificate request", "CSR signature does not verify");
      const { cert, secrets } = await issue(ctx, p, subject, sans, csr, password, keyType);
      applyEditable(cert, t);
      return { certificate: cert.wire, certificateId: cert.wire._id, ...secrets };
    },
  };
}

/** webra/renew: same subject/SANs, new key (CSR or generated); links old and new via metadata. */
export function prepareRenew(ctx: OpCtx, body: HzWebRaRenewSubmit): Prepared {
  const old = findTarget(ctx, body, ["WEBRA-RENEW-001", "Invalid request"]);
  const p = ctx.state.profiles.get(old.wire.profile ?? "");
  if (!p || !p.enabled || p.module !== "webra") throw bad("WEBRA-RENEW-003", "Invalid Web Registration Authority Profile");
  if (!p.renewalEnabled) throw bad("WEBRA-RENEW-004", "Renewal not enabled on Web Registration Authority Profile");
  if (old.wire.revoked || old.wire.notAfter < ctx.now())
    throw bad("WEBRA-RENEW-006", "Certificate status does not allow renewal", old.wire.revoked ? "revoked" : "expired");
  if (old.wire.notAfter - ctx.now() > p.renewalPeriodDays * 86_400_000) throw bad("WEBRA-RENEW-005", "Certificate not in its renewal period");
  let csr: x509.Pkcs10CertificateRequest | undefined;
  let password: string | undefined;
  if (body.template?.csr) {
    try {
      csr = parseCsr(body.template.csr);
    } catch {
      throw bad("WEBRA-RENEW-001", "Invalid request", "csr is not a PKCS#10 request");
    }
  } else {
    if (!p.centralized) throw bad("WEBRA-RENEW-001", "Invalid request", "a csr is required: the profile is decentralized");
    password = p12Password(p, body.password, "WEBRA-RENEW-001");
  }
  const oldCert = new x509.X509Certificate(old.wire.certificate);
  // A generated key for a renewal has the old certificate's key type (RSA-2048 if the emulator cannot make that one).
  const keyType = canGenerate(keyTypeOf(oldCert)) ? keyTypeOf(oldCert) : "rsa-2048";
  return {
    profile: p.name,
    dn: old.wire.dn,
    holderId: old.wire.holderId,
    certificateId: old.wire._id,
    async run() {
      if (csr && !(await csr.verify())) throw bad("WEBRA-RENEW-001", "Invalid request", "CSR signature does not verify");
      const { cert, secrets } = await issue(ctx, p, oldCert.subject, readSans(oldCert), csr, password, keyType);
      const w = cert.wire;
      Object.assign(w, { owner: old.wire.owner, team: old.wire.team, contactEmail: old.wire.contactEmail, labels: old.wire.labels });
      w.metadata.push({ key: "previous_certificate_id", value: old.wire._id });
      old.wire.metadata.push({ key: "renewed_certificate_id", value: w._id });
      return { certificate: w, ...secrets };
    },
  };
}

/** webra/recover: hands the escrowed key back as a PKCS#12. */
export function prepareRecover(ctx: OpCtx, body: HzWebRaRecoverSubmit): Prepared {
  const c = findTarget(ctx, body, ["WEBRA-RECOVER-001", "No certificateId specified"], ["WEBRA-RECOVER-004", "Certificate does not exist"]);
  if (!c.wire.escrowed || !c.privateKeyPem)
    throw bad("WEBRA-RECOVER-003", "Invalid Web Registration Authority Recover Request", "certificate key is not escrowed");
  const p = ctx.state.profiles.get(c.wire.profile ?? "");
  const password = p ? p12Password(p, body.password, "WEBRA-RECOVER-003") : (body.password?.value ?? undefined);
  return {
    profile: c.wire.profile ?? "",
    dn: c.wire.dn,
    holderId: c.wire.holderId,
    certificateId: c.wire._id,
    async run() {
      const pass = password ?? randomPassword();
      return { certificate: c.wire, pkcs12: { value: await buildPkcs12(c.privateKeyPem!, c.wire.certificate, pass) }, password: { value: pass } };
    },
  };
}
