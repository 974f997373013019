import type { RequestAttribute } from "../../backends/czertainly/wire.js";
import { createCsr, generateKeyPair } from "../ca.js";
import { ATTRS_PROFILE_ISSUE, ATTRS_PROFILE_REVOKE } from "./attributes.js";
import type { CoreEngine } from "./engine.js";
import type { CzertainlyState, EmulatedAuthority, EmulatedRaProfile, ProfileBehaviour } from "./model.js";

/** Fixed uuids so the demo's authorities and RA profiles keep their ids across restarts. */
export const DEMO = {
  authorities: {
    ejbca: "0f4b2c1e-6b1a-4d7e-8a9c-1e2f3a4b5c01",
    adcs: "0f4b2c1e-6b1a-4d7e-8a9c-1e2f3a4b5c02",
    legacy: "0f4b2c1e-6b1a-4d7e-8a9c-1e2f3a4b5c03",
  },
  profiles: {
    "sync-profile": "7d3e5a10-2b4c-4e6f-8a1b-3c5d7e9f1a01",
    "async-profile": "7d3e5a10-2b4c-4e6f-8a1b-3c5d7e9f1a02",
    "attrs-profile": "7d3e5a10-2b4c-4e6f-8a1b-3c5d7e9f1a03",
    "async-nocancel-profile": "7d3e5a10-2b4c-4e6f-8a1b-3c5d7e9f1a04",
    "async-auto-profile": "7d3e5a10-2b4c-4e6f-8a1b-3c5d7e9f1a05",
    "legacy-profile": "7d3e5a10-2b4c-4e6f-8a1b-3c5d7e9f1a06",
    "disabled-profile": "7d3e5a10-2b4c-4e6f-8a1b-3c5d7e9f1a07",
  },
} as const;

export type DemoProfileName = keyof typeof DEMO.profiles;

export interface StructureOptions {
  /** Delay after which async-auto-profile's pending operations complete on their own. */
  autoCompleteAfterMs?: number;
}

/** Authorities and RA profiles: the part of the demo every emulator has, even with seed "none". */
export function seedStructure(state: CzertainlyState, opts: StructureOptions = {}): void {
  const authority = (uuid: string, name: string, kind: string, legacy: boolean): EmulatedAuthority => ({
    uuid,
    name,
    kind,
    legacy,
    connectorUuid: uuid.replace(/5c0(\d)$/, "ff0$1"),
    connectorName: legacy ? "EJBCA-Legacy-Connector" : `${kind}-NG-Connector`,
  });
  for (const a of [
    authority(DEMO.authorities.ejbca, "ejbca-ng", "EJBCA", false),
    authority(DEMO.authorities.adcs, "ms-adcs", "MS-ADCS", false),
    authority(DEMO.authorities.legacy, "ejbca-legacy", "EJBCA", true),
  ])
    state.authorities.set(a.uuid, a);

  const profile = (
    name: DemoProfileName,
    authorityUuid: string,
    description: string,
    behaviour: ProfileBehaviour,
    extra: Partial<EmulatedRaProfile> = {},
  ): void => {
    const uuid = DEMO.profiles[name];
    state.raProfiles.set(uuid, {
      uuid,
      name,
      description,
      authorityUuid,
      enabled: true,
      behaviour,
      issueAttributes: [],
      revokeAttributes: [],
      ...extra,
    });
  };
  profile("sync-profile", DEMO.authorities.ejbca, "Issues and revokes at once (connector answers 200)", { mode: "sync", cancellable: true });
  profile("async-profile", DEMO.authorities.adcs, "Operations stay pending until finalized, confirmed or cancelled (connector answers 202)", {
    mode: "async",
    cancellable: true,
  });
  profile(
    "attrs-profile",
    DEMO.authorities.ejbca,
    "Requires issue attributes (department, optional validityDays)",
    { mode: "sync", cancellable: true },
    {
      issueAttributes: ATTRS_PROFILE_ISSUE,
      revokeAttributes: ATTRS_PROFILE_REVOKE,
    },
  );
  profile("async-nocancel-profile", DEMO.authorities.adcs, "Asynchronous; the authority refuses to abort pending operations", {
    mode: "async",
    cancellable: false,
  });
  profile("async-auto-profile", DEMO.authorities.adcs, "Asynchronous; the authority completes pending operations on its own after a delay", {
    mode: "async",
    cancellable: true,
    autoCompleteAfterMs: opts.autoCompleteAfterMs ?? 3_000,
  });
  profile("legacy-profile", DEMO.authorities.legacy, "Legacy v1 end-entity operations (endEntityProfile: demo-eep)", {
    mode: "sync",
    cancellable: false,
  });
  profile("disabled-profile", DEMO.authorities.ejbca, "Disabled: operations are refused", { mode: "sync", cancellable: true }, { enabled: false });
}

