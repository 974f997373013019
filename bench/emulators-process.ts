import "reflect-metadata";
import { startCzertainlyEmulator } from "../src/emulators/czertainly/czertainly.emulator.js";
import { startHorizonEmulator } from "../src/emulators/horizon/horizon.emulator.js";

// Both emulators in a process of their own, so the load generator never shares an event loop with a backend.
const cz = await startCzertainlyEmulator({ port: 0 });
const hz = await startHorizonEmulator({ port: 0 });
process.stdout.write(`${JSON.stringify({ czertainly: cz.url, horizon: hz.url, horizonAdmin: hz.accounts.admin })}\n`);
const stop = async () => {
  await Promise.all([cz.close(), hz.close()]);
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
