import "reflect-metadata";
import { startCzertainlyEmulator } from "../src/emulators/czertainly/czertainly.emulator.js";
import { startHorizonEmulator } from "../src/emulators/horizon/horizon.emulator.js";
import { startGatewayProcess } from "./gateway-process.js";
import { machineDescription, writeResults, type BenchResults } from "./report.js";
import { decodeCost, page, singleQuery, watchers } from "./scenarios.js";

// `npm run bench`: emulators here, the gateway as its own process, load from here; loopback only, bounded in time.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WATCH_INTERVAL_MS = 1000;

const cz = await startCzertainlyEmulator({ port: 0 });
const hz = await startHorizonEmulator({ port: 0 });
const admin = hz.accounts.admin;
const gw = await startGatewayProcess({
  CZERTAINLY_URL: `${cz.url}/api`,
  HORIZON_URL: hz.url,
  HORIZON_API_ID: admin.apiId,
  HORIZON_API_KEY: admin.apiKey,
  WATCH_INTERVAL_MS: String(WATCH_INTERVAL_MS),
  RATE_LIMIT_PER_MINUTE: "0",
  MAX_QUERY_COMPLEXITY: "10000000",
});

try {
  const post = async (query: string) =>
    ((await (await fetch(gw.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) })).json()) as any).data;
  const ids = await post(`{ cz: certificates(first: 1, filter: { backends: [CZERTAINLY], states: [ISSUED] }) { nodes { id backendId } }
    hz: certificates(first: 1, filter: { backends: [HORIZON], states: [ISSUED] }) { nodes { id backendId } }
    raProfiles { id name } }`);
  const czCert = ids.cz.nodes[0];
  const hzCert = ids.hz.nodes[0];
  const asyncProfile = ids.raProfiles.find((p: { name: string }) => p.name === "async-profile");

  console.log("(a) single certificate…");
  const single = [
    await singleQuery(gw, "CZERTAINLY", { url: `${cz.url}/api/v1/certificates/${czCert.backendId}` }, czCert.id, SECONDS),
    await singleQuery(gw, "HORIZON", { url: `${hz.url}/api/v1/certificates/${hzCert.backendId}`, headers: { "x-api-id": admin.apiId, "x-api-key": admin.apiKey } }, hzCert.id, SECONDS),
  ];
  console.log("(b) pages of 100…");
  const pages = [await page(gw, cz, "CZERTAINLY", SECONDS), await page(gw, hz, "HORIZON", SECONDS)];
  console.log("(c) subscribers on pending certificates…");
  const watch = await watchers(gw, cz, {
    asyncProfileId: asyncProfile.id,
    certificates: 100,
    subscribersPerCertificate: 10,
    intervalMs: WATCH_INTERVAL_MS,
    intervals: 5,
  }).catch(error => {
    console.error("(c) failed:", (error as Error).message);
    return undefined;
  });
  console.log("(d) X.509 decode…");
  const decode = await decodeCost(200, 7);
  const results: BenchResults = { at: new Date().toISOString(), machine: machineDescription(), single, pages, watch, decode };
  console.log(await writeResults(results));
} finally {
  await gw.stop();
  await Promise.all([cz.close(), hz.close()]);
}