const attr = (name: string, data: unknown): RequestAttribute => ({
  name,
  contentType: typeof data === "number" ? "integer" : "string",
  content: [{ data }],
  version: "v2",
});

/** A few dozen certificates in every state, made through the same operations the API runs. */
export async function seedDemo(engine: CoreEngine): Promise<void> {
  const state = engine.state;
  const p = (name: DemoProfileName) => state.raProfiles.get(DEMO.profiles[name])!;
  const csrFor = async (cn: string, algorithm: "EC" | "RSA" = "EC") => {
    const keys = await generateKeyPair(algorithm);
    const csr = await createCsr(`CN=${cn}, O=Demo Corp, C=CZ`, keys, { dns: [cn] });
    return Buffer.from(csr.rawData).toString("base64");
  };
  const issue = async (profile: DemoProfileName, cn: string, attributes: RequestAttribute[] = [], algorithm: "EC" | "RSA" = "EC") =>
    (await engine.issue(p(profile), { request: await csrFor(cn, algorithm), attributes })).uuid;

  // sync-profile: a healthy inventory, some with managed keys, some revoked, one expired.
  for (let i = 1; i <= 10; i++) {
    const uuid = await issue("sync-profile", `web${String(i).padStart(2, "0")}.demo.example`, [], i % 4 === 0 ? "RSA" : "EC");
    const c = state.certificates.get(uuid)!;
    c.owner = i % 2 ? "alice" : "bob";
    c.groups = [{ uuid: "3e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a01", name: i % 3 ? "web" : "infra" }];
  }
  for (let i = 1; i <= 6; i++) {
    await engine.issue(p("sync-profile"), {
      tokenProfileUuid: "8a3b7a2e-5c39-4f0e-9d55-0b9e6a7c2d11",
      csrAttributes: [attr("commonName", `svc${i}.keys.demo.example`), attr("organization", "Demo Corp")],
      attributes: [],
    });
  }
  for (let i = 1; i <= 3; i++) {
    const uuid = await issue("sync-profile", `retired${i}.demo.example`);
    await engine.revoke(p("sync-profile"), uuid, { reason: i === 1 ? "keyCompromise" : "superseded", attributes: [] });
  }
  await seedExpired(engine, "old.demo.example");

  // async-profile: pending issuances and revocations waiting for an operator.
  for (let i = 1; i <= 4; i++) await issue("async-profile", `pending${i}.async.demo.example`);
  for (let i = 1; i <= 2; i++) {
    const uuid = await issue("async-profile", `revoking${i}.async.demo.example`);
    await engine.completePending(uuid);
    await engine.revoke(p("async-profile"), uuid, { reason: "cessationOfOperation", attributes: [] });
  }
  const done = await issue("async-profile", `done.async.demo.example`);
  await engine.completePending(done);

  // attrs-profile: issued with the required department.
  for (const dept of ["Finance", "Research", "Operations"]) {
    await issue("attrs-profile", `${dept.toLowerCase()}.attrs.demo.example`, [attr("department", dept), attr("validityDays", 90)]);
  }
  await issue("async-nocancel-profile", "stuck.nocancel.demo.example");

  // A failed issuance (cancelled) and one still REQUESTED (queued, never sent to the connector).
  const failed = await issue("async-profile", "cancelled.async.demo.example");
  await engine.cancel(p("async-profile"), failed, { reason: "Demo: requested by mistake" });
  engine.newCertificate(p("sync-profile"), await csrFor("queued.demo.example"), undefined, []);

  state.endEntities.push({
    raProfileName: "legacy-profile",
    username: "demo-user",
    password: "demo-pass",
    subjectDN: "CN=demo-user,O=Demo Corp,C=CZ",
    email: "demo-user@demo.example",
    status: "NEW",
  });
}

async function seedExpired(engine: CoreEngine, cn: string): Promise<void> {
  const keys = await generateKeyPair("EC");
  const csr = await createCsr(`CN=${cn}, O=Demo Corp, C=CZ`, keys, { dns: [cn] });
  const notBefore = new Date(Date.now() - 400 * 86_400_000);
  const issued = await engine.ca.signCsr(csr, { notBefore, validityDays: 365 });
  engine.addCertificate(
    {
      state: "issued",
      raProfileUuid: DEMO.profiles["sync-profile"],
      created: notBefore.toISOString(),
      content: issued.base64,
      csr: Buffer.from(csr.rawData).toString("base64"),
    },
    "Issue Certificate",
    "Issued using RA Profile sync-profile",
  );
}
