import { afterAll, beforeAll } from "vitest";
import { createHorizonAdapter } from "../../src/backends/horizon/adapter.js";
import { createHorizonClient } from "../../src/backends/horizon/client.js";
import type { CallerCredentials } from "../../src/backends/credentials.js";
import { startHorizonEmulator, type HorizonEmulator } from "../../src/emulators/horizon/horizon.emulator.js";
import { describeAdapterContract, type AdapterFixture } from "./adapter-contract.js";

let hz: HorizonEmulator;
let fixture: AdapterFixture;

beforeAll(async () => {
  hz = await startHorizonEmulator({ port: 0 });
  const client = createHorizonClient({ url: hz.url, timeoutMs: 5000, readRetries: 0 });
  const admin = hz.accounts.admin;
  const creds: CallerCredentials = {
    czertainly: { missing: "not used" },
    horizon: { "x-api-id": admin.apiId, "x-api-key": admin.apiKey },
    principal: "contract",
  };
  fixture = {
    adapter: createHorizonAdapter(client),
    creds,
    badCreds: { ...creds, horizon: { "x-api-id": admin.apiId, "x-api-key": "wrong-key" } },
    issueInput: csr => ({ horizonProfile: "auto-profile", csr }) as never,
    unknownId: "000000000000000000000000",
  };
});
afterAll(() => hz?.close());

describeAdapterContract("Horizon", () => fixture);
