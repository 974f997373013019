import { afterAll, beforeAll } from "vitest";
import { createCzertainlyAdapter } from "../../src/backends/czertainly/adapter.js";
import { createCzertainlyClient } from "../../src/backends/czertainly/client.js";
import type { CallerCredentials } from "../../src/backends/credentials.js";
import { startCzertainlyEmulator, type CzertainlyEmulator } from "../../src/emulators/czertainly/czertainly.emulator.js";
import { Backend } from "../../src/model/enums.js";
import { toGlobalId } from "../../src/domain/ids.js";
import { describeAdapterContract, type AdapterFixture } from "./adapter-contract.js";

let cz: CzertainlyEmulator;
let fixture: AdapterFixture;

beforeAll(async () => {
  // Core checks the client certificate, so refused credentials can be shown.
  cz = await startCzertainlyEmulator({ port: 0, requireClientCert: true });
  const client = createCzertainlyClient({ url: `${cz.url}/api`, timeoutMs: 5000, readRetries: 0 });
  const adapter = createCzertainlyAdapter(client);
  const creds: CallerCredentials = {
    czertainly: { "ssl-client-cert": cz.clientCert.header },
    horizon: { missing: "not used" },
    principal: "contract",
  };
  const profiles = await adapter.call({ creds, loaders: adapter.createLoaders(creds, {}) }).loaders.czRaProfiles();
  const sync = profiles.find(p => p.name === "sync-profile")!;
  fixture = {
    adapter,
    creds,
    badCreds: { ...creds, czertainly: {} }, // no client certificate: Core answers 401
    issueInput: csr => ({ raProfileId: toGlobalId("RaProfile", Backend.CZERTAINLY, sync.uuid), csr }) as never,
    unknownId: "00000000-0000-4000-8000-000000000000",
  };
});
afterAll(() => cz?.close());

describeAdapterContract("CZERTAINLY", () => fixture);
