import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { createCsr, type EmulatorCa, generateKeyPair } from "../ca.js";
import { toWireCertificate } from "./certs.js";
import type { OpCtx } from "./context.js";
import { submit } from "./lifecycle.js";
import { type Account, DAY_MS, newId } from "./model.js";

const TEAMS = ["infra", "web", "payments"];

/**
 * Demo data: 30 certificates over the WebRA profiles (every 7th revoked, every 5th expiring within
 * 3 weeks, two already expired) and 3 pending requests on approval-profile. ECDSA keys keep it < 1 s.
 */
export async function seedDemo(ctx: OpCtx, ca: EmulatorCa, admin: Account): Promise<void> {
  for (const t of TEAMS) ctx.state.teams.add(t);
  const now = ctx.now();
  const profiles = ["auto-profile", "approval-profile", "central-profile"];
  await Promise.all(
    Array.from({ length: 30 }, async (_, i) => {
      const keys = await generateKeyPair("EC");
      const pub = new x509.PublicKey(await webcrypto.subtle.exportKey("spki", keys.publicKey));
      const name = `host${String(i + 1).padStart(2, "0")}.demo.example`;
      // Lifetime 365 days; shift notBefore so some expire soon or have expired.
      const ageDays = i % 5 === 0 ? 350 - i / 5 : i === 13 || i === 27 ? 380 : (i * 7) % 300;
      const issued = await ca.signPublicKey(
        pub,
        `CN=${name},O=Demo Corp`,
        { dns: [name] },
        { validityDays: 365, notBefore: new Date(now - ageDays * DAY_MS) },
      );
      const id = newId(now);
      const revoked = i % 7 === 3;
      const wire = toWireCertificate(id, issued.pem, {
        profile: profiles[i % 3],
        owner: `user${i % 4}`,
        team: TEAMS[i % 3],
        contactEmail: `ops${i % 3}@demo.example`,
        labels: [{ key: "env", value: i % 2 ? "prod" : "dev" }],
        ...(revoked ? { revoked: true, revocationDate: now - DAY_MS, revocationReason: "superseded" } : {}),
      });
      ctx.state.certificates.set(id, { wire });
    }),
  );
  const adminCtx: OpCtx = { ...ctx, account: admin };
  for (let i = 1; i <= 3; i++) {
    const keys = await generateKeyPair("EC");
    const csr = await createCsr(`CN=pending${i}.demo.example,O=Demo Corp`, keys, { dns: [`pending${i}.demo.example`] });
    await submit(adminCtx, {
      module: "webra",
      workflow: "enroll",
      profile: "approval-profile",
      template: { csr: csr.toString("pem") },
      requesterComment: `demo pending request ${i}`,
    });
  }
}
