import "reflect-metadata";
import { DEMO } from "../src/emulators/czertainly/seed.js";
import { makeCsr } from "../test/support/csr.js";
import { startGatewayProcess } from "./gateway-process.js";
import { startEmulatorsProcess, type EmulatorsProcess } from "./remote-emulator.js";
import { machineDescription, writeResults, type BenchResults } from "./report.js";
import { decodeCost, page, singleQuery, watchers } from "./scenarios.js";
import { hostileCost } from "./hostile.js";
import { writeHostileResults } from "./report.js";
import { loadConfig } from "../src/config.js";

// `npm run bench`: emulators, gateway and load generator each in a process of their own; loopback only, bounded in time.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2000);
const BACKEND_LATENCY_MS = 10;
const WATCH_INTERVAL_MS = 1000;
const PAGE = 100;

/** Tops each backend up to a full page of certificates, through the emulators' own REST APIs. */
async function fillToPage(emu: EmulatorsProcess): Promise<void> {
  const czCount = (await (
    await fetch(`${emu.cz.url}/api/v1/certificates`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
  ).json()) as { totalItems: number };
  const profile = DEMO.profiles["sync-profile"];
  for (let i = czCount.totalItems; i < PAGE; i++) {
    const { base64 } = await makeCsr(`fill-${i}.bench.example`);
    await fetch(`${emu.cz.url}/api/v2/operations/authorities/${DEMO.authorities.ejbca}/raProfiles/${profile}/certificates`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ request: base64, attributes: [] }),
    });
  }
  const hzHeaders = { "content-type": "application/json", "x-api-id": emu.horizonAdmin.apiId, "x-api-key": emu.horizonAdmin.apiKey };
  const hzCount = (await (
    await fetch(`${emu.hz.url}/api/v1/certificates/search`, {
      method: "POST",
      headers: hzHeaders,
      body: JSON.stringify({ pageIndex: 1, pageSize: 1, withCount: true }),
    })
  ).json()) as { count?: number };
  for (let i = hzCount.count ?? 0; i < PAGE; i++) {
    const { pem } = await makeCsr(`fill-${i}.hz.bench.example`);
    await fetch(`${emu.hz.url}/api/v1/requests/submit`, {
      method: "POST",
      headers: hzHeaders,
      body: JSON.stringify({ module: "webra", workflow: "enroll", profile: "auto-profile", template: { csr: pem } }),
    });
  }
}

const emu = await startEmulatorsProcess();
const admin = emu.horizonAdmin;
await fillToPage(emu);
const gw = await startGatewayProcess({
  CZERTAINLY_URL: `${emu.cz.url}/api`,
  HORIZON_URL: emu.hz.url,
  HORIZON_API_ID: admin.apiId,
  HORIZON_API_KEY: admin.apiKey,
  WATCH_INTERVAL_MS: String(WATCH_INTERVAL_MS),
  RATE_LIMIT_PER_MINUTE: "0",
  MAX_QUERY_COMPLEXITY: "10000000",
});

try {
  const post = async (query: string) =>
    (
      (await (
        await fetch(gw.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) })
      ).json()) as any
    ).data;
  const ids = await post(`{ cz: certificates(first: 1, filter: { backends: [CZERTAINLY], states: [ISSUED] }) { nodes { id backendId } }
    hz: certificates(first: 1, filter: { backends: [HORIZON], states: [ISSUED] }) { nodes { id backendId } }
    raProfiles { id name } }`);
  const czCert = ids.cz.nodes[0];
  const hzCert = ids.hz.nodes[0];
  const asyncProfile = ids.raProfiles.find((p: { name: string }) => p.name === "async-profile");
  const singleOpts = { seconds: SECONDS, samples: SAMPLES, backendLatencyMs: BACKEND_LATENCY_MS };
  // Decoding runs here, in the bench process: first, before load generation and 1,000 WebSocket subscribers leave garbage behind.
  console.log("(d) X.509 decode…");
  const decode = await decodeCost(200, 9);

  console.log("(a) single certificate…");
  const single = [
    await singleQuery(gw, emu.cz, "CZERTAINLY", { url: `${emu.cz.url}/api/v1/certificates/${czCert.backendId}` }, czCert.id, singleOpts),
    await singleQuery(
      gw,
      emu.hz,
      "HORIZON",
      { url: `${emu.hz.url}/api/v1/certificates/${hzCert.backendId}`, headers: { "x-api-id": admin.apiId, "x-api-key": admin.apiKey } },
      hzCert.id,
      singleOpts,
    ),
  ];
  console.log("(b) pages of 100…");
  const pages = [await page(gw, emu.cz, "CZERTAINLY", SECONDS), await page(gw, emu.hz, "HORIZON", SECONDS)];
  console.log("(c) subscribers on pending certificates…");
  const watch = await watchers(gw, emu.cz, {
    asyncProfileId: asyncProfile.id,
    certificates: 100,
    subscribersPerCertificate: 10,
    intervalMs: WATCH_INTERVAL_MS,
    intervals: 5,
  }).catch(error => {
    console.error("(c) failed:", (error as Error).message);
    return undefined;
  });
  console.log("(e) hostile requests…");
  // The gateway above runs with MAX_QUERY_COMPLEXITY raised: (e) gets one with the default limits.
  const limits = loadConfig({});
  const guarded = await startGatewayProcess({
    CZERTAINLY_URL: `${emu.cz.url}/api`,
    HORIZON_URL: emu.hz.url,
    HORIZON_API_ID: admin.apiId,
    HORIZON_API_KEY: admin.apiKey,
    RATE_LIMIT_PER_MINUTE: "0",
  });
  const hostile = await hostileCost(guarded, { bodyLimitBytes: limits.bodyLimitBytes, tokens: limits.maxTokens, repetitions: 10 }).finally(() =>
    guarded.stop(),
  );
  await writeHostileResults(hostile);
  const results: BenchResults = { at: new Date().toISOString(), machine: machineDescription(), single, pages, watch, decode, hostile };
  console.log(await writeResults(results));
} finally {
  await gw.stop();
  await emu.stop();
}
