import "reflect-metadata";
import { startEmbeddedEmulators } from "../src/emulators/embedded.js";

// Both emulators in a process of their own, so the load generator never shares an event loop with a backend.
const emulators = await startEmbeddedEmulators({ czertainly: true, horizon: true });
const czertainly = emulators.czertainlyUrl!.replace(/\/api$/, ""); // control routes sit beside /api
process.stdout.write(`${JSON.stringify({ czertainly, horizon: emulators.horizonUrl, horizonAdmin: emulators.horizonAdmin })}\n`);
const stop = async () => {
  await emulators.close();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
