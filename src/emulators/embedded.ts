import { startCzertainlyEmulator } from "./czertainly/czertainly.emulator.js";
import { startHorizonEmulator } from "./horizon/horizon.emulator.js";

export interface EmbeddedEmulators {
  czertainlyUrl?: string;
  horizonUrl?: string;
  /** Horizon credentials of the demo admin account, for a gateway in service mode. */
  horizonAdmin?: { apiId: string; apiKey: string };
  close(): Promise<void>;
}

/** Starts the emulators a gateway needs (the ones without a configured URL), on the given ports (0 = any). */
export async function startEmbeddedEmulators(opts: {
  czertainly: boolean;
  horizon: boolean;
  czertainlyPort?: number;
  horizonPort?: number;
  /** Keep the CZERTAINLY emulator's state in this file across restarts. */
  czertainlyDataFile?: string;
}): Promise<EmbeddedEmulators> {
  const cz = opts.czertainly ? await startCzertainlyEmulator({ port: opts.czertainlyPort ?? 0, dataFile: opts.czertainlyDataFile }) : undefined;
  const hz = opts.horizon ? await startHorizonEmulator({ port: opts.horizonPort ?? 0 }) : undefined;
  return {
    czertainlyUrl: cz ? `${cz.url}/api` : undefined,
    horizonUrl: hz?.url,
    horizonAdmin: hz ? hz.accounts.admin : undefined,
    async close() {
      await Promise.all([cz?.close(), hz?.close()]);
    },
  };
}
