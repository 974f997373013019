import { createHash } from "node:crypto";
import { X509Certificate } from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import type { BackendAdapter, BackendCall } from "../../src/backends/adapter.js";
import type { CallerCredentials } from "../../src/backends/credentials.js";
import { toGraphQLError } from "../../src/errors/to-graphql-error.js";
import { CertificateState } from "../../src/model/enums.js";
import type { CertificateFilter } from "../../src/model/inputs/certificates.args.js";
import type { IssueInput, RevokeInput } from "../../src/model/inputs/operation.inputs.js";
import { makeCsr } from "../support/csr.js";

/** What the shared behaviour suite needs to know about one backend and its emulator. */
export interface AdapterFixture {
  adapter: BackendAdapter<any, any>;
  /** Credentials the emulator accepts (service identity). */
  creds: CallerCredentials;
  /** Credentials the emulator refuses. */
  badCreds: CallerCredentials;
  /** An IssueInput for a profile that issues at once, from a PEM CSR. */
  issueInput(csrPem: string): IssueInput;
  /** A well-formed id the backend has no certificate for. */
  unknownId: string;
}

const codeOf = (error: unknown) => toGraphQLError(error).extensions.code;

/** The one search a backend makes for these filters (each filter used here fits one backend search). */
function searchOf(adapter: BackendAdapter<any, any>, call: BackendCall<any>, filter?: CertificateFilter) {
  const searches = adapter.certificateSearches(call, filter);
  expect(searches).toHaveLength(1);
  return searches[0]!;
}

/**
 * One behaviour suite every adapter passes, run against each backend's emulator over real HTTP:
 * read, search and page, count, the watcher's read, each unified operation it supports, and errors.
 */
export function describeAdapterContract(name: string, fixture: () => AdapterFixture) {
  describe(`${name} adapter contract`, () => {
    const call = (creds?: CallerCredentials): BackendCall<any> => {
      const f = fixture();
      const c = creds ?? f.creds;
      return { creds: c, loaders: f.adapter.createLoaders(c, {}) };
    };

    it("searches windows filtered by the backend, and pages without repeats or gaps", async () => {
      const { adapter } = fixture();
      const whole = await searchOf(adapter, call()).window(0, 6);
      const first = await searchOf(adapter, call()).window(0, 3);
      const second = await searchOf(adapter, call()).window(3, 3);
      expect(whole.items.length).toBe(6);
      expect([...first.items, ...second.items].map(c => c.id)).toEqual(whole.items.map(c => c.id));
      expect(new Set(whole.items.map(c => c.backend))).toEqual(new Set([adapter.backend]));
      expect(first.hasMore).toBe(true);
    });

    it("counts what it searches", async () => {
      const { adapter } = fixture();
      const window = await searchOf(adapter, call()).window(0, 1);
      const count = await searchOf(adapter, call()).count();
      expect(count).toBeGreaterThan(6);
      if (window.total !== undefined) expect(count).toBe(window.total);
    });

    it("filters by state in the backend: every row matches, and rows of other states exist", async () => {
      const { adapter } = fixture();
      const revoked = await searchOf(adapter, call(), { states: [CertificateState.REVOKED] }).window(0, 50);
      expect(revoked.items.length).toBeGreaterThan(0);
      expect(revoked.items.every(c => c.state === CertificateState.REVOKED)).toBe(true);
      const all = await searchOf(adapter, call()).window(0, 50);
      expect(all.items.some(c => c.state !== CertificateState.REVOKED)).toBe(true);
    });

    it("loads one certificate by its backend id, decoded from its own X.509; null for an unknown id", async () => {
      const { adapter, unknownId } = fixture();
      const [listed] = (await searchOf(adapter, call(), { states: [CertificateState.ISSUED] }).window(0, 1)).items;
      const loaded = await adapter.loadCertificate(call(), listed!.backendId);
      expect(loaded?.id).toBe(listed!.id);
      const der = Buffer.from(new X509Certificate(loaded!.record.content!).rawData);
      expect(loaded!.fingerprintSha256?.toLowerCase().replace(/:/g, "")).toBe(createHash("sha256").update(der).digest("hex"));
      expect(await adapter.loadCertificate(call(), unknownId)).toBeNull();
    });

    it("gives a watcher the current state through fresh loaders, and null when the object is gone", async () => {
      const { adapter, creds, unknownId } = fixture();
      const [listed] = (await searchOf(adapter, call()).window(0, 1)).items;
      const read = await adapter.readCertificate(creds, listed!.backendId);
      expect(read?.state).toBe(listed!.state);
      expect(await adapter.readCertificate(creds, unknownId)).toBeNull();
    });

    it("issues from a real CSR, and the certificate carries the CSR's public key", async () => {
      const f = fixture();
      const { pem, keys } = await makeCsr(`contract-${f.adapter.key}.example`);
      const payload = await f.adapter.operations.issue!(call(), f.issueInput(pem));
      const issued = payload.certificate!;
      expect(issued.state).toBe(CertificateState.ISSUED);
      const spki = Buffer.from(await crypto.subtle.exportKey("spki", keys.publicKey)).toString("base64");
      const cert = new X509Certificate(issued.record.content!);
      expect(Buffer.from(cert.publicKey.rawData).toString("base64")).toBe(spki);
      expect((await f.adapter.readCertificate(f.creds, issued.backendId))?.state).toBe(CertificateState.ISSUED);
    });

    it("revokes an issued certificate: the backend then holds it revoked", async () => {
      const f = fixture();
      const { pem } = await makeCsr(`contract-revoke-${f.adapter.key}.example`);
      const issued = (await f.adapter.operations.issue!(call(), f.issueInput(pem))).certificate!;
      const input = { certificateId: issued.id, reason: "SUPERSEDED" } as RevokeInput;
      await f.adapter.operations.revoke!(call(), issued.backendId, input);
      expect((await f.adapter.readCertificate(f.creds, issued.backendId))?.state).toBe(CertificateState.REVOKED);
    });

    it("answers typed errors: refused credentials are UNAUTHENTICATED, an unknown target NOT_FOUND", async () => {
      const f = fixture();
      await expect(searchOf(f.adapter, call(f.badCreds)).window(0, 1)).rejects.toSatisfy(e => codeOf(e) === "UNAUTHENTICATED");
      const input = { certificateId: "unknown", reason: "SUPERSEDED" } as RevokeInput;
      await expect(f.adapter.operations.revoke!(call(), f.unknownId, input)).rejects.toSatisfy(e =>
        ["NOT_FOUND", "BAD_USER_INPUT"].includes(String(codeOf(e))),
      );
    });
  });
}
