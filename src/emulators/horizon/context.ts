import type { EmulatorCa } from "../ca.js";
import type { HzRequest } from "../../backends/horizon/wire.js";
import type { Account, HorizonProfile, HorizonState, StoredCertificate } from "./model.js";
import { bad, notFound, profileNotFound } from "./problems.js";
import { parseCertificate } from "../ca.js";
import { createHash } from "node:crypto";

export interface OpCtx {
  state: HorizonState;
  ca: EmulatorCa;
  now(): number;
  account: Account;
}

/** A validated submission: what the request will show now, and the action run on completion. */
export interface Prepared {
  profile: string;
  holderId?: string;
  dn?: string;
  certificateId?: string;
  /** Runs the workflow (at submit on auto profiles, at approval otherwise). */
  run(): Promise<Partial<HzRequest>>;
}

export function getProfile(ctx: OpCtx, name: unknown): HorizonProfile {
  const p = typeof name === "string" ? ctx.state.profiles.get(name) : undefined;
  if (!p || !p.enabled) throw profileNotFound(name);
  return p;
}

/** Finds the target by `certificateId` or `certificatePem` (matched by thumbprint). */
export function findTarget(
  ctx: OpCtx,
  body: { certificateId?: string | null; certificatePem?: string | null },
  missing: [string, string],
  unknown: [string, string] = ["REQ-009", "Invalid Certificate"],
): StoredCertificate {
  let found: StoredCertificate | undefined;
  if (body.certificateId) found = ctx.state.certificates.get(body.certificateId);
  else if (body.certificatePem) {
    let thumb: string;
    try {
      thumb = createHash("sha1")
        .update(Buffer.from(parseCertificate(body.certificatePem).rawData))
        .digest("hex");
    } catch {
      throw bad(unknown[0], unknown[1], "certificatePem is not a certificate");
    }
    found = [...ctx.state.certificates.values()].find(c => c.wire.thumbprint === thumb);
  } else throw bad(missing[0], missing[1]);
  if (!found) {
    const status = unknown[0] === "REQ-009" ? 404 : 400;
    throw status === 404 ? notFound(unknown[0], unknown[1], "certificate not found") : bad(unknown[0], unknown[1], "certificate not found");
  }
  return found;
}

const METADATA_KEYS = new Set([
  "pki_connector",
  "previous_certificate_id",
  "renewed_certificate_id",
  "automation_policy",
  "gs_order_id",
  "metapki_id",
  "digicert_id",
  "entrust_id",
  "scep_transid",
  "fcms_id",
  "gsatlas_id",
  "certeurope_id",
  "digicert_order_id",
]);

interface Editable {
  labels?: { label: string; value: string | null }[] | null;
  metadata?: { metadata: string; value: string | null }[] | null;
  team?: { value: string | null } | null;
  owner?: { value: string | null } | null;
  contactEmail?: { value: string | null } | null;
}

/** Checks labels/metadata/team (WEBRA-ENROLL-006, CERT-ELEM-001, CERT-TEAM-001). */
export function checkEditable(ctx: OpCtx, t: Editable | null | undefined): void {
  for (const l of t?.labels ?? []) if (!l.label) throw bad("WEBRA-ENROLL-006", "Invalid label parameter(s)", "label name missing");
  for (const m of t?.metadata ?? [])
    if (!METADATA_KEYS.has(m.metadata)) throw bad("CERT-ELEM-001", "Invalid Certificate Element", `unknown metadata ${m.metadata}`);
  const team = t?.team?.value;
  if (team && !ctx.state.teams.has(team)) throw bad("CERT-TEAM-001", "Invalid Team Element", `unknown team ${team}`);
}

/** Applies editable elements: `{value:null}` deletes, a missing element leaves the field alone. */
export function applyEditable(cert: StoredCertificate, t: Editable | null | undefined): void {
  const w = cert.wire;
  if (!t) return;
  if (t.owner !== undefined) w.owner = t.owner?.value ?? null;
  if (t.team !== undefined) w.team = t.team?.value ?? null;
  if (t.contactEmail !== undefined) w.contactEmail = t.contactEmail?.value ?? null;
  if (t.labels) w.labels = t.labels.filter(l => l.value !== null).map(l => ({ key: l.label, value: l.value! }));
  if (t.metadata) {
    const keep = w.metadata.filter(m => !t.metadata!.some(n => n.metadata === m.key));
    w.metadata = [...keep, ...t.metadata.filter(m => m.value !== null).map(m => ({ key: m.metadata, value: m.value! }))];
  }
}
