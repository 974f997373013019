import { certificateFromCzertainly, endEntityFromCzertainly, type CzCertificateLike, type CzEndEntityLike } from "./mapper.js";
import { revocationReasonForCzertainly } from "./states.js";
import { decodeCertificate } from "../../domain/x509.js";
import { Certificate } from "../../model/certificate.type.js";
import type { EndEntityInput, LegacyIssueInput, LegacyRevokeInput } from "../../model/inputs/request.inputs.js";
import type { ValidateAttributesInput } from "../../model/inputs/operation.inputs.js";
import { toBase64Der } from "../../model/inputs/validators.js";
import { EndEntityPayload, OperationPayload, ValidationResult } from "../../model/payloads.js";
import type { EndEntity } from "../../model/ra-profile.type.js";
import type { CzertainlyCall } from "./call.js";
import { headersFor } from "../credentials.js";
import { UpstreamError } from "../upstream-error.js";
import type { EndEntityStatus } from "./wire.js";
import { toRequestAttributes } from "./target.js";
import { certificatePayload } from "./operations.js";
import { resolveRaProfile } from "./ra-profile-target.js";

const opts = (call: CzertainlyCall) => ({ headers: headersFor(call.creds, "czertainly") });

/** Legacy v1 issue answers with the certificate only: Core's inventory then gives its uuid (search by serial). */
export async function legacyIssue(call: CzertainlyCall, input: LegacyIssueInput): Promise<OperationPayload> {
  const profile = await resolveRaProfile(call, input.raProfileId);
  const res = await call.client.legacyIssue(
    profile.name,
    { username: input.username, password: input.password, pkcs10: toBase64Der(input.csr) },
    opts(call),
  );
  const content = (res as { certificateData: string }).certificateData;
  const serial = decodeCertificate(content).serialNumber;
  const found = await call.client.searchCertificates(
    { filters: [{ fieldSource: "property", fieldIdentifier: "SERIAL_NUMBER", condition: "EQUALS", value: serial }], itemsPerPage: 1, pageNumber: 1 },
    opts(call),
  );
  const dto = (found.certificates as CzCertificateLike[])[0];
  return certificatePayload(dto ? new Certificate(certificateFromCzertainly(dto, content)) : null);
}

export async function legacyRevoke(call: CzertainlyCall, input: LegacyRevokeInput): Promise<boolean> {
  const profile = await resolveRaProfile(call, input.raProfileId);
  await call.client.legacyRevoke(
    profile.name,
    { certificateSN: input.serialNumber, issuerDN: input.issuerDn, reason: revocationReasonForCzertainly(input.reason) },
    opts(call),
  );
  return true;
}

async function readEndEntity(call: CzertainlyCall, profileName: string, username: string): Promise<EndEntity | null> {
  const e = await call.client.getEndEntity(profileName, username, opts(call));
  return e ? endEntityFromCzertainly(e as CzEndEntityLike) : null;
}

export async function saveEndEntity(call: CzertainlyCall, input: EndEntityInput, mode: "add" | "edit"): Promise<EndEntityPayload> {
  const profile = await resolveRaProfile(call, input.raProfileId);
  const body = {
    raProfile: { uuid: profile.uuid, name: profile.name },
    password: input.password,
    subjectDN: input.subjectDn,
    email: input.email,
    subjectAltName: input.subjectAltName,
    extensionData: [],
  };
  const client = call.client;
  if (mode === "add") await client.addEndEntity(profile.name, { ...body, username: input.username }, opts(call));
  else await client.editEndEntity(profile.name, input.username, { ...body, status: (input.status ?? "NEW") as EndEntityStatus }, opts(call));
  return Object.assign(new EndEntityPayload(), { endEntity: await readEndEntity(call, profile.name, input.username) });
}

/** Validation answers 422 with messages when attributes do not fit: that is a result here, not an error. */
export async function validateAttributes(call: CzertainlyCall, kind: "issue" | "revoke", input: ValidateAttributesInput): Promise<ValidationResult> {
  const profile = await resolveRaProfile(call, input.raProfileId);
  const client = call.client;
  const attributes = toRequestAttributes(input.attributes);
  try {
    if (kind === "issue") await client.validateIssueAttributes(profile.authorityUuid, profile.uuid, attributes as never, opts(call));
    else await client.validateRevokeAttributes(profile.authorityUuid, profile.uuid, attributes as never, opts(call));
    return { valid: true, messages: [] };
  } catch (error) {
    if (error instanceof UpstreamError && error.kind === "validation") return { valid: false, messages: error.messages };
    throw error;
  }
}
