import type { Config } from "../config.js";
import { Backend } from "../model/enums.js";
import type { Logger } from "pino";
import type { CallerCredentials } from "../backends/credentials.js";
import type { BackendRegistry } from "../backends/registry.js";
import type { StateBus } from "./state-bus.js";
import { createStateReader, credentialKeyOf } from "./state-events.js";
import { WatchHub } from "./watch-hub.js";

export { InMemoryStateBus, type StateBus, type StateEvent } from "./state-bus.js";
export { WatchHub, WatchStream, type WatchItem } from "./watch-hub.js";

/** The gateway's watch hub: config intervals and caps, reads through the upstream clients, in-memory bus unless one is given. */
export function createGatewayWatchHub(opts: {
  config: Config;
  backends: BackendRegistry;
  logger: Logger;
  /** The service identity's credentials (what mutations run with in service mode). */
  serviceCredentials: CallerCredentials;
  bus?: StateBus;
  onPoll?: (backend: Backend, outcome: "ok" | "error") => void;
  /** The hub's clock (default `Date.now`); its timers stay real. */
  now?: () => number;
}): WatchHub {
  const { config } = opts;
  // Mutations run with the service identity in service mode: their states are every caller's states.
  const service = opts.serviceCredentials;
  const shared = {
    [Backend.CZERTAINLY]: config.czertainly.credentials === "service" ? credentialKeyOf(service, Backend.CZERTAINLY) : undefined,
    [Backend.HORIZON]: config.horizon.credentials === "service" ? credentialKeyOf(service, Backend.HORIZON) : undefined,
  };
  return new WatchHub({
    read: createStateReader(opts.backends),
    bus: opts.bus,
    intervalMs: config.watchIntervalMs,
    maxPollsPerSecond: config.maxPollsPerSecond,
    mutationCredentialKey: backend => shared[backend],
    onPoll: opts.onPoll,
    now: opts.now,
    onPollError: (target, error) =>
      opts.logger.debug(
        { watch: { kind: target.kind, backend: target.backend }, err: { name: (error as Error)?.name, message: (error as Error)?.message } },
        "watch poll failed",
      ),
  });
}
