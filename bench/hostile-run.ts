import { loadConfig } from "../src/config.js";
import { startGatewayProcess } from "./gateway-process.js";
import { hostileCost } from "./hostile.js";
import { startEmulatorsProcess } from "./remote-emulator.js";
import { hostileMarkdown, writeHostileResults } from "./report.js";

// `npm run bench:hostile`: only scenario (e), the gateway with its default limits in a process of its
// own; writes bench/results/hostile.{json,md}. The full `npm run bench` runs it too.
const REPETITIONS = Number(process.env.BENCH_HOSTILE_REPETITIONS ?? 10);
const defaults = loadConfig({});
const emu = await startEmulatorsProcess();
const gw = await startGatewayProcess({
  CZERTAINLY_URL: `${emu.cz.url}/api`,
  HORIZON_URL: emu.hz.url,
  HORIZON_API_ID: emu.horizonAdmin.apiId,
  HORIZON_API_KEY: emu.horizonAdmin.apiKey,
  RATE_LIMIT_PER_MINUTE: "0",
  LOG_LEVEL: "error", // every refusal is a warn line
});
try {
  console.log("(e) hostile requests…");
  const hostile = await hostileCost(gw, { bodyLimitBytes: defaults.bodyLimitBytes, tokens: defaults.maxTokens, repetitions: REPETITIONS });
  await writeHostileResults(hostile);
  console.log(hostileMarkdown(hostile));
} finally {
  await gw.stop();
  await emu.stop();
}
