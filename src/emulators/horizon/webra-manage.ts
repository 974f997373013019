import { createHash } from "node:crypto";
import { parseCertificate } from "../ca.js";
import type { HzWebRaImportSubmit, HzWebRaMigrateSubmit, HzWebRaRevokeSubmit, HzWebRaUpdateSubmit } from "../../backends/horizon/wire.js";
import { toWireCertificate } from "./certs.js";
import { applyEditable, checkEditable, findTarget, getProfile, type OpCtx, type Prepared } from "./context.js";
import { newId } from "./model.js";
import { bad, invalidRequest } from "./problems.js";

const REASONS = new Set(["unspecified", "keycompromise", "cacompromise", "affiliationchange", "superseded", "cessationofoperation"]);

/** webra/revoke: marks the certificate revoked (WEBRA-REVOKE-005 if it already is). */
export function prepareRevoke(ctx: OpCtx, body: HzWebRaRevokeSubmit): Prepared {
  if (!body.template || typeof body.template !== "object")
    throw bad("WEBRA-REVOKE-006", "Missing Web Registration Authority Revoke Request Template");
  const c = findTarget(ctx, body, ["WEBRA-REVOKE-001", "No certificate specified"], ["WEBRA-REVOKE-004", "Certificate does not exist"]);
  if (c.wire.revoked) throw bad("WEBRA-REVOKE-005", "Invalid certificate", "certificate is already revoked");
  // The real server takes reasons case-insensitively (GO1 sent uppercase).
  const reason = (body.template.revocationReason ?? "unspecified").toLowerCase();
  if (!REASONS.has(reason)) throw bad("WEBRA-REVOKE-003", "Invalid Web Registration Authority revocation request", `unknown reason ${reason}`);
  return {
    profile: c.wire.profile ?? "",
    dn: c.wire.dn,
    holderId: c.wire.holderId,
    certificateId: c.wire._id,
    async run() {
      if (c.wire.revoked) throw bad("WEBRA-REVOKE-005", "Invalid certificate", "certificate is already revoked");
      Object.assign(c.wire, { revoked: true, revocationDate: ctx.now(), revocationReason: reason });
      return { certificate: c.wire };
    },
  };
}

/** webra/update: edits owner/team/contact/labels/metadata. */
export function prepareUpdate(ctx: OpCtx, body: HzWebRaUpdateSubmit): Prepared {
  if (!body.template || typeof body.template !== "object") throw invalidRequest("template is required");
  const c = findTarget(ctx, body, ["REQ-002", "Invalid Request"]);
  checkEditable(ctx, body.template);
  return {
    profile: c.wire.profile ?? "",
    dn: c.wire.dn,
    holderId: c.wire.holderId,
    certificateId: c.wire._id,
    async run() {
      applyEditable(c, body.template);
      return { certificate: c.wire };
    },
  };
}

/** webra/migrate: moves the certificate to another WebRA profile. */
export function prepareMigrate(ctx: OpCtx, body: HzWebRaMigrateSubmit): Prepared {
  if (!body.template || typeof body.template !== "object")
    throw bad("WEBRA-MIGRATE-005", "Missing Web Registration Authority Migrate Request Template on submitted request");
  const c = findTarget(ctx, body, ["WEBRA-MIGRATE-001", "No certificate specified"]);
  const target = ctx.state.profiles.get(String(body.profile));
  if (!target || !target.enabled || target.module !== "webra" || target.name === c.wire.profile)
    throw bad("WEBRA-MIGRATE-007", "Invalid migration profile", `cannot migrate to ${String(body.profile)}`);
  checkEditable(ctx, body.template);
  return {
    profile: target.name,
    dn: c.wire.dn,
    holderId: c.wire.holderId,
    certificateId: c.wire._id,
    async run() {
      c.wire.profile = target.name;
      applyEditable(c, body.template);
      return { certificate: c.wire };
    },
  };
}

/** webra/import: registers an externally issued certificate (optionally with its key to escrow). */
export function prepareImport(ctx: OpCtx, body: HzWebRaImportSubmit): Prepared {
  if (!body.certificatePem && !body.certificateId) throw bad("WEBRA-IMPORT-004", "Import request does not contain certificate");
  const p = body.profile ? getProfile(ctx, body.profile) : undefined;
  let pem: string;
  if (body.certificatePem) {
    try {
      pem = parseCertificate(body.certificatePem).toString("pem");
    } catch {
      throw bad("WEBRA-IMPORT-001", "Invalid request", "certificatePem is not a certificate");
    }
  } else {
    const known = ctx.state.certificates.get(body.certificateId!);
    if (!known) throw bad("WEBRA-IMPORT-004", "Import request does not contain certificate", "unknown certificateId");
    pem = known.wire.certificate;
  }
  const thumb = createHash("sha1")
    .update(Buffer.from(parseCertificate(pem).rawData))
    .digest("hex");
  const existing = [...ctx.state.certificates.values()].find(c => c.wire.thumbprint === thumb);
  const privateKey = body.template?.privateKey ?? undefined;
  if (privateKey && existing?.wire.escrowed) throw bad("WEBRA-IMPORT-003", "Certificate key is already escrowed");
  if (privateKey && !p?.escrow) throw bad("WEBRA-IMPORT-001", "Invalid request", "privateKey is only allowed on an escrowing profile");
  checkEditable(ctx, body.template);
  const wire0 = existing?.wire ?? toWireCertificate("", pem, {});
  return {
    profile: p?.name ?? existing?.wire.profile ?? "",
    dn: wire0.dn,
    holderId: wire0.holderId,
    async run() {
      const stored = existing ?? { wire: toWireCertificate(newId(ctx.now()), pem, {}) };
      if (p) stored.wire.profile = p.name;
      if (privateKey) Object.assign(stored, { privateKeyPem: privateKey }).wire.escrowed = true;
      applyEditable(stored, body.template);
      ctx.state.certificates.set(stored.wire._id, stored);
      return { certificate: stored.wire, certificateId: stored.wire._id };
    },
  };
}
