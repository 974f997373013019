import "reflect-metadata";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { startGateway } from "./server/gateway.js";
import { createLogger } from "./server/logger.js";
import { createUpstreams } from "./backends/registry.js";

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const needCz = !config.czertainly.url;
  const needHz = !config.horizon.url;
  let closeEmulators = async () => {};
  let czUrl = config.czertainly.url;
  let hzUrl = config.horizon.url;
  if (needCz || needHz) {
    // The emulators are loaded only here, in the entry point: gateway code never imports them.
    const { startEmbeddedEmulators } = await import("./emulators/embedded.js");
    const emulators = await startEmbeddedEmulators({ czertainly: needCz, horizon: needHz });
    closeEmulators = () => emulators.close();
    czUrl ??= emulators.czertainlyUrl;
    hzUrl ??= emulators.horizonUrl;
    if (needHz && emulators.horizonAdmin && config.horizon.credentials === "service") {
      config.horizon.apiId = emulators.horizonAdmin.apiId;
      config.horizon.apiKey = emulators.horizonAdmin.apiKey;
    }
    logger.info({ czertainly: needCz ? czUrl : undefined, horizon: needHz ? hzUrl : undefined }, "embedded emulators started");
    // Only reached with EMBEDDED_EMULATORS=true set explicitly (loadConfig refuses it by default in production).
    if (process.env.NODE_ENV === "production")
      logger.warn("NODE_ENV=production on the embedded emulators: certificates are issued from their fake CAs");
  }
  const upstreams = createUpstreams(config, { czertainly: czUrl!, horizon: hzUrl! });
  const gateway = await startGateway(config, { upstreams, logger, embedded: { czertainly: needCz, horizon: needHz } });
  logger.info(
    {
      graphql: gateway.url,
      subscriptions: gateway.wsUrl,
      graphiql: config.graphiql ? gateway.url.replace(/\/graphql$/, "/") : "disabled",
      ...(gateway.opsUrl ? { ops: gateway.opsUrl } : {}),
    },
    "PKI Graph gateway listening",
  );

  // SIGTERM/SIGINT: drain (README "Shutdown") and exit 0; a second signal exits at once.
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting without waiting for the drain");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, "draining and shutting down");
    // Last resort should a step hang anyway: the drain itself is bounded by the grace.
    setTimeout(() => {
      logger.error({ signal }, "shutdown did not finish in time: exiting");
      process.exit(1);
    }, config.shutdownGraceMs + 10_000).unref();
    const { cut } = await gateway.stop();
    await closeEmulators();
    logger.info({ cut }, "stopped");
    process.exit(0);
  };
  process.on("SIGTERM", signal => void shutdown(signal));
  process.on("SIGINT", signal => void shutdown(signal));
}

main().catch(error => {
  console.error("PKI Graph failed to start:", (error as Error).message);
  process.exit(1);
});
