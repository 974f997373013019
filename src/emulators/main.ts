import "reflect-metadata"; // before @peculiar/x509 (tsyringe needs the Reflect polyfill)
import { startEmbeddedEmulators } from "./embedded.js";

// `npm run emulators`: both emulators standalone, with their demo data, on fixed ports.
const czertainlyPort = Number(process.env.CZERTAINLY_EMULATOR_PORT ?? 8081);
const horizonPort = Number(process.env.HORIZON_EMULATOR_PORT ?? 8082);
const czertainlyDataFile = process.env.CZERTAINLY_EMULATOR_DATA_FILE || undefined;
const emulators = await startEmbeddedEmulators({ czertainly: true, horizon: true, czertainlyPort, horizonPort, czertainlyDataFile });
console.log(`CZERTAINLY Core emulator: ${emulators.czertainlyUrl}`);
console.log(`EVERTRUST Horizon emulator: ${emulators.horizonUrl} (demo admin X-API-ID: ${emulators.horizonAdmin?.apiId})`);
const stop = async () => {
  await emulators.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
