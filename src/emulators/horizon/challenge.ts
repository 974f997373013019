import * as x509 from "@peculiar/x509";
import type { HzChallengeEnrollSubmit } from "../../backends/horizon/wire.js";
import { randomPassword } from "./certs.js";
import { getProfile, type OpCtx, type Prepared } from "./context.js";
import { bad } from "./problems.js";

/** est/enroll and scep/enroll: create a challenge password (no certificate), with DN whitelisting rules. */
export function prepareChallenge(ctx: OpCtx, body: HzChallengeEnrollSubmit): Prepared {
  const P = body.module === "est" ? "EST" : "SCEP";
  const p = getProfile(ctx, body.profile);
  if (p.module !== body.module) throw bad(`${P}-ENROLL-005`, `Invalid ${P} Profile`, `profile ${p.name} is a ${p.module} profile`);
  if (p.dnWhitelist && !body.dn) throw bad(`${P}-ENROLL-002`, `DN is required as DN whitelisting is enabled on ${P} profile`);
  if (!p.dnWhitelist && body.dn) {
    throw P === "EST"
      ? bad("EST-ENROLL-001", "Invalid Authorization Mode as DN whitelisting is not enabled on profile")
      : bad("SCEP-ENROLL-001", "SCEP pre-validation is not enabled on SCEP profile");
  }
  let dn: string | undefined;
  if (body.dn) {
    try {
      if (!body.dn.includes("=")) throw new Error("no attribute");
      dn = new x509.Name(body.dn).toString();
    } catch {
      throw bad(`${P}-ENROLL-003`, "Invalid Distinguished Name", body.dn);
    }
  }
  if (p.p12passwordMode === "manual" && !body.password?.value)
    throw bad(`${P}-ENROLL-004`, `Invalid ${P} Enroll Request`, "challenge password is required (manual mode)");
  const challenge = body.password?.value ?? randomPassword();
  return {
    profile: p.name,
    dn,
    async run() {
      return { password: { value: challenge }, ...(dn ? { dn } : {}) };
    },
  };
}
