import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsr } from "../../../src/emulators/ca.js";
import { startCzertainlyEmulator, type CzertainlyEmulator } from "../../../src/emulators/czertainly/czertainly.emulator.js";
import { coreApi, verifiesAgainstChain } from "./czertainly-support.js";

describe("CZERTAINLY emulator: authentication, faults, request log, persistence", () => {
  let cz: CzertainlyEmulator;
  beforeAll(async () => {
    cz = await startCzertainlyEmulator({ port: 0, requireClientCert: true });
  });
  afterAll(() => cz.close());

  it("checks the ssl-client-cert header as Core does: 401 without, 403 for an unknown or under-privileged certificate", async () => {
    expect((await coreApi(cz).get("/v1/raProfiles")).status).toBe(401);
    const stranger = encodeURIComponent(cz.ca.root.toString("pem"));
    const refused = await coreApi(cz, { "ssl-client-cert": stranger }).get("/v1/raProfiles");
    expect(refused.status).toBe(403);
    expect(refused.contentType).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({ statusCode: 400, code: "ACCESS_DENIED" });

    const operator = coreApi(cz, { "ssl-client-cert": cz.clientCert.header });
    expect((await operator.get("/v1/raProfiles")).status).toBe(200);
    // Core also accepts raw base64 DER in the header.
    const der = cz.clientCert.pem.replace(/-----[^-]+-----|\s/g, "");
    expect((await coreApi(cz, { "ssl-client-cert": der }).get("/v1/authorities")).status).toBe(200);

    const reader = coreApi(cz, { "ssl-client-cert": cz.readerCert.header });
    expect((await reader.post("/v1/certificates", { itemsPerPage: 1 })).status).toBe(200);
    const denied = await reader.post(`${reader.ops("sync-profile")}/certificates`, { attributes: [] });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toMatch(/Access Denied/);
  });

  it("injects faults through its control routes and logs every request for call counting", async () => {
    const api = coreApi(cz, { "ssl-client-cert": cz.clientCert.header });
    cz.clearLog();
    await request(`${cz.url}/__emulator/faults`, { method: "PUT", body: JSON.stringify({ failNext: 2, failStatus: 502 }) });
    expect((await api.get("/v1/raProfiles")).status).toBe(502);
    expect((await api.get("/v1/raProfiles")).status).toBe(502);
    expect((await api.get("/v1/raProfiles")).status).toBe(200);
    expect(cz.count("GET", "/api/v1/raProfiles")).toBe(3);

    cz.faults.garbageNext = 1;
    const garbage = await request(`${cz.url}/api/v1/raProfiles`, { headers: { "ssl-client-cert": cz.clientCert.header } });
    expect(await garbage.body.text()).toMatch(/^<html>/);

    cz.faults.down = true;
    const down = await api.get("/v1/authorities");
    expect(down).toMatchObject({ status: 503, body: { message: "Connector unreachable" } });
    cz.faults.down = false;

    cz.faults.resetNext = 1;
    await expect(api.get("/v1/authorities")).rejects.toThrow();
    expect((await api.get("/v1/authorities")).status).toBe(200);

    const log = await request(`${cz.url}/__emulator/requests`);
    const entries = (await log.body.json()) as { method: string; path: string; at: number }[];
    expect(entries.at(-1)).toMatchObject({ method: "GET", path: "/api/v1/authorities", at: expect.any(Number) });
  });

  it("survives a restart when given a data file: same certificates, same CA, operations continue", async () => {
    const dataFile = join(mkdtempSync(join(tmpdir(), "cz-data-")), "czertainly.json");
    const first = await startCzertainlyEmulator({ port: 0, dataFile });
    const api1 = coreApi(first);
    const pending = await api1.issue("async-profile", "persist.emu.example");
    const count = first.state.certificates.size;
    await new Promise(resolve => setImmediate(resolve)); // the write is queued after the answer
    await first.close();

    const second = await startCzertainlyEmulator({ port: 0, dataFile });
    try {
      const api2 = coreApi(second);
      expect(second.state.certificates.size).toBe(count);
      expect((await api2.get(`/v1/certificates/${pending.uuid}`)).body.state).toBe("pending_issue");
      const issued = await second.ca.signCsr(parseCsr(pending.csr.pem));
      const done = await api2.post(`${api2.ops("async-profile")}/certificates/${pending.uuid}/issue/finalize`, { certificate: issued.base64 });
      expect(done.body.state).toBe("issued");
      // The restored CA is the one that signed the certificates stored before the restart.
      const old = [...second.state.certificates.values()].find(c => c.content && c.uuid !== pending.uuid)!;
      expect(await verifiesAgainstChain(second, old.content!)).toBe(true);
    } finally {
      await second.close();
    }
  });

  it("reset brings back the demo inventory", async () => {
    const api = coreApi(cz, { "ssl-client-cert": cz.clientCert.header });
    const before = cz.state.certificates.size;
    await api.issue("sync-profile", "extra.emu.example");
    expect(cz.state.certificates.size).toBe(before + 1);
    await cz.reset();
    expect(cz.state.certificates.size).toBe(before);
  });
});
